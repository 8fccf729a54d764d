"""Writes on what parties record in a partnership (levels, checks, commitments, concerns,
benefits, reviews), and who may write them. Each takes the acting user and runs in one
transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import LATEST, add_months
from notifications import events
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernStatus,
)
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Responsibility,
    Review,
)
from partnerships.models.base import DELETED_REASON, RESTORED_REASON
from partnerships.services.audit import system_change_reason
from partnerships.services.proposals import level_proposal_replace_by_review
from partnerships.services.versions import (
    StaleVersion,
    is_versioned,
    lock_at_version,
    save_validated,
)

if TYPE_CHECKING:
    from organisations.models import User


def require_party_writer(
    actor: User, organisation: Organisation, partnership: Partnership
) -> Party:
    """The policy's ``require_writer`` for ``actor`` acting for ``organisation``: its party,
    taking part, where the actor is an editor or administrator (404, then 403, otherwise)."""
    return policy.require_writer(policy.Actor.of(actor, organisation), partnership)


def _locked(review: Review | None) -> Review | None:
    """The review a record is written for, read again and locked: its rules are checked on
    its current status (a hold or a close may have just been committed), and every write of
    a review takes its locks in one order — the review, then the read model its record
    refreshes — so two writes at one meeting wait for each other rather than deadlock."""
    if review is None:
        return None
    return Review.objects.select_for_update().get(pk=review.pk)


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
    A rating for a review is taken while the review is planned; a target level for a review
    while it is not closed. The level agreed together is recorded here during a held review
    (it replaces a pending proposal); elsewhere it is proposed
    (``partnerships.services.proposals.level_propose``).
    """
    own = require_party_writer(actor, organisation, partnership)
    review = _locked(review)
    party = own if kind == AssessmentKind.PERCEIVED else None
    if party is not None:
        policy.require_rating_open(review)
    elif kind == AssessmentKind.AGREED:
        policy.require_agreed_at_held_review(review)
        level_proposal_replace_by_review(partnership)
    else:
        policy.require_review_open(review)
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
    save_validated(assessment, actor)
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
    policy.require_concern_visible(policy.Actor(actor, organisation, None), concern)
    review = _locked(review)
    policy.require_review_open(review)
    check = ConcernCheck(
        concern=concern,
        intensity=intensity,
        note=note,
        review=review,
        author=actor,
        checked_on=checked_on or timezone.localdate(),
    )
    save_validated(check, actor)
    return check


@transaction.atomic
def concern_raise(
    *, actor: User, organisation: Organisation, concern: Concern, intensity: int | None
) -> Concern:
    """Record a new fear or resistance and, when ``intensity`` is given, its first check: both
    or neither."""
    record_save(actor=actor, organisation=organisation, record=concern)
    if intensity is not None:
        concern_check_record(
            actor=actor, organisation=organisation, concern=concern, intensity=intensity
        )
    return concern


@transaction.atomic
def record_save(
    *, actor: User, organisation: Organisation, record: models.Model, version: int | None = None
) -> models.Model:
    """Create or update a responsibility, commitment, concern or benefit of a partnership.

    A commitment carries its completion date exactly while it is done; a private concern can
    only be touched by the organisation that raised it, and a new one is raised by the acting
    organisation. A record names parties taking part, and its link to a review follows the
    policy (nothing new for a closed review; what a closed review agreed stays linked to it).
    A change of a commitment or concern is refused with ``StaleVersion`` unless it is still at
    ``version`` (the one the form or request read; by default the one ``record`` was loaded at).
    """
    own = require_party_writer(actor, organisation, record.partnership)
    stored = None
    if record.pk is not None:
        if is_versioned(type(record)):
            expected = record.version if version is None else version
            stored = lock_at_version(type(record), record.pk, expected)
            record.version = stored.version + 1
        else:
            stored = type(record)._base_manager.get(pk=record.pk)
    if isinstance(record, Concern):
        policy.require_concern_visible(policy.Actor(actor, organisation, None), record)
        if stored is None:
            policy.require_raised_by_own(record, own)
            record.raised_by = own
            if record.status == ConcernStatus.RESOLVED:
                raise ValidationError({"status": _("A new concern cannot start resolved.")})
    for field in ("party",):
        if hasattr(record, f"{field}_id") and (
            stored is None or getattr(stored, f"{field}_id") != getattr(record, f"{field}_id")
        ):
            policy.require_nameable(getattr(record, field), field)
    if hasattr(record, "review_id") and getattr(stored, "review_id", None) != record.review_id:
        policy.require_review_link(stored.review if stored else None, record.review)
    if isinstance(record, Commitment):
        if record.status == CommitmentStatus.DONE:
            record.completed_on = record.completed_on or timezone.localdate()
        else:
            record.completed_on = None
    has_author = any(field.name == "author" for field in record._meta.fields)
    if has_author and record.pk is None and record.author_id is None:
        record.author = actor
    save_validated(record, actor)
    _tell(record, stored, organisation, actor)
    return record


