"""Each organisation's to-do, kept as rows (``TodoEntry``) beside the records it comes from.

Part of the read model (``services.state``): a write that can change what someone should do
(a party invited or gone, a review planned, held or closed, a rating given, an agreement
version submitted or approved, a level proposed or answered, a commitment, a concern or its
check, the partnership's dates) refreshes its partnership's entries in the same transaction.

``entries_from_logs(ids)`` says, for some partnerships, every entry each organisation taking
part should have, one query a kind (and one for the parties), whatever the number of
organisations; ``refresh`` writes them, ``drift`` compares them with what is stored.

Facts that change with the calendar alone are stored with the first day they show
(``shown_from``), and compared with today when read (``reads.todo``): a review due by the
cadence shows the day after its date, a commitment the day after it was due, a concern two
review cycles after its latest rating.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.dates import add_months
from partnerships.choices import (
    AgreementState,
    AssessmentKind,
    ConcernStatus,
    Invitation,
    PartnershipStatus,
    PartyRole,
    ProposalAnswer,
    ProposalState,
    ReviewStatus,
    TodoKind,
)
from partnerships.models import (
    Agreement,
    AgreementApproval,
    Commitment,
    ConcernState,
    LevelAssessment,
    LevelProposalAnswer,
    Partnership,
    Party,
    Review,
    TodoEntry,
)
from partnerships.models.querysets import PENDING_COMMITMENT
from partnerships.policy import sees_concern, taking_part

# A fear or resistance still open is re-rated at each review: one not rated over two review
# cycles (the partnership's cadence, twice) is due for a new rating.
CYCLES_WITHOUT_RATING = 2
RUNNING = [PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED]
ENTRY_FIELDS = ("partnership_id", "shown_from", "sort_key", "subject", "day", "number", "named_id")
# The largest moment, in microseconds since 1970, that a sort key of the newest first holds.
_LATEST = 10**17

Key = tuple[int, str, int]  # organisation, kind, ref
Entries = dict[Key, dict]


def _entry(
    partnership_id: int,
    sort_key: str,
    *,
    shown_from: datetime.date | None = None,
    subject: str = "",
    day: datetime.date | None = None,
    number: int | None = None,
    named_id: int | None = None,
) -> dict:
    return {
        "partnership_id": partnership_id,
        "shown_from": shown_from,
        "sort_key": sort_key,
        "subject": subject,
        "day": day,
        "number": number,
        "named_id": named_id,
    }


def oldest_first(value: datetime.date | datetime.datetime | None) -> str:
    """A sort key that puts earlier dates and moments first (ISO text sorts as time does;
    moments are compared in UTC)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat("T", "microseconds")
    return value.isoformat()


def newest_first(moment: datetime.datetime) -> str:
    """A sort key that puts later moments first: the microseconds left before a far moment."""
    micros = round(moment.timestamp() * 1_000_000)
    return f"{_LATEST - micros:018d}"


def day_after(day: datetime.date) -> datetime.date | None:
    """The first day a date is past (None: never, at the end of the calendar)."""
    return None if day >= datetime.date.max else day + datetime.timedelta(days=1)


def first_day_to_rerate(rated_on: datetime.date, cadence: int) -> datetime.date | None:
    """The first day a concern last rated on ``rated_on`` counts as not rated for two cycles:
    the first ``today`` with ``rated_on`` before ``add_months(today, -2 cycles)``, the test the
    to-do used to run (months shorter than others make it a day or two off a plain addition).
    None: never (at the end of the calendar)."""
    months = CYCLES_WITHOUT_RATING * cadence
    day = add_months(rated_on, months)
    if day >= datetime.date.max - datetime.timedelta(days=7):
        return None
    while add_months(day, -months) <= rated_on:
        day += datetime.timedelta(days=1)
    while add_months(day - datetime.timedelta(days=1), -months) > rated_on:
        day -= datetime.timedelta(days=1)
    return day


def _taking_part(ids: list[int]) -> dict[int, set[int]]:
    """The organisations taking part in each partnership (accepted and not gone)."""
    organisations: dict[int, set[int]] = defaultdict(set)
    for partnership_id, organisation_id in Party.objects.filter(
        taking_part(), partnership_id__in=ids
    ).values_list("partnership_id", "organisation_id"):
        organisations[partnership_id].add(organisation_id)
    return organisations


def invitations(ids, taking):
    """Each invited organisation answers its invitation."""
    rows = Party.objects.filter(partnership_id__in=ids, invitation=Invitation.INVITED)
    for pk, partnership_id, organisation_id, invited_at in rows.values_list(
        "pk", "partnership_id", "organisation_id", "invited_at"
    ):
        key = (organisation_id, TodoKind.ANSWER_INVITATION, pk)
        yield key, _entry(partnership_id, newest_first(invited_at))


