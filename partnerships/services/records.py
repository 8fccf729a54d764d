"""Writes on what parties record in a partnership (levels, checks, commitments, concerns,
benefits, reviews), and who may write them. Each takes the acting user and runs in one
transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import LATEST, add_months
from organisations.models import Organisation
from organisations.permissions import require_writer
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernStatus,
    Visibility,
)
from partnerships.exceptions import ReviewFrozen
from partnerships.models import (
    REVIEW_FROZEN,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Review,
)
from partnerships.services.versions import (
    StaleVersion,
    is_versioned,
    lock_at_version,
    save_validated,
)

if TYPE_CHECKING:
    from organisations.models import User


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
    save_validated(check, actor)
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
    save_validated(record, actor)
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
    save_validated(review, actor)
    if attendees is not None:
        review.attendees.set(attendees)
    return review


def next_review_date(partnership: Partnership, held_on: datetime.date) -> datetime.date:
    """The next review follows the partnership's cadence from the last review held.

    Kept at ``LATEST`` at most: a review held late in 2200 still closes (its next review is a
    date the validator accepts), and a date stored before dates were bounded (year 9999)
    gives a horizon the pages can show rather than an overflow.
    """
    return min(add_months(held_on, partnership.review_cadence), LATEST)


def _require_open_review(review: Review | None) -> None:
    if review is not None and review.closed_at is not None:
        raise ReviewFrozen(REVIEW_FROZEN)


def _require_may_see_concern(organisation: Organisation, concern: Concern) -> None:
    if concern.visibility == Visibility.PRIVATE and (
        concern.raised_by.organisation_id != organisation.pk
    ):
        raise PermissionDenied(_("This concern is private to the organisation that raised it."))
