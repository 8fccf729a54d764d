"""Writes on partnerships and their parties: create, update, delete, invite, answer an
invitation, leave, name a new lead, and the scope worked out from the parties. Each takes the
acting user and runs in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import events
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import Invitation, PartyRole, Scope
from partnerships.models import Agreement, Partnership, Party
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
    policy.require_organisation_writer(policy.Actor.of(actor, organisation))
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
        _invite(
            actor=actor,
            acting=organisation,
            partnership=partnership,
            organisation=partner,
            role=partner_role,
        )
    return partnership


@transaction.atomic
def partnership_update(
    *, actor: User, organisation: Organisation, partnership: Partnership, version: int, **fields
) -> Partnership:
    """Apply ``fields`` if nobody changed the partnership since ``version`` was read.

    The row is locked while it is checked and written, so two concurrent saves of the same
    version cannot both succeed: the second raises ``StaleVersion``.
    """
    policy.require_writer(policy.Actor.of(actor, organisation), partnership)
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
    """Delete a partnership with all it holds: the lead's administrators, while no agreement
    was ever approved (an approved agreement is part of the record: it outlives any one
    party's wish to tidy up; the foreign key PROTECTs it too, for the admin and the shell)."""
    policy.require_may_delete_partnership(policy.Actor.of(actor, organisation), partnership)
    for version in Agreement.objects.filter(
        partnership=partnership
    ):  # drafts and submitted versions go with it, each into history
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
    """An editor or administrator of a party taking part invites another organisation; one of
    its administrators must accept."""
    policy.require_writer(policy.Actor.of(actor, acting), partnership)
    return _invite(
        actor=actor, acting=acting, partnership=partnership, organisation=organisation, role=role
    )


def _invite(
    *,
    actor: User,
    acting: Organisation,
    partnership: Partnership,
    organisation: Organisation,
    role: str,
) -> Party:
    party = invited_party(
        actor=actor, partnership=partnership, organisation=organisation, role=role
    )
    events.party_invited(party, acting=acting, actor=actor)
    return party


def invited_party(
    *, actor: User, partnership: Partnership, organisation: Organisation, role: str
) -> Party:
    """The party of an invited organisation, without telling it (``_invite`` tells it; an
    invitation accepted at once by e-mail has nobody to tell)."""
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
    party = Party.objects.select_for_update().select_related("organisation").get(pk=party.pk)
    policy.require_invitation_answerer(policy.Actor.of(actor, party.organisation), party)
    party.invitation = Invitation.ACCEPTED if accept else Invitation.DECLINED
    party.responded_at = timezone.now()
    if accept:
        party.joined_on = timezone.localdate()
    save_validated(party, actor)
    events.invitation_answered(party, accepted=accept, actor=actor)
    if accept:
        from partnerships.services.imports import propose_imported_level

        propose_imported_level(party.partnership)
    return party


LEAD_NAMED_REASON = "named the lead"


def _lock_parties(partnership: Partnership) -> None:
    """Lock the partnership's parties, so two last parties cannot leave at the same time and
    two administrators cannot name two leads."""
    list(Party.objects.select_for_update().filter(partnership=partnership).values_list("pk"))


@transaction.atomic
def party_leave(
    *, actor: User, organisation: Organisation, partnership: Partnership, reason: str = ""
) -> Party:
    """An administrator makes their organisation leave the partnership, with an optional
    reason. What the party recorded stays; it keeps reading the record, read-only. The last
    party cannot leave (``StateConflict``): it ends or deletes the partnership instead. When
    the lead leaves, the remaining parties name a new one (any of them acts as lead until
    then). ``party_left`` is sent once the change is committed."""
    _lock_parties(partnership)
    partnership = Partnership.objects.get(pk=partnership.pk)  # parties read again, locked
    party = policy.require_may_leave(policy.Actor.of(actor, organisation), partnership)
    today = timezone.localdate()
    # A party that joined on a future start date leaves on it: it never left before joining.
    party.left_on = max(today, party.joined_on) if party.joined_on else today
    party.left_reason = reason.strip()
    save_validated(party, actor)
    from partnerships.signals import party_left

    transaction.on_commit(
        lambda: party_left.send(sender=Party, party=party, reason=party.left_reason, actor=actor)
    )
    return party


PLATFORM_LEAVE_REASON = "the organisation left the platform"


@transaction.atomic
def party_leave_platform(*, actor: User, party: Party) -> Party | None:
    """Staff carry out an organisation's request to leave the platform (its administrators
    asked): its party leaves as with ``party_leave``, recorded under the staff member with
    the reason below; a pending invitation to it is declined. The last party taking part
    stays (``policy.may_leave_platform``): the partnership keeps one to hold its record, and
    None is answered. When the lead leaves, the remaining parties name a new one."""
    _lock_parties(party.partnership)
    party = Party.objects.select_related("partnership", "organisation").get(pk=party.pk)
    if party.invitation == Invitation.INVITED:
        party.invitation = Invitation.DECLINED
        party._change_reason = PLATFORM_LEAVE_REASON
        save_validated(party, actor)
        return party
    if not policy.may_leave_platform(party, party.partnership):
        return None
    today = timezone.localdate()
    party.left_on = max(today, party.joined_on) if party.joined_on else today
    party.left_reason = _("The organisation left the platform.")
    party._change_reason = PLATFORM_LEAVE_REASON
    save_validated(party, actor)
    from partnerships.signals import party_left

    transaction.on_commit(
        lambda: party_left.send(sender=Party, party=party, reason=party.left_reason, actor=actor)
    )
    return party


@transaction.atomic
def party_name_lead(
    *, actor: User, organisation: Organisation, partnership: Partnership, lead: Organisation
) -> Party:
    """After the lead left, an administrator of a party taking part names the new lead among
    the parties taking part (a party that is none is an input error)."""
    _lock_parties(partnership)
    partnership = Partnership.objects.get(pk=partnership.pk)
    policy.require_lead_namer(policy.Actor.of(actor, organisation), partnership)
    party = Party.objects.filter(partnership=partnership, organisation=lead).first()
    if party is None:
        raise ValidationError(
            {"organisation": _("This organisation does not take part in the partnership.")}
        )
    policy.require_nameable(party, "organisation")
    party.role = PartyRole.LEAD
    party._change_reason = LEAD_NAMED_REASON
    save_validated(party, actor)
    return party
