"""Writes on partnerships and their parties: create, update, delete, invite, answer an
invitation, and the scope worked out from the parties. Each takes the acting user and runs in
one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation
from organisations.permissions import require_admin, require_writer
from partnerships.choices import (
    APPROVED_STATES,
    Invitation,
    PartyRole,
    Scope,
)
from partnerships.exceptions import StateConflict
from partnerships.models import (
    Agreement,
    Partnership,
    Party,
)
from partnerships.services.versions import lock_at_version, save_validated

if TYPE_CHECKING:
    from organisations.models import User


def scope_for_organisations(organisations: Iterable[Organisation]) -> str:
    """Internal when every organisation belongs to the same root system, external otherwise."""
    roots = {organisation.root_id() for organisation in organisations}
    return Scope.INTERNAL if len(roots) <= 1 else Scope.EXTERNAL


SCOPE_CHANGE_REASON = "scope worked out from the parties"


def partnership_refresh_scope(partnership: Partnership, actor: User | None = None) -> None:
    """Recompute the derived scope from the parties that count (neither declined nor gone).

    Called by the Party and Organisation signals, so every path that changes parties or
    systems keeps it right; ``actor`` is who changed them, recorded in the history.
    """
    parties = Party.objects.current().filter(partnership=partnership).select_related("organisation")
    scope = scope_for_organisations(party.organisation for party in parties)
    if scope != partnership.scope:
        partnership.scope = scope
        if actor is not None:  # otherwise the request's user, when there is one
            partnership._history_user = actor
        partnership._change_reason = SCOPE_CHANGE_REASON
        partnership.save(update_fields=["scope", "updated_at"])


@transaction.atomic
def partnership_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    purpose: str = "",
    role: str = PartyRole.LEAD,
    partners: Iterable[tuple[Organisation, str]] = (),
    **fields,
) -> Partnership:
    """Create a partnership with ``organisation`` as its first, accepted party.

    ``partners`` are (organisation, role) pairs invited to join; each must accept.
    """
    require_writer(actor, organisation)
    partnership = Partnership(title=title, purpose=purpose, created_by=actor, **fields)
    save_validated(partnership, actor)
    today = timezone.localdate()
    party = Party(
        partnership=partnership,
        organisation=organisation,
        role=role,
        invitation=Invitation.ACCEPTED,
        invited_by=actor,
        responded_at=timezone.now(),
        joined_on=partnership.starts_on or today,
    )
    save_validated(party, actor)
    for partner, partner_role in partners:
        _invite(actor=actor, partnership=partnership, organisation=partner, role=partner_role)
    return partnership


@transaction.atomic
def partnership_update(
    *, actor: User, organisation: Organisation, partnership: Partnership, version: int, **fields
) -> Partnership:
    """Apply ``fields`` if nobody changed the partnership since ``version`` was read.

    The row is locked while it is checked and written, so two concurrent saves of the same
    version cannot both succeed: the second raises ``StaleVersion``.
    """
    require_writer(actor, organisation)
    current = lock_at_version(Partnership, partnership.pk, version)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    save_validated(current, actor)
    return current


@transaction.atomic
def partnership_delete(
    *, actor: User, organisation: Organisation, partnership: Partnership
) -> None:
    """Delete a partnership with all it holds; only administrators of a lead party may."""
    require_admin(actor, organisation)
    is_lead = Party.objects.accepted().filter(
        partnership=partnership, organisation=organisation, role=PartyRole.LEAD
    )
    if not is_lead.exists():
        raise PermissionDenied(_("Only administrators of the lead organisation can delete it."))
    # An agreement every party approved is part of the record: it outlives any one party's
    # wish to tidy up (the foreign key PROTECTs it too, for the admin and the shell).
    versions = Agreement.objects.filter(partnership=partnership)
    if versions.filter(state__in=APPROVED_STATES).exists():
        raise StateConflict(
            _(
                "This partnership has an agreement approved by every party: it cannot be "
                "deleted. Set its status to ended instead: its record stays."
            )
        )
    for version in versions:  # drafts and submitted versions go with it, each into history
        version._history_user = actor
        version.delete()
    partnership._history_user = actor
    partnership.delete()


@transaction.atomic
def party_invite(
    *,
    actor: User,
    acting: Organisation,
    partnership: Partnership,
    organisation: Organisation,
    role: str,
) -> Party:
    """An administrator of a party invites another organisation; one of its admins must accept."""
    require_admin(actor, acting)
    return _invite(actor=actor, partnership=partnership, organisation=organisation, role=role)


def _invite(
    *, actor: User, partnership: Partnership, organisation: Organisation, role: str
) -> Party:
    if not organisation.active:
        raise ValidationError({"organisation": _("This organisation is no longer active.")})
    if Party.objects.filter(partnership=partnership, organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already a party.")})
    party = Party(
        partnership=partnership,
        organisation=organisation,
        role=role,
        invitation=Invitation.INVITED,
        invited_by=actor,
    )
    save_validated(party, actor)  # the scope follows through the Party signal
    return party


@transaction.atomic
def invitation_respond(*, actor: User, party: Party, accept: bool) -> Party:
    """An administrator of the invited organisation accepts or declines the invitation."""
    require_admin(actor, party.organisation)
    if party.invitation != Invitation.INVITED:
        raise ValidationError(_("This invitation has already been answered."))
    party.invitation = Invitation.ACCEPTED if accept else Invitation.DECLINED
    party.responded_at = timezone.now()
    if accept:
        party.joined_on = timezone.localdate()
    save_validated(party, actor)
    return party
