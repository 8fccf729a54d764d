"""Review meetings, read side: the agenda built from what changed, blind ratings, the past
reviews' records as each party may see them.

A review goes planned → held → closed. While it is planned, the perceived levels recorded for it
are blind: each party sees only its own value and who else has submitted. Holding it reveals
them to every party. Closing it freezes its record (``partnerships.services.reviews``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernStatus,
    Visibility,
)
from partnerships.models import (
    Benefit,
    Commitment,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Review,
)
from partnerships.reads.health import visible_concerns
from partnerships.services.records import next_review_date

# --- Reads -------------------------------------------------------------------------------


def previous_review(review: Review) -> Review | None:
    """The last review held before this one, if any."""
    return (
        Review.objects.held()
        .filter(partnership_id=review.partnership_id, held_on__lte=review.scheduled_on)
        .exclude(pk=review.pk)
        .order_by("-held_on", "-pk")
        .first()
    )


@dataclass
class Agenda:
    review: Review
    since: datetime.date | None
    level_changes: list = field(default_factory=list)
    perception_gap: int | None = None
    agreement_gap: int | None = None
    new_concerns: list = field(default_factory=list)
    worsening_concerns: list = field(default_factory=list)
    commitments_due: list = field(default_factory=list)
    pleasures: list = field(default_factory=list)
    open_items: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(
            [
                self.level_changes,
                self.new_concerns,
                self.worsening_concerns,
                self.commitments_due,
                self.pleasures,
                self.open_items,
                self.review.agenda,
                self.perception_gap,
            ]
        )


def build_agenda(
    review: Review, organisation: Organisation, *, include_private: bool = True
) -> Agenda:
    """What changed since the last review held, as the organisation may see it.

    Another organisation's private concerns never appear; the organisation's own appear only
    with ``include_private`` (the printable agenda leaves them out unless asked).

    Level changes, the perception gap, new and worsening concerns (visible ones only),
    commitments overdue or due before the next review, pleasures noted, questions left open.
    """
    previous = previous_review(review)
    since = previous.held_on if previous else None
    partnership = (
        Partnership.objects.with_levels().only("pk", "review_cadence").get(pk=review.partnership_id)
    )
    agenda = Agenda(
        review=review,
        since=since,
        perception_gap=partnership.perception_gap,
        agreement_gap=partnership.agreement_gap,
        open_items=previous.open_items if previous else "",
    )
    after_since = Q(assessed_on__gt=since) if since else Q()
    agenda.level_changes = list(
        LevelAssessment.objects.revealed()
        .filter(after_since, partnership=partnership)
        .exclude(kind=AssessmentKind.PERCEIVED)
        .order_by("assessed_on", "pk")
    )
    concerns = (
        visible_concerns(organisation)
        .filter(partnership=partnership)
        .exclude(status=ConcernStatus.RESOLVED)
    )
    if not include_private:
        concerns = concerns.filter(visibility=Visibility.SHARED)
    if since:
        agenda.new_concerns = list(concerns.filter(created_at__date__gt=since).order_by("pk"))
    else:
        agenda.new_concerns = list(concerns.order_by("pk"))
    agenda.worsening_concerns = _worsening(concerns, since)
    horizon = review.next_review_on or next_review_date(partnership, review.scheduled_on)
    agenda.commitments_due = list(
        Commitment.objects.filter(
            partnership=partnership,
            status__in=[CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS],
            due_on__lte=horizon,
        )
        .select_related("party__organisation")
        .order_by("due_on", "pk")
    )
    benefits = Benefit.objects.filter(partnership=partnership)
    if since:
        benefits = benefits.filter(observed_on__gt=since)
    agenda.pleasures = list(benefits.select_related("party__organisation").order_by("observed_on"))
    return agenda


def _worsening(concerns, since) -> list:
    """Concerns whose latest check is higher than the last one before ``since``."""
    checks = ConcernCheck.objects.filter(concern__in=concerns).order_by("checked_on", "pk")
    series: dict[int, list[tuple[datetime.date, int]]] = {}
    for check in checks.values("concern_id", "checked_on", "intensity"):
        series.setdefault(check["concern_id"], []).append((check["checked_on"], check["intensity"]))
    worse = []
    for concern_id, points in series.items():
        before = [value for day, value in points if since is None or day <= since]
        baseline = before[-1] if before else points[0][1]
        if points[-1][1] > baseline:
            worse.append(concern_id)
    return list(concerns.filter(pk__in=worse).with_latest_intensity().order_by("pk"))


@dataclass(frozen=True)
class BlindStatus:
    party: Party
    submitted: bool
    level: int | None  # shown only when it is the organisation's own, or once revealed
    wished: int | None


def blind_status(review: Review, organisation: Organisation) -> list[BlindStatus]:
    """For each accepted party: whether it has rated for this review, and the value only when
    the organisation may see it (its own, or every value once the review is held)."""
    submitted = {
        entry.party_id: entry
        for entry in LevelAssessment.objects.filter(
            review=review, kind=AssessmentKind.PERCEIVED
        ).order_by("assessed_on", "pk")
    }
    rows = []
    for party in (
        Party.objects.filter(policy.joined(), partnership_id=review.partnership_id)
        .select_related("organisation")
        .order_by("organisation__name")
    ):
        entry = submitted.get(party.pk)
        shown = entry is not None and (
            party.organisation_id == organisation.pk or review.is_revealed
        )
        rows.append(
            BlindStatus(
                party=party,
                submitted=entry is not None,
                level=entry.level if shown else None,
                wished=entry.wished_level if shown else None,
            )
        )
    return rows


def visible_record(record: dict | None, own_slugs: set[str]) -> dict | None:
    """A closed review's record without the private concerns of organisations other than
    those whose slugs are ``own_slugs`` (the acting one, or all of the API caller's)."""
    if not record:
        return record
    visible = {
        **record,
        "checks": [
            check
            for check in record.get("checks", [])
            if policy.visible_in_record(check, own_slugs)
        ],
    }
    if "questionnaire" in record:
        visible["questionnaire"] = visible_questionnaire_record(record["questionnaire"], own_slugs)
    return visible


def visible_questionnaire_record(frozen: dict, own_slugs: set[str]) -> dict:
    """The questionnaire's frozen results without the questions about another organisation's
    private concerns (the threshold was applied when it was frozen)."""
    hidden = {q for q, slug in frozen.get("private", {}).items() if slug not in own_slugs}
    parties = {}
    for party_id, entry in frozen.get("parties", {}).items():
        parties[party_id] = {
            **entry,
            **{
                part: {q: v for q, v in entry[part].items() if q not in hidden}
                for part in ("counts", "texts")
                if part in entry
            },
        }
    return {"parties": parties, "private": {}}


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    agreed: int | None
    perceived: dict[int, int]  # party id → level recorded for this review
    gap: int | None


def review_table(partnership: Partnership, organisation: Organisation) -> list[ReviewRow]:
    """One row per held review: the agreed level and each party's perceived level recorded
    for it, and the spread between them (two queries, whatever the number of reviews)."""
    held = list(Review.objects.held().filter(partnership=partnership).order_by("held_on", "pk"))
    agreed: dict[int, int] = {}
    perceived: dict[int, dict[int, int]] = {}
    for entry in (
        LevelAssessment.objects.visible_to_organisation(organisation)
        .filter(partnership=partnership, review__in=held)
        .exclude(kind=AssessmentKind.TARGET)
        .order_by("assessed_on", "pk")
    ):
        if entry.kind == AssessmentKind.AGREED:
            agreed[entry.review_id] = entry.level
        else:
            perceived.setdefault(entry.review_id, {})[entry.party_id] = entry.level
    rows = []
    for review in held:
        levels = perceived.get(review.pk, {})
        gap = max(levels.values()) - min(levels.values()) if len(levels) > 1 else None
        rows.append(ReviewRow(review, agreed.get(review.pk), levels, gap))
    return rows


def accepted_parties(partnership: Partnership) -> list[Party]:
    return list(
        Party.objects.filter(policy.joined(), partnership=partnership)
        .select_related("organisation")
        .order_by("organisation__name")
    )
