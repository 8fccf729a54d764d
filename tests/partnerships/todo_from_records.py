"""The to-do worked out the slow way, straight from the records, for the tests only.

This is how the to-do was read before it was kept in the read model: one query a kind over the
records of the partnerships the organisation takes part in. The tests compare it with the
stored to-do (``partnerships.reads.todo``) after random sequences of writes and on several
days: two independent ways to the same items.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from core.dates import add_months
from partnerships import policy
from partnerships.choices import (
    AgreementState,
    AssessmentKind,
    ConcernStatus,
    Invitation,
    PartnershipStatus,
    ProposalAnswer,
    ProposalState,
    ReviewCadence,
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
)
from partnerships.reads.todo import TodoItem  # the items are the same; their reading differs

# Items shown of each kind: the to-do is a list of next steps, not a report.
PER_KIND = 20
# A fear or resistance still open is re-rated at each review: one not rated over two review
# cycles (the partnership's cadence, twice) is due for a new rating.
CYCLES_WITHOUT_RATING = 2


@dataclass
class TodoContext:
    """Who acts, for which organisation, on which day; what the policy lets them do."""

    actor: policy.Actor
    today: datetime.date
    per_kind: int = PER_KIND
    may: policy.Permissions = field(init=False)

    def __post_init__(self) -> None:
        self.may = policy.permissions_for(self.actor)

    @property
    def organisation(self):
        return self.actor.organisation

    @cached_property
    def viewer(self) -> policy.Viewer:
        return policy.Viewer.of_organisation(self.organisation)

    def taking_part(self, field: str = "pk") -> Q:
        return policy.partnerships_taking_part(self.organisation, field)

    def url(self, name: str, **kwargs) -> str:
        return reverse(
            f"partnerships:{name}", kwargs={"org_slug": self.organisation.slug, **kwargs}
        )


Source = Callable[[TodoContext], list[TodoItem]]


def _day(day: datetime.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def invitations_to_answer(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.answer_invitations:
        return []
    invitations = (
        Party.objects.filter(organisation=ctx.organisation, invitation=Invitation.INVITED)
        .select_related("partnership")
        .order_by("-invited_at", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.ANSWER_INVITATION,
            _("Answer the invitation to “%(title)s”.") % {"title": party.partnership.title},
            ctx.url("invitations"),
            _("Answer"),
        )
        for party in invitations
    ]


def agreements_to_approve(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.decide_for_organisation:
        return []
    decided = AgreementApproval.objects.filter(
        agreement=OuterRef("pk"), organisation=ctx.organisation, round=OuterRef("submission_round")
    )
    versions = (
        Agreement.objects.filter(ctx.taking_part("partnership"), state=AgreementState.PENDING)
        .exclude(Exists(decided))
        .select_related("partnership")
        .order_by("submitted_at", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.APPROVE_AGREEMENT,
            _("Approve or refuse version %(version)s of the agreement of “%(title)s”.")
            % {"version": version.version, "title": version.partnership.title},
            ctx.url("tab-agreement", partnership_id=version.partnership_id),
            _("Decide"),
        )
        for version in versions
    ]


def level_proposals_to_answer(ctx: TodoContext) -> list[TodoItem]:
    """Agreed levels another party proposed, waiting for this organisation's answer."""
    if not ctx.may.write_for_organisation:
        return []
    answers = (
        LevelProposalAnswer.objects.filter(
            ctx.taking_part("proposal__partnership"),
            party__organisation=ctx.organisation,
            state=ProposalAnswer.PENDING,
            proposal__state=ProposalState.PENDING,
        )
        .select_related("proposal__partnership", "proposal__proposed_by__organisation")
        .order_by("proposal__created_at", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.ANSWER_LEVEL_PROPOSAL,
            _("%(organisation)s proposes “%(level)s” as the agreed level of “%(title)s”.")
            % {
                "organisation": answer.proposal.proposed_by.organisation.name,
                "level": answer.proposal.get_level_display(),
                "title": answer.proposal.partnership.title,
            },
            ctx.url("workspace", partnership_id=answer.proposal.partnership_id),
            _("Confirm or refuse"),
        )
        for answer in answers
    ]


