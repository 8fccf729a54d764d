"""The periodic review meeting of a partnership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import validate_date_in_range
from partnerships.choices import (
    ReviewStatus,
)
from partnerships.exceptions import ReviewFrozen
from partnerships.models.base import (
    choice_constraint,
    version_field,
)
from partnerships.models.partnerships import Partnership

from .querysets import (
    ReviewQuerySet,
)

REVIEW_FROZEN = _(
    "This review is closed and its record is frozen; link corrections to the next one."
)


class Review(models.Model):
    """A periodic review meeting of the parties; frozen once closed."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="reviews"
    )
    scheduled_on = models.DateField(_("planned for"), validators=[validate_date_in_range])
    held_on = models.DateField(
        _("held on"), null=True, blank=True, validators=[validate_date_in_range]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED
    )
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="reviews"
    )
    guests = models.TextField(_("other guests"), blank=True)
    agenda = models.TextField(
        _("other agenda items"),
        blank=True,
        help_text=_("Added to the agenda the tool builds from what changed since the last review."),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    open_items = models.TextField(
        _("questions left open"),
        blank=True,
        help_text=_("They come back on the agenda of the next review."),
    )
    next_review_on = models.DateField(
        _("next review"), null=True, blank=True, validators=[validate_date_in_range]
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    record = models.JSONField(
        _("record as closed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Levels, checks and commitments as they stood when the review was closed."),
    )
    version = version_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_on", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            choice_constraint("status", ReviewStatus, "review_status_valid"),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.PLANNED) | Q(held_on__isnull=False),
                name="review_held_has_date",
                violation_error_message=_("A review that was held needs the date it was held."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.CLOSED) | Q(closed_at__isnull=False),
                name="review_closed_has_time",
                violation_error_message=_("A closed review records when it was closed."),
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "scheduled_on"])]

    def __str__(self) -> str:
        return f"{self.partnership} · {self.scheduled_on}"

    def save(self, *args, **kwargs) -> None:
        """A closed review is frozen, whatever path tries to change it (UI, API, admin, shell)."""
        if self.pk and Review.objects.filter(pk=self.pk, closed_at__isnull=False).exists():
            raise ReviewFrozen(REVIEW_FROZEN)
        super().save(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED

    @property
    def is_revealed(self) -> bool:
        """Blind ratings recorded for this review are visible to every party once it is held."""
        return self.status in (ReviewStatus.HELD, ReviewStatus.CLOSED)
