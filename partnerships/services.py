"""Writes with rules or side effects. Each takes the acting user and runs in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.models import Organisation
from organisations.permissions import require_admin, require_writer

from .choices import (
    APPROVED_STATES,
    AssessmentKind,
    CommitmentStatus,
    ConcernStatus,
    Invitation,
    PartyRole,
    Scope,
    Visibility,
)
from .dates import add_months
from .exceptions import ReviewFrozen, StateConflict
from .models import (
    REVIEW_FROZEN,
    Agreement,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Review,
)

if TYPE_CHECKING:
    from organisations.models import User


STALE_MESSAGES = {
    "partnership": gettext_lazy(
        "Someone else changed this partnership while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "commitment": gettext_lazy(
        "Someone else changed this commitment while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "concern": gettext_lazy(
        "Someone else changed this fear or resistance while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "review": gettext_lazy(
        "Someone else changed this review while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "agreement": gettext_lazy(
        "Someone else changed this draft while you were editing it (it is now at revision "
        "%(version)s). Reload it, then apply your changes again."
    ),
}


class StaleVersion(Exception):
    """The record changed since the form or request was prepared: nothing was overwritten."""

    def __init__(self, current_version: int, model_name: str = "partnership"):
        self.current_version = current_version
        self.model_name = model_name
        super().__init__(str(STALE_MESSAGES[model_name]) % {"version": current_version})


VERSIONED_MODELS = {"partnership", "commitment", "concern", "review"}


def is_versioned(model: type[models.Model]) -> bool:
    """Models edited by people concurrently carry a ``version`` (optimistic locking).

    Named, not guessed from a field called ``version``: an agreement's ``version`` is its
    number (1 = the original); its drafts are locked by ``revision`` in agreement_update.
    """
    return model._meta.model_name in VERSIONED_MODELS


def lock_at_version(model: type[models.Model], pk: int, version: int) -> models.Model:
    """Lock the stored row and check it is still at ``version``; return it as stored.

    Must run inside the write's transaction: the row stays locked until it commits, so of two
    concurrent saves of the same version the second waits, then reads the new version and is
    refused (on SQLite, IMMEDIATE transactions serialise writers the same way). The write then
    goes through ``_save`` with ``version + 1``, so it records its history row like any other.
    """
    current = model._base_manager.select_for_update().get(pk=pk)
    if current.version != version:
        raise StaleVersion(current.version, model._meta.model_name)
    return current


def _save(obj, actor: User | None, **kwargs) -> None:
    """Validate (constraints included) and save, recording ``actor`` in the history."""
    obj.full_clean()
    obj._history_user = actor
    obj.save(**kwargs)


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
    _save(current, actor)
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
    _save(party, actor)  # the scope follows through the Party signal
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
    _save(party, actor)
    return party


def require_party_writer(actor: User, organisation: Organisation, partnership: Partnership) -> None:
    """The actor writes for ``organisation``, which must take part in the partnership: an
    accepted party that has not left (a party that left keeps reading its record)."""
    require_writer(actor, organisation)
    if (
        not Party.objects.taking_part()
        .filter(partnership=partnership, organisation=organisation)
        .exists()
    ):
        raise PermissionDenied(_("Your organisation is not a party to this partnership."))


@transaction.atomic
def level_record(
    *,
    actor: User,
    organisation: Organisation,
    partnership: Partnership,
    kind: str,
    level: int,
    review: Review | None = None,
    rationale: str = "",
    assessed_on: datetime.date | None = None,
    wished_level: int | None = None,
) -> LevelAssessment:
    """Append a level to the log; the latest entry of each kind is the current value.

    A perceived level is always the acting organisation's own: nobody rates for another party.
    """
    require_party_writer(actor, organisation, partnership)
    party = None
    if kind == AssessmentKind.PERCEIVED:
        party = Party.objects.get(partnership=partnership, organisation=organisation)
    assessment = LevelAssessment(
        partnership=partnership,
        kind=kind,
        level=level,
        wished_level=wished_level if kind == AssessmentKind.PERCEIVED else None,
        party=party,
        review=review,
        rationale=rationale,
        author=actor,
        assessed_on=assessed_on or timezone.localdate(),
    )
    _require_open_review(review)
    _save(assessment, actor)
    return assessment


@transaction.atomic
def concern_check_record(
    *,
    actor: User,
    organisation: Organisation,
    concern: Concern,
    intensity: int,
    note: str = "",
    review: Review | None = None,
    checked_on: datetime.date | None = None,
) -> ConcernCheck:
    """Append a re-rating of a concern's intensity (0 = gone)."""
    require_party_writer(actor, organisation, concern.partnership)
    _require_may_see_concern(organisation, concern)
    _require_open_review(review)
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