def agreements(ids, taking):
    """A version submitted for approval, for each organisation taking part that has not
    decided on this round yet."""
    pending = list(
        Agreement.objects.filter(partnership_id__in=ids, state=AgreementState.PENDING).values_list(
            "pk", "partnership_id", "version", "submission_round", "submitted_at"
        )
    )
    decided = set(
        AgreementApproval.objects.filter(agreement_id__in=[row[0] for row in pending]).values_list(
            "agreement_id", "organisation_id", "round"
        )
    )
    for pk, partnership_id, version, submission_round, submitted_at in pending:
        for organisation_id in taking[partnership_id]:
            if (pk, organisation_id, submission_round) not in decided:
                key = (organisation_id, TodoKind.APPROVE_AGREEMENT, pk)
                yield key, _entry(partnership_id, oldest_first(submitted_at), number=version)


def level_proposals(ids, taking):
    """An agreed level another party proposed, for the organisation asked to confirm it."""
    answers = LevelProposalAnswer.objects.filter(
        proposal__partnership_id__in=ids,
        state=ProposalAnswer.PENDING,
        proposal__state=ProposalState.PENDING,
    ).values_list(
        "pk",
        "proposal__partnership_id",
        "party__organisation_id",
        "proposal__created_at",
        "proposal__level",
        "proposal__proposed_by__organisation_id",
    )
    for pk, partnership_id, organisation_id, created_at, level, proposer in answers:
        if organisation_id in taking[partnership_id]:
            key = (organisation_id, TodoKind.ANSWER_LEVEL_PROPOSAL, pk)
            yield (
                key,
                _entry(partnership_id, oldest_first(created_at), number=level, named_id=proposer),
            )


def leads(ids, taking):
    """A partnership whose lead left and none was named yet: every party taking part names
    one."""
    led = set(
        Party.objects.filter(
            taking_part(), partnership_id__in=ids, role=PartyRole.LEAD
        ).values_list("partnership_id", flat=True)
    )
    for pk, title in Partnership.objects.filter(pk__in=ids).values_list("pk", "title"):
        if pk not in led:
            for organisation_id in taking[pk]:
                yield (organisation_id, TodoKind.NAME_LEAD, pk), _entry(pk, title)


def reviews(ids, taking):
    """A planned review each organisation taking part has not rated yet; a held review not
    closed yet."""
    open_reviews = list(
        Review.objects.filter(
            partnership_id__in=ids,
            status__in=[ReviewStatus.PLANNED, ReviewStatus.HELD],
            closed_at__isnull=True,
        ).values_list("pk", "partnership_id", "status", "scheduled_on", "held_on")
    )
    rated = set(
        LevelAssessment.objects.filter(
            review_id__in=[row[0] for row in open_reviews if row[2] == ReviewStatus.PLANNED],
            kind=AssessmentKind.PERCEIVED,
        ).values_list("review_id", "party__organisation_id")
    )
    for pk, partnership_id, status, scheduled_on, held_on in open_reviews:
        for organisation_id in taking[partnership_id]:
            if status == ReviewStatus.HELD:
                key = (organisation_id, TodoKind.CLOSE_REVIEW, pk)
                yield key, _entry(partnership_id, oldest_first(held_on), day=held_on)
            elif (pk, organisation_id) not in rated:
                key = (organisation_id, TodoKind.GIVE_RATING, pk)
                yield key, _entry(partnership_id, oldest_first(scheduled_on), day=scheduled_on)


def reviews_to_plan(ids, taking):
    """A running partnership with no review planned: due the day after its next review date."""
    planned = set(
        Review.objects.filter(partnership_id__in=ids, status=ReviewStatus.PLANNED).values_list(
            "partnership_id", flat=True
        )
    )
    rows = Partnership.objects.filter(
        pk__in=ids, status__in=RUNNING, next_review_on__isnull=False
    ).values_list("pk", "next_review_on")
    for pk, next_review_on in rows:
        shown_from = day_after(next_review_on)
        if pk in planned or shown_from is None:
            continue
        for organisation_id in taking[pk]:
            key = (organisation_id, TodoKind.PLAN_REVIEW, pk)
            yield (
                key,
                _entry(pk, oldest_first(next_review_on), shown_from=shown_from, day=next_review_on),
            )


def commitments(ids, taking):
    """A commitment still to do, for the organisation that owes it: due the day after its
    date."""
    rows = Commitment.objects.filter(
        PENDING_COMMITMENT, partnership_id__in=ids, due_on__isnull=False
    ).values_list("pk", "partnership_id", "party__organisation_id", "title", "due_on")
    for pk, partnership_id, organisation_id, title, due_on in rows:
        shown_from = day_after(due_on)
        if organisation_id in taking[partnership_id] and shown_from is not None:
            key = (organisation_id, TodoKind.OVERDUE_COMMITMENT, pk)
            yield (
                key,
                _entry(
                    partnership_id,
                    oldest_first(due_on),
                    shown_from=shown_from,
                    subject=title,
                    day=due_on,
                ),
            )


