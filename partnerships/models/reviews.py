"""The periodic review meeting of a partnership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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
    starts_at_time = models.TimeField(
        _("starts at"),
        null=True,
        blank=True,
        help_text=_("Optional, in the project's time zone; without it the review takes the day."),
    )
    ends_at_time = models.TimeField(
        _("ends at"),
        null=True,
        blank=True,
        help_text=_("Optional, in the project's time zone; after the start."),
    )
    ical_sequence = models.PositiveIntegerField(
        _("calendar sequence"),
        default=0,
        editable=False,
        help_text=_("Raised each time the date or times change, or the review is cancelled."),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, editable=False)
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
                condition=Q(status__in=[ReviewStatus.PLANNED, ReviewStatus.CANCELLED])
                | Q(held_on__isnull=False),
                name="review_held_has_date",
                violation_error_message=_("A review that was held needs the date it was held."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.CLOSED) | Q(closed_at__isnull=False),
                name="review_closed_has_time",
                violation_error_message=_("A closed review records when it was closed."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at_time__isnull=True)
                | Q(starts_at_time__isnull=False, ends_at_time__gt=F("starts_at_time")),
                name="review_ends_after_start",
                violation_error_message=_("The review must end after it starts."),
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
    def is_cancelled(self) -> bool:
        return self.status == ReviewStatus.CANCELLED

    @property
    def is_revealed(self) -> bool:
        """Blind ratings recorded for this review are visible to every party once it is held."""
        return self.status in (ReviewStatus.HELD, ReviewStatus.CLOSED)
