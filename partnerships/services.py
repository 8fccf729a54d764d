"""Writes with rules or side effects. Each takes the acting user and runs in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation

from .choices import AssessmentKind, Invitation, PartyRole, Scope
from .models import Concern, ConcernCheck, LevelAssessment, Partnership, Party, Review

if TYPE_CHECKING:
    from organisations.models import User


def _save(obj, actor: User | None, **kwargs) -> None:
    """Validate (constraints included) and save, recording ``actor`` in the history."""
    obj.full_clean()
    obj._history_user = actor
    obj.save(**kwargs)


def scope_for_organisations(organisations: Iterable[Organisation]) -> str:
    """Internal when every organisation belongs to the same root system, external otherwise."""
    roots = {organisation.root_id() for organisation in organisations}
    return Scope.INTERNAL if len(roots) <= 1 else Scope.EXTERNAL


def partnership_refresh_scope(partnership: Partnership) -> None:
    """Recompute the derived scope from the parties that count (neither declined nor gone).

    Called by the Party and Organisation signals, so every path that changes parties or
    systems keeps it right.
    """
    parties = Party.objects.current().filter(partnership=partnership).select_related("organisation")
    scope = scope_for_organisations(party.organisation for party in parties)
    if scope != partnership.scope:
        partnership.scope = scope
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
    partnership = Partnership(title=title, purpose=purpose, created_by=actor, **fields)
    _save(partnership, actor)
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
    _save(party, actor)
    for partner, partner_role in partners:
        party_invite(actor=actor, partnership=partnership, organisation=partner, role=partner_role)
    return partnership


@transaction.atomic
def party_invite(
    *, actor: User, partnership: Partnership, organisation: Organisation, role: str
) -> Party:
    """Invite an organisation; it becomes a party once one of its admins accepts."""
    if Party.objects.filter(partnership=partnership, organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already a party.")})
    party = Party(
        partnership=partnership,
        organisation=organisation,
        role=role,
        invitation=Invitation.INVITED,
        invited_by=actor,
    )
    _save(party, actor)  # the scope follows through the Party signal
    return party


@transaction.atomic
def invitation_respond(*, actor: User, party: Party, accept: bool) -> Party:
    """Accept or decline an invitation on behalf of the invited organisation."""
    if party.invitation != Invitation.INVITED:
        raise ValidationError(_("This invitation has already been answered."))
    party.invitation = Invitation.ACCEPTED if accept else Invitation.DECLINED
    party.responded_at = timezone.now()
    if accept:
        party.joined_on = timezone.localdate()
    _save(party, actor)
    return party


@transaction.atomic
def level_record(
    *,
    actor: User | None,
    partnership: Partnership,
    kind: str,
    level: int,
    party: Party | None = None,
    review: Review | None = None,
    rationale: str = "",
    assessed_on: datetime.date | None = None,
) -> LevelAssessment:
    """Append a level to the log; the latest entry of each kind is the current value."""
    if kind != AssessmentKind.PERCEIVED:
        party = None
    assessment = LevelAssessment(
        partnership=partnership,
        kind=kind,
        level=level,
        party=party,
        review=review,
        rationale=rationale,
        author=actor,
        assessed_on=assessed_on or timezone.localdate(),
    )
    _save(assessment, actor)
    return assessment


@transaction.atomic
def concern_check_record(
    *,
    actor: User | None,
    concern: Concern,
    intensity: int,
    note: str = "",
    review: Review | None = None,
    checked_on: datetime.date | None = None,
) -> ConcernCheck:
    """Append a re-rating of a concern's intensity (0 = gone)."""
    check = ConcernCheck(
        concern=concern,
        intensity=intensity,
        note=note,
        review=review,
        author=actor,
        checked_on=checked_on or timezone.localdate(),
    )
    _save(check, actor)
    return check