def ratings_to_give(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.write_for_organisation:
        return []
    rated = LevelAssessment.objects.filter(
        review=OuterRef("pk"),
        kind=AssessmentKind.PERCEIVED,
        party__organisation=ctx.organisation,
    )
    reviews = (
        Review.objects.filter(
            ctx.taking_part("partnership"), status=ReviewStatus.PLANNED, closed_at__isnull=True
        )
        .exclude(Exists(rated))
        .select_related("partnership")
        .order_by("scheduled_on", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.GIVE_RATING,
            _("Give your organisation's rating for the review of “%(title)s” on %(date)s.")
            % {"title": review.partnership.title, "date": _day(review.scheduled_on)},
            ctx.url("review", partnership_id=review.partnership_id, review_id=review.pk),
            _("Rate"),
        )
        for review in reviews
    ]


def reviews_to_plan(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.write_for_organisation:
        return []
    planned = Review.objects.filter(partnership=OuterRef("pk"), status=ReviewStatus.PLANNED)
    partnerships = (
        Partnership.objects.filter(
            ctx.taking_part(),
            status__in=[PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED],
            next_review_on__lt=ctx.today,
        )
        .exclude(Exists(planned))
        .order_by("next_review_on", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.PLAN_REVIEW,
            _("Plan the review of “%(title)s”: it was due on %(date)s.")
            % {"title": partnership.title, "date": _day(partnership.next_review_on)},
            ctx.url("review-add", partnership_id=partnership.pk),
            _("Plan"),
        )
        for partnership in partnerships
    ]


def reviews_to_close(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.write_for_organisation:
        return []
    reviews = (
        Review.objects.filter(
            ctx.taking_part("partnership"), status=ReviewStatus.HELD, closed_at__isnull=True
        )
        .select_related("partnership")
        .order_by("held_on", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.CLOSE_REVIEW,
            _("Close the review of “%(title)s” held on %(date)s.")
            % {"title": review.partnership.title, "date": _day(review.held_on)},
            ctx.url("review", partnership_id=review.partnership_id, review_id=review.pk),
            _("Close"),
        )
        for review in reviews
    ]


def overdue_commitments(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.write_for_organisation:
        return []
    commitments = (
        Commitment.objects.overdue(ctx.today)
        .filter(ctx.taking_part("partnership"), party__organisation=ctx.organisation)
        .select_related("partnership")
        .order_by("due_on", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.OVERDUE_COMMITMENT,
            _("“%(commitment)s” (%(title)s) was due on %(date)s.")
            % {
                "commitment": commitment.title,
                "title": commitment.partnership.title,
                "date": _day(commitment.due_on),
            },
            ctx.url("tab-commitments", partnership_id=commitment.partnership_id)
            + f"#commitment-{commitment.pk}",
            _("Update"),
        )
        for commitment in commitments
    ]


def _not_rated_since_two_cycles(today: datetime.date) -> Q:
    """Concerns (read-model rows) whose latest rating, or creation when never rated, is older
    than two review cycles of their partnership: one condition per cadence, so the database
    decides."""
    condition = Q(pk__in=[])
    for cadence in ReviewCadence.values:
        cutoff = add_months(today, -CYCLES_WITHOUT_RATING * cadence)
        condition |= Q(partnership__review_cadence=cadence, rated_on__lt=cutoff)
    return condition


def concerns_to_rerate(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.write_for_organisation:
        return []
    # Read from each concern's state (latest rating, ``rated_on``): no check is looked for.
    states = (
        ConcernState.objects.filter(ctx.taking_part("partnership"))
        .filter(policy.visible_concerns(ctx.viewer, "concern__"))
        .exclude(concern__status=ConcernStatus.RESOLVED)
        .filter(_not_rated_since_two_cycles(ctx.today))
        .select_related("concern", "partnership")
        # The longest without a rating first (never rated: since it was raised).
        .order_by("rated_on", "concern_id")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.RERATE_CONCERN,
            (
                _("Re-rate “%(concern)s” (%(title)s): not rated since %(date)s.")
                if state.latest_checked_on
                else _("Rate “%(concern)s” (%(title)s): never rated yet.")
            )
            % {
                "concern": state.concern.category_label,
                "title": state.partnership.title,
                "date": _day(state.latest_checked_on),
            },
            ctx.url("tab-concerns", partnership_id=state.partnership_id)
            + f"#concern-{state.concern_id}",
            _("Re-rate"),
        )
        for state in states
    ]


def leads_to_name(ctx: TodoContext) -> list[TodoItem]:
    if not ctx.may.decide_for_organisation:
        return []
    partnerships = (
        Partnership.objects.filter(ctx.taking_part())
        .filter(policy.without_lead())
        .order_by("title", "pk")[: ctx.per_kind]
    )
    return [
        TodoItem(
            TodoKind.NAME_LEAD,
            _("The lead organisation left “%(title)s”: name a new lead.")
            % {"title": partnership.title},
            ctx.url("name-lead", partnership_id=partnership.pk),
            _("Name the lead"),
        )
        for partnership in partnerships
    ]


SOURCES: list[Source] = [
    invitations_to_answer,
    agreements_to_approve,
    level_proposals_to_answer,
    leads_to_name,
    ratings_to_give,
    reviews_to_close,
    reviews_to_plan,
    overdue_commitments,
    concerns_to_rerate,
]


def todo_items(
    actor: policy.Actor, today: datetime.date | None = None, per_kind: int = PER_KIND
) -> list[TodoItem]:
    """Everything ``actor`` should do now for their organisation, kind by kind (at most
    ``per_kind`` of each); nothing for an outsider or an inactive organisation."""
    if not actor.is_member:
        return []
    ctx = TodoContext(actor, today or timezone.localdate(), per_kind)
    return [item for source in SOURCES for item in source(ctx)]
