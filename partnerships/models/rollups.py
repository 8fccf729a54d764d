"""Monthly roll-ups the reports read instead of the logs, kept like the read model.

``ConcernCheckMonth`` holds every check of one partnership's concerns added up by month and
category, whoever may see the concern, and ``ConcernCheckTotal`` the same over every
partnership: the staff reports, who see every concern, read them for the quarter-by-quarter
trend instead of the checks themselves (the totals when no filter narrows the partnerships).
An organisation's reports read ``PartnershipConcernMonth`` and ``ConcernMonth`` instead, which
count only the concerns that organisation sees.
``partnerships.services.rollups`` recomputes these rows from the logs in the same transaction
as every write, through ``partnerships.services.state.refresh``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models.partnerships import Partnership


class ConcernCheckMonth(models.Model):
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))  # its first day
    kind = models.CharField(_("kind"), max_length=12)
    category = models.CharField(_("category"), max_length=20)
    total = models.PositiveIntegerField(default=0)  # the intensities added up
    checks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly checks of all the concerns of a partnership")
        verbose_name_plural = _("monthly checks of all the concerns of partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "month", "kind", "category"],
                name="concern_check_month_unique",
            )
        ]
        indexes = [models.Index(fields=["month", "partnership"])]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.month} {self.category}"


class ConcernCheckTotal(models.Model):
    """Every check of every partnership added up by month and category: the sum of the
    ``ConcernCheckMonth`` rows, which the staff reports over every partnership read (a dozen
    rows a month) instead of adding up a row per partnership and month."""

    month = models.DateField(_("month"))  # its first day
    kind = models.CharField(_("kind"), max_length=12)
    category = models.CharField(_("category"), max_length=20)
    total = models.PositiveIntegerField(default=0)
    checks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly checks of every partnership")
        verbose_name_plural = _("monthly checks of every partnership")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "category"], name="concern_check_total_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.category}"