PURGE_TASK = "purge_deleted_records"


def _mark(record: models.Model, actor: User | None, reason: str, **values) -> None:
    """Save the deletion marks of ``record`` (with the history row naming ``actor``); a
    versioned record moves to its next version, so a form opened before is refused."""
    for name, value in values.items():
        setattr(record, name, value)
    fields = list(values)
    if is_versioned(type(record)):
        record.version += 1
        fields += ["version", "updated_at"]
    record._history_user = actor
    record._change_reason = reason
    record.save(update_fields=fields)


def _tell(record: models.Model, stored, organisation: Organisation, actor: User) -> None:
    """A commitment given to another party is told to it; a concern, to the other parties
    that may read it (told once: a private concern shared later is told then)."""
    if isinstance(record, Commitment) and getattr(stored, "party_id", None) != record.party_id:
        events.commitment_assigned(record, acting=organisation, actor=actor)
    elif isinstance(record, Concern):
        events.concern_raised(record, actor=actor)


@transaction.atomic
def record_delete(*, actor: User, organisation: Organisation, record: models.Model) -> None:
    """Delete a record whose type the policy lets people delete. It disappears from every read
    at once; the acting party can undo it (``record_restore``) during the undo window, after
    which ``records_purge`` deletes it for good (the history keeps what it was)."""
    own = require_party_writer(actor, organisation, record.partnership)
    policy.require_deletable(record)
    locked = type(record).all_objects.select_for_update().get(pk=record.pk)
    if locked.deleted_at is not None:
        return  # deleted meanwhile (a double click): once is enough
    if is_versioned(type(record)):
        record.version = locked.version
    _mark(
        record,
        actor,
        DELETED_REASON,
        deleted_at=timezone.now(),
        deleted_by=actor,
        deleted_by_party=own,
    )


@transaction.atomic
def record_restore(
    *, actor: User, organisation: Organisation, record: models.Model
) -> models.Model:
    """Undo the deletion of ``record``: the party that deleted it, within the undo window
    (``policy.require_restorable``: 403 for another party, 409 once too late)."""
    record = type(record).all_objects.select_for_update().get(pk=record.pk)
    policy.require_restorable(policy.Actor.of(actor, organisation), record)
    _mark(
        record,
        actor,
        RESTORED_REASON,
        deleted_at=None,
        deleted_by=None,
        deleted_by_party=None,
    )
    return record


def records_purge(now: datetime.datetime | None = None) -> int:
    """Delete for good the records deleted longer ago than the undo window; returns how many.

    Running it twice deletes nothing more. The history keeps a last row of each, naming the
    task (no person acts).
    """
    cutoff = (now or timezone.now()) - policy.undo_window()
    purged = 0
    for model in (Responsibility, Commitment, Benefit):
        for record in model.all_objects.filter(deleted_at__lt=cutoff):
            with transaction.atomic():
                record._change_reason = system_change_reason(PURGE_TASK)
                record.delete()
            purged += 1
    return purged


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
    if attendees is not None:
        policy.require_attendees(review.partnership, attendees)
    if review.pk:
        expected = review.version if version is None else version
        stored = Review.objects.select_for_update().get(pk=review.pk)
        policy.require_review_active(stored)  # frozen says more than stale: check it first
        if stored.version != expected:
            raise StaleVersion(stored.version, "review")
        review.version = stored.version + 1
        review.ical_sequence = stored.ical_sequence + (
            1 if moved(stored, review) else 0
        )  # calendar apps move the event rather than add one
    planned = review.pk is None
    if planned:
        review.created_by = actor
    save_validated(review, actor)
    if attendees is not None:
        review.attendees.set(attendees)
    if planned:
        events.review_planned(review, actor=actor)
    elif review.ical_sequence != stored.ical_sequence:
        events.review_moved(review, actor=actor)
    return review


def moved(stored: Review, review: Review) -> bool:
    """Whether the review's date or times changed (calendars must move the event)."""
    fields = ("scheduled_on", "starts_at_time", "ends_at_time")
    return any(getattr(stored, name) != getattr(review, name) for name in fields)


def next_review_date(partnership: Partnership, held_on: datetime.date) -> datetime.date:
    """The next review follows the partnership's cadence from the last review held.

    Kept at ``LATEST`` at most: a review held late in 2200 still closes (its next review is a
    date the validator accepts), and a date stored before dates were bounded (year 9999)
    gives a horizon the pages can show rather than an overflow.
    """
    return min(add_months(held_on, partnership.review_cadence), LATEST)
