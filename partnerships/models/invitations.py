"""Invitations sent by e-mail to organisations that are not on the platform yet."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.choices import Language
from partnerships.choices import PartnerInvitationState, PartyRole
from partnerships.models.base import choice_constraint


def _token() -> str:
    return secrets.token_urlsafe(32)


class PartnerInvitationQuerySet(models.QuerySet):
    def open(self) -> PartnerInvitationQuerySet:
        """Waiting for an answer and not expired: the link still works."""
        return self.filter(state=PartnerInvitationState.PENDING, expires_at__gt=timezone.now())

    def withdrawable(self) -> PartnerInvitationQuerySet:
        """Not answered yet (expired ones included): the inviters may still re-send or
        withdraw them."""
        return self.filter(state=PartnerInvitationState.PENDING)


class PartnerInvitation(models.Model):
    """A coordinator invites an organisation by its name and a contact's e-mail address.

    The contact follows the link (``token``), signs up or in, creates the organisation (or
    picks one they administer) and accepts or declines: accepting makes it a party that has
    accepted. ``organisation`` is the organisation that answered.
    """

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        related_name="partner_invitations",
    )
    organisation_name = models.CharField(_("organisation invited"), max_length=200)
    email = models.EmailField(_("contact's e-mail address"))
    role = models.CharField(
        _("role"), max_length=20, choices=PartyRole.choices, default=PartyRole.PARTNER
    )
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    inviting_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("inviting organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.FRENCH
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=PartnerInvitationState.choices,
        default=PartnerInvitationState.PENDING,
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation that answered"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PartnerInvitationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner invitation by e-mail")
        verbose_name_plural = _("partner invitations by e-mail")
        constraints = [
            choice_constraint("role", PartyRole, "partner_invitation_role_valid"),
            choice_constraint("state", PartnerInvitationState, "partner_invitation_state_valid"),
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=Q(state=PartnerInvitationState.PENDING),
                name="partner_invitation_one_pending_per_address",
                violation_error_message=_(
                    "This address already has an invitation to this partnership waiting for "
                    "an answer."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} <{self.email}> → {self.partnership}"

    @property
    def is_pending(self) -> bool:
        """Nobody answered it and the inviters did not withdraw it (it may have expired)."""
        return self.state == PartnerInvitationState.PENDING

    @property
    def current_state(self) -> str:
        """The state as the contact sees it: a pending invitation past its date has expired."""
        if self.state == PartnerInvitationState.PENDING and self.expires_at <= timezone.now():
            return PartnerInvitationState.EXPIRED
        return self.state

    def get_current_state_display(self) -> str:
        return PartnerInvitationState(self.current_state).label
