"""The read model: each partnership's current state, kept beside the logs it is derived from.

The logs (level entries, concern checks, commitments, agreements, parties) stay the truth. These
rows hold what the dashboard, the list, the workspace and the reports would otherwise recompute
from them at every request, so a page costs the same for an organisation in five partnerships or
in fifteen hundred. ``partnerships.services.state`` keeps them right in the same transaction as
every write (``rebuild_read_model`` recomputes them all).

Two tables, because privacy makes what one sees differ:

- ``PartnershipState``, one row a partnership: what every party sees alike (levels as revealed,
  gaps, parties' sizes, the agreement's end, the earliest commitment still to do);
- ``PartnershipView``, one row a partnership and an organisation that joined it: the counts of
  fears and resistances *that organisation* sees (shared ones, and the private ones it raised).

Facts that change with the calendar alone are not stored: a commitment is overdue when the
stored ``first_pending_due_on`` is before today, read at request time.

``TodoEntry`` keeps each organisation's to-do the same way: one row a thing to do, with the day
it starts to show when the calendar alone brings it (a review or a commitment past its date).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.choices import TodoKind
from partnerships.models.partnerships import Partnership


class PartnershipState(models.Model):
    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="state",
    )
    # The latest agreed and target levels, and the revealed perceived levels of the parties
    # taking part (blind ratings count once their review is held).
    agreed_level = models.PositiveSmallIntegerField(null=True)
    target_level = models.PositiveSmallIntegerField(null=True)
    perceived_count = models.PositiveSmallIntegerField(default=0)
    perceived_min = models.PositiveSmallIntegerField(null=True)
    perceived_max = models.PositiveSmallIntegerField(null=True)
    perception_gap = models.PositiveSmallIntegerField(null=True)
    agreement_gap = models.PositiveSmallIntegerField(null=True)
    # A party taking part with neither a responsibility nor a commitment.
    has_idle_party = models.BooleanField(default=False)
    # The spread of the size bands of the parties taking part.
    size_spread = models.PositiveSmallIntegerField(null=True)
    # The end of the latest version in force (or ended and not replaced).
    agreement_ends_on = models.DateField(null=True)
    # The earliest due date of a commitment still to do: overdue when before today.
    first_pending_due_on = models.DateField(null=True)
    # The date of the latest level entry (``date.min`` without any): for any day from this one
    # on, the levels above are also the levels as they stood that day, so a report at the end
    # of a period reads them here instead of in the log.
    levels_dated_until = models.DateField(default=datetime.date.min)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partnership state")
        verbose_name_plural = _("partnership states")
        indexes = [
            models.Index(fields=["agreed_level"]),
            models.Index(fields=["perception_gap"]),
            models.Index(fields=["first_pending_due_on"]),
        ]

    def __str__(self) -> str:
        return f"state of partnership {self.partnership_id}"


class PartnershipView(models.Model):
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="views"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Open concerns this organisation sees whose latest check is 4 or 5.
    high_concerns = models.PositiveSmallIntegerField(default=0)
    # Open concerns it sees whose last two checks are both 4 or 5, the latest no lower.
    stuck_concerns = models.PositiveSmallIntegerField(default=0)
    # An open or easing fear about sharing power that it sees.
    power_fear_open = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("partnership as one organisation sees it")
        verbose_name_plural = _("partnerships as organisations see them")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "partnership"], name="partnership_view_unique"
            )
        ]

    def __str__(self) -> str:
        return f"partnership {self.partnership_id} as organisation {self.organisation_id} sees it"


class ConcernState(models.Model):
    """A concern's latest checks, kept beside its series of checks (``ConcernCheck``): the
    lists and the to-do read them instead of looking for the latest check of each concern."""

    concern = models.OneToOneField(
        "partnerships.Concern",
        verbose_name=_("fear or resistance"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="state",
    )
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="+"
    )
    latest_intensity = models.PositiveSmallIntegerField(null=True)
    latest_checked_on = models.DateField(null=True)
    previous_intensity = models.PositiveSmallIntegerField(null=True)
    # The latest check's date, or the day it was raised when never checked: the to-do asks to
    # re-rate it once this is two review cycles old.
    rated_on = models.DateField()

    class Meta:
        verbose_name = _("state of a fear or resistance")
        verbose_name_plural = _("states of fears and resistances")
        indexes = [
            models.Index(fields=["partnership", "rated_on"]),
            models.Index(fields=["rated_on"]),
        ]

    def __str__(self) -> str:
        return f"state of concern {self.concern_id}"


class _ConcernMonthBase(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))  # its first day
    kind = models.CharField(_("kind"), max_length=12)
    category = models.CharField(_("category"), max_length=20)
    total = models.PositiveIntegerField(default=0)  # the intensities added up
    checks = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class PartnershipConcernMonth(_ConcernMonthBase):
    """One partnership's checks of the concerns one organisation sees, by month and category:
    what that partnership adds to the organisation's ``ConcernMonth`` rows (kept so a change
    can take its old share out)."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("monthly checks of a partnership")
        verbose_name_plural = _("monthly checks of partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation", "month", "kind", "category"],
                name="partnership_concern_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.organisation_id} {self.month} {self.category}"


class ConcernMonth(_ConcernMonthBase):
    """The monthly roll-up of the checks of every concern one organisation sees, by category:
    the dashboard's intensity chart reads a dozen of these rows whatever the organisation's
    size."""

    class Meta:
        verbose_name = _("monthly checks of an organisation")
        verbose_name_plural = _("monthly checks of organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "kind", "category"],
                name="concern_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month} {self.category}"


class TodoEntry(models.Model):
    """One thing the people of one organisation should do in one partnership (a kind of
    ``TodoKind``), kept beside the records it comes from (``services.todo_state``): the to-do
    reads a few of these rows, whatever the organisation's size, instead of asking every kind
    of record at each request. Who may act on it (the member's role) is asked when it is read.

    What the sentence names is kept with it (a date, a commitment's title, a version); the
    partnership's title and the name of the organisation that proposed a level are read
    through the relations, so a rename shows at once."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=TodoKind.choices)
    # The record it is about: a party, an agreement, a proposal's answer, a review, a
    # commitment or a concern; the partnership itself for a review to plan or a lead to name.
    ref = models.PositiveBigIntegerField()
    # The first day it shows (None: at once): the day after a date passes, for a review due by
    # the cadence or an overdue commitment; two review cycles after a concern's last rating.
    shown_from = models.DateField(null=True)
    # Its place among the entries of its kind (the oldest first; the newest invitation first).
    sort_key = models.CharField(max_length=255)
    subject = models.CharField(max_length=200, blank=True)
    day = models.DateField(null=True)
    number = models.PositiveSmallIntegerField(null=True)
    named = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("to-do entry")
        verbose_name_plural = _("to-do entries")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "ref"], name="todo_entry_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "kind", "sort_key", "ref"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref} for organisation {self.organisation_id}"


class PartnerLink(models.Model):
    """Two organisations that joined at least one partnership together, as seen from the
    first (``services.partner_links``): the list's menu of partners reads an organisation's
    rows instead of going through every party of every partnership it reads. Names are read
    through the relation, so a rename shows at once."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    partner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("partner organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The partnerships both joined (a party that left still counts: it reads the record).
    shared = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "partner"], name="partner_link_unique")
        ]

    def __str__(self) -> str:
        return f"organisation {self.organisation_id} with {self.partner_id}"