def concern_subject(kind: str, category: str) -> str:
    return f"{kind}/{category}"


def concerns(ids, taking):
    """An open fear or resistance, for each organisation taking part that sees it (shared, or
    private to the one that raised it): due two review cycles after its latest rating."""
    rows = (
        ConcernState.objects.filter(partnership_id__in=ids)
        .exclude(concern__status=ConcernStatus.RESOLVED)
        .values_list(
            "concern_id",
            "partnership_id",
            "rated_on",
            "latest_checked_on",
            "concern__kind",
            "concern__category",
            "concern__visibility",
            "concern__raised_by__organisation_id",
            "partnership__review_cadence",
        )
    )
    for (
        pk,
        partnership_id,
        rated_on,
        checked_on,
        kind,
        category,
        visibility,
        raiser,
        cadence,
    ) in rows:
        shown_from = first_day_to_rerate(rated_on, cadence) if cadence else None
        if shown_from is None:
            continue
        for organisation_id in taking[partnership_id]:
            if sees_concern(organisation_id, visibility, raiser):
                key = (organisation_id, TodoKind.RERATE_CONCERN, pk)
                yield (
                    key,
                    _entry(
                        partnership_id,
                        oldest_first(rated_on),
                        shown_from=shown_from,
                        subject=concern_subject(kind, category),
                        day=checked_on,
                    ),
                )


@dataclass(frozen=True)
class Builder:
    """One source of entries: the kinds it gives, and how (the partnerships' ids, the
    organisations taking part in each) -> (key, values) pairs. A write refreshes only the
    builders its record feeds (``partnerships.signals``)."""

    name: str
    kinds: tuple[str, ...]
    entries: Callable[[list[int], dict[int, set[int]]], Iterable[tuple[Key, dict]]]


BUILDERS: dict[str, Builder] = {
    builder.name: builder
    for builder in [
        Builder("invitations", (TodoKind.ANSWER_INVITATION,), invitations),
        Builder("agreements", (TodoKind.APPROVE_AGREEMENT,), agreements),
        Builder("level_proposals", (TodoKind.ANSWER_LEVEL_PROPOSAL,), level_proposals),
        Builder("leads", (TodoKind.NAME_LEAD,), leads),
        Builder("reviews", (TodoKind.GIVE_RATING, TodoKind.CLOSE_REVIEW), reviews),
        Builder("reviews_to_plan", (TodoKind.PLAN_REVIEW,), reviews_to_plan),
        Builder("commitments", (TodoKind.OVERDUE_COMMITMENT,), commitments),
        Builder("concerns", (TodoKind.RERATE_CONCERN,), concerns),
    ]
}


def entries_from_logs(ids: Iterable[int], names: Iterable[str] | None = None) -> Entries:
    """The to-do entries these partnerships give (those of the builders ``names``, every
    builder when None), keyed by organisation, kind and record."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    taking = _taking_part(ids)
    builders = BUILDERS.values() if names is None else [BUILDERS[name] for name in names]
    return {key: values for builder in builders for key, values in builder.entries(ids, taking)}


def refresh(ids: Iterable[int], names: Iterable[str] | None = None) -> None:
    """Replace the stored entries of these partnerships by a recomputation (only those of the
    builders ``names``; all when None)."""
    ids = sorted(set(ids))
    names = list(BUILDERS) if names is None else sorted(set(names))
    if not ids or not names:
        return
    expected = entries_from_logs(ids, names)
    kinds = [kind for name in names for kind in BUILDERS[name].kinds]
    TodoEntry.objects.filter(partnership_id__in=ids, kind__in=kinds).delete()
    TodoEntry.objects.bulk_create(
        [
            TodoEntry(organisation_id=organisation_id, kind=kind, ref=ref, **values)
            for (organisation_id, kind, ref), values in expected.items()
        ],
        batch_size=500,
    )


def stored(ids: Iterable[int]) -> Entries:
    return {
        (row.pop("organisation_id"), row.pop("kind"), row.pop("ref")): row
        for row in TodoEntry.objects.filter(partnership_id__in=list(ids)).values(
            "organisation_id", "kind", "ref", *ENTRY_FIELDS
        )
    }


def drift(ids: Iterable[int]) -> list[str]:
    """Where the stored entries of these partnerships differ from a recomputation."""
    ids = list(ids)
    expected, found = entries_from_logs(ids), stored(ids)
    return [
        f"to-do {kind} {ref} of organisation {organisation_id}: stored "
        f"{found.get((organisation_id, kind, ref))}, "
        f"logs say {expected.get((organisation_id, kind, ref))}"
        for organisation_id, kind, ref in sorted(expected.keys() | found.keys())
        if expected.get((organisation_id, kind, ref)) != found.get((organisation_id, kind, ref))
    ]