@transaction.atomic
def record_save(
    *, actor: User, organisation: Organisation, record: models.Model, version: int | None = None
) -> models.Model:
    """Create or update a responsibility, commitment, concern or benefit of a partnership.

    A commitment carries its completion date exactly while it is done; a private concern can
    only be touched by the organisation that raised it. A change of a commitment or concern is
    refused with ``StaleVersion`` unless it is still at ``version`` (the one the form or request
    read; by default the one ``record`` was loaded at).
    """
    require_party_writer(actor, organisation, record.partnership)
    if record.pk is not None and is_versioned(type(record)):
        expected = record.version if version is None else version
        record.version = lock_at_version(type(record), record.pk, expected).version + 1
    if isinstance(record, Concern):
        _require_may_see_concern(organisation, record)
        if record.status == ConcernStatus.RESOLVED and record.pk is None:
            raise ValidationError({"status": _("A new concern cannot start resolved.")})
    if isinstance(record, Commitment):
        if record.status == CommitmentStatus.DONE:
            record.completed_on = record.completed_on or timezone.localdate()
        else:
            record.completed_on = None
    has_author = any(field.name == "author" for field in record._meta.fields)
    if has_author and record.pk is None and record.author_id is None:
        record.author = actor
    _save(record, actor)
    return record


@transaction.atomic
def record_delete(*, actor: User, organisation: Organisation, record: models.Model) -> None:
    """Delete a responsibility, commitment or benefit (history keeps what it was)."""
    require_party_writer(actor, organisation, record.partnership)
    record._history_user = actor
    record.delete()


@transaction.atomic
def review_save(
    *,
    actor: User,
    organisation: Organisation,
    review: Review,
    attendees: Iterable[User] | None = None,
    version: int | None = None,
) -> Review:
    """Plan a review or change one that is not closed; a closed review is frozen.

    Holding and closing are steps of their own (``reviews.review_hold`` / ``review_close``);
    ``attendees``, when given, replaces the list. A change is refused with ``StaleVersion``
    unless the review is still at ``version`` (by default the one ``review`` was loaded at).
    """
    require_party_writer(actor, organisation, review.partnership)
    if review.pk:
        expected = review.version if version is None else version
        stored = Review.objects.select_for_update().get(pk=review.pk)
        _require_open_review(stored)  # frozen says more than stale: check it first
        if stored.version != expected:
            raise StaleVersion(stored.version, "review")
        review.version = stored.version + 1
    if review.pk is None:
        review.created_by = actor
    _save(review, actor)
    if attendees is not None:
        review.attendees.set(attendees)
    return review


def next_review_date(partnership: Partnership, held_on: datetime.date) -> datetime.date:
    """The next review follows the partnership's cadence from the last review held."""
    return add_months(held_on, partnership.review_cadence)


def _require_open_review(review: Review | None) -> None:
    if review is not None and review.closed_at is not None:
        raise ReviewFrozen(REVIEW_FROZEN)


def _require_may_see_concern(organisation: Organisation, concern: Concern) -> None:
    if concern.visibility == Visibility.PRIVATE and (
        concern.raised_by.organisation_id != organisation.pk
    ):
        raise PermissionDenied(_("This concern is private to the organisation that raised it."))
