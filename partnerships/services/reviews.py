"""Review meetings, writes: holding a review and closing it.

A review goes planned → held → closed. Holding it reveals every party's blind ratings. Closing
it freezes its record (levels, checks and commitments as they stood, minutes, decisions):
corrections are new entries linked to the next review. The agenda and what each party sees are
in ``partnerships.reads.agenda``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import events
from organisations.models import Organisation, User
from partnerships import policy
from partnerships.choices import (
    ReviewStatus,
)
from partnerships.exceptions import StateConflict
from partnerships.models import (
    Commitment,
    ConcernCheck,
    Partnership,
    Review,
)
from partnerships.models.querysets import current_perceived_levels
from partnerships.services.questionnaires import close_for_review, frozen_results
from partnerships.services.records import next_review_date, require_party_writer
from partnerships.services.versions import save_validated


class ReviewStateError(StateConflict):
    """The review is not in the state this step needs (e.g. closing one that was not held)."""


# --- States each step needs (asked before a confirmation page too) -----------------------
def require_holdable(review: Review) -> None:
    """Only a planned review is held (a cancelled one is read-only)."""
    policy.require_review_active(review)
    if review.status != ReviewStatus.PLANNED:
        raise ReviewStateError(_("This review has already been held."))


def require_closable(review: Review) -> None:
    """Only a held review is closed, once."""
    if review.status == ReviewStatus.CLOSED:
        raise ReviewStateError(_("This review is already closed."))
    if review.status != ReviewStatus.HELD:
        raise ReviewStateError(_("A review must be held before it is closed."))


# --- Writes ------------------------------------------------------------------------------


@transaction.atomic
def review_hold(
    *, actor: User, organisation: Organisation, review: Review, held_on: datetime.date | None = None
) -> Review:
    """Mark the review held: every party's blind rating is revealed to all."""
    require_party_writer(actor, organisation, review.partnership)
    review = Review.objects.select_for_update().get(pk=review.pk)
    require_holdable(review)
    close_for_review(review)  # the meeting starts from the answers: no more change
    review.status = ReviewStatus.HELD
    review.held_on = held_on or timezone.localdate()
    review.version += 1
    save_validated(review, actor)
    events.review_held(review, actor=actor)
    return review


@transaction.atomic
def review_close(*, actor: User, organisation: Organisation, review: Review) -> Review:
    """Freeze the review with its record as it stands, and set the partnership's next review."""
    require_party_writer(actor, organisation, review.partnership)
    review = Review.objects.select_for_update().get(pk=review.pk)
    require_closable(review)
    # Locked and read again: a concurrent edit of the partnership is neither lost nor undone.
    partnership = Partnership.objects.select_for_update().get(pk=review.partnership_id)
    if review.next_review_on is None:
        review.next_review_on = next_review_date(partnership, review.held_on)
    review.record = snapshot(review)
    review.status = ReviewStatus.CLOSED
    review.closed_at = timezone.now()
    review.version += 1
    save_validated(review, actor)
    partnership.next_review_on = review.next_review_on
    partnership.version += 1  # an edit form opened before the close must not undo this date
    save_validated(partnership, actor)
    events.review_closed(review, actor=actor)
    return review


@transaction.atomic
def review_cancel(
    *, actor: User, organisation: Organisation, review: Review, reason: str
) -> Review:
    """Cancel a planned review, saying why: it becomes read-only and calendars drop it."""
    require_party_writer(actor, organisation, review.partnership)
    review = Review.objects.select_for_update().get(pk=review.pk)
    policy.require_review_cancellable(review)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the review is cancelled.")})
    review.status = ReviewStatus.CANCELLED
    review.cancel_reason = reason
    review.ical_sequence += 1
    review.version += 1
    save_validated(review, actor)
    events.review_cancelled(review, actor=actor)
    return review


def snapshot(review: Review) -> dict:
    """The review's record as it stands: what closing freezes."""
    partnership = Partnership.objects.with_levels().get(pk=review.partnership_id)
    perceived = current_perceived_levels().filter(partnership=partnership)
    return {
        "agreed_level": partnership.agreed_level,
        "target_level": partnership.target_level,
        "perception_gap": partnership.perception_gap,
        "agreement_gap": partnership.agreement_gap,
        "perceived": [
            {
                "organisation": entry.party.organisation.slug,
                "name": entry.party.organisation.name,
                "level": entry.level,
                "wished": entry.wished_level,
            }
            for entry in perceived.select_related("party__organisation").order_by("party_id")
        ],
        "checks": [
            {
                "concern": check.concern_id,
                "kind": check.concern.kind,
                "category": check.concern.category,
                "label": check.concern.category_label,
                "intensity": check.intensity,
                "visibility": check.concern.visibility,
                "raised_by": check.concern.raised_by.organisation.slug,
            }
            for check in ConcernCheck.objects.filter(review=review)
            .select_related("concern__raised_by__organisation")
            .order_by("concern_id", "pk")
        ],
        "commitments": [
            {
                "id": c.pk,
                "title": c.title,
                "owner": c.party.organisation.name,
                "status": c.status,
                "due_on": c.due_on.isoformat() if c.due_on else None,
            }
            for c in Commitment.objects.filter(partnership=partnership)
            .select_related("party__organisation")
            .order_by("due_on", "pk")
        ],
        "attendees": [str(user) for user in review.attendees.order_by("last_name", "username")],
        "guests": review.guests,
        "minutes": review.minutes,
        "decisions": review.decisions,
        "open_items": review.open_items,
        **frozen_results(review),
    }
