"""The partnership and its parties (the organisations taking part)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import validate_date_in_range
from partnerships.choices import (
    Invitation,
    Level,
    PartnershipStatus,
    PartyRole,
    ReviewCadence,
    Scope,
)
from partnerships.models.base import (
    choice_constraint,
    version_field,
)

from .querysets import (
    PartnershipQuerySet,
    PartyQuerySet,
)


class Partnership(models.Model):
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.PROPOSED,
    )
    starts_on = models.DateField(
        _("start date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    ends_on = models.DateField(
        _("end date"), null=True, blank=True, validators=[validate_date_in_range]
    )
    review_cadence = models.PositiveSmallIntegerField(
        _("review cadence"), choices=ReviewCadence.choices, default=ReviewCadence.QUARTERLY
    )
    next_review_on = models.DateField(
        _("next review"), null=True, blank=True, validators=[validate_date_in_range]
    )
    scope = models.CharField(
        _("scope"),
        max_length=10,
        choices=Scope.choices,
        default=Scope.EXTERNAL,
        editable=False,
        help_text=_("Worked out from the parties: internal when they all belong to one system."),
    )
    version = version_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PartnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            choice_constraint("status", PartnershipStatus, "partnership_status_valid"),
            choice_constraint("scope", Scope, "partnership_scope_valid"),
            choice_constraint("review_cadence", ReviewCadence, "partnership_cadence_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="partnership_ends_after_start",
                violation_error_message=_("The end date cannot come before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["status", "next_review_on"])]

    def __str__(self) -> str:
        return self.title


class Party(models.Model):
    """An organisation's place in a partnership; it counts once the organisation accepted."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=PartyRole.choices, default=PartyRole.PARTNER
    )
    contribution = models.TextField(_("what it brings"), blank=True)
    invitation = models.CharField(
        _("invitation"), max_length=10, choices=Invitation.choices, default=Invitation.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    joined_on = models.DateField(
        _("joined on"), null=True, blank=True, validators=[validate_date_in_range]
    )
    left_on = models.DateField(
        _("left on"), null=True, blank=True, validators=[validate_date_in_range]
    )
    left_reason = models.TextField(_("reason for leaving"), blank=True, editable=False)
    # A level imported from a spreadsheet while no partner took part yet: proposed as the
    # agreed level, as the person who imported it, once a partner accepts.
    level_to_propose = models.PositiveSmallIntegerField(
        _("level to propose"), choices=Level.choices, null=True, blank=True, editable=False
    )
    level_to_propose_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("level to propose by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = PartyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "organisation__name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"],
                name="party_one_per_organisation",
                violation_error_message=_("This organisation is already a party."),
            ),
            choice_constraint("role", PartyRole, "party_role_valid"),
            choice_constraint("invitation", Invitation, "party_invitation_valid"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="party_leaves_after_joining",
                violation_error_message=_("A party cannot leave before it joined."),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "invitation"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.partnership}"
