"""An organisation leaves the platform: staff carry out its request, from the admin.

In one transaction, through the existing services: each of its parties leaves (the last party
of a partnership stays, to hold the record), invitations to it are declined, its pending
invitations (of members, of partners by e-mail) are withdrawn, and the organisation becomes
inactive, so its members lose access (policy: an inactive organisation is not visible). Its
data is kept. Its administrators are told by e-mail once it is committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from notifications.emails import send_to_user
from organisations.choices import MemberRole
from organisations.models import MemberInvitation, Organisation
from partnerships.choices import PartnerInvitationState
from partnerships.models import PartnerInvitation, Party
from partnerships.services.partner_invitations import send_partner_invitation_withdrawn
from partnerships.services.partnerships import party_leave_platform
from partnerships.services.versions import save_validated

from .models import LeaveRequest
from .policy import may_erase_from_admin

if TYPE_CHECKING:
    from organisations.models import User


@dataclass
class LeaveOutcome:
    left: list[Party] = field(default_factory=list)
    kept: list[Party] = field(default_factory=list)  # last parties: the record needs them
    invitations_withdrawn: int = 0


def _current_parties():
    return (
        Party.objects.filter(left_on__isnull=True)
        .select_related("partnership")
        .order_by("partnership__title", "pk")
    )


def parties_of(organisation: Organisation):
    return _current_parties().filter(organisation=organisation)


def parties_of_each(organisations: list[Organisation]) -> dict[int, list[Party]]:
    """``parties_of`` for several organisations in one query, keyed by organisation id."""
    found: dict[int, list[Party]] = {organisation.pk: [] for organisation in organisations}
    for party in _current_parties().filter(organisation__in=organisations):
        found[party.organisation_id].append(party)
    return found


@transaction.atomic
def organisation_leave_platform(*, actor: User, leave_request: LeaveRequest) -> LeaveOutcome:
    """Carry out ``leave_request`` (staff only; once: a handled request is left as it is)."""
    from django.core.exceptions import PermissionDenied

    if not may_erase_from_admin(actor):
        raise PermissionDenied
    leave_request = LeaveRequest.objects.select_for_update().get(pk=leave_request.pk)
    outcome = LeaveOutcome()
    if leave_request.handled_at is not None:
        return outcome
    organisation = Organisation.objects.select_for_update().get(pk=leave_request.organisation_id)
    for party in parties_of(organisation):
        result = party_leave_platform(actor=actor, party=party)
        (outcome.left if result is not None else outcome.kept).append(result or party)
    for invitation in MemberInvitation.objects.pending().filter(organisation=organisation):
        invitation._history_user = actor
        invitation.delete()
        outcome.invitations_withdrawn += 1
    now = timezone.now()
    for invitation in PartnerInvitation.objects.select_for_update().filter(
        inviting_organisation=organisation, state=PartnerInvitationState.PENDING
    ):
        invitation.state = PartnerInvitationState.WITHDRAWN
        invitation.answered_at = now
        save_validated(invitation, actor)
        transaction.on_commit(partial(send_partner_invitation_withdrawn, invitation.pk))
        outcome.invitations_withdrawn += 1
    organisation.active = False
    organisation._history_user = actor
    organisation.save()
    leave_request.handled_at = now
    leave_request.save(update_fields=["handled_at"])
    transaction.on_commit(lambda: send_left_platform(organisation.pk))
    return outcome


def send_left_platform(organisation_id: int) -> int:
    """Tell the organisation's administrators that it left the platform; answers how many."""
    organisation = Organisation.objects.get(pk=organisation_id)
    administrators = [
        membership.user
        for membership in organisation.memberships.filter(role=MemberRole.ADMIN)
        .select_related("user")
        .order_by("pk")
        if membership.user.is_active and membership.user.email
    ]
    for user in administrators:
        send_to_user(
            user=user,
            template="organisation_left_platform",
            context={"organisation": organisation},
        )
    return len(administrators)
