"""The data of one matrix cell: a partnership, the acting organisation in one party state, one
person with one role in it, and the objects the route needs, in the state the cell asks for.

Built afresh for every cell (the test's transaction rolls it back), so no write leaks into the
next cell. Only models and factories are used: nothing of the application's policy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from partnerships.models import CustomQuestion, PartnerInvitation, Questionnaire
from tests.factories import (
    AgreementFactory,
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    LevelProposalFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ResponsibilityFactory,
    ReviewFactory,
    UserFactory,
)

ROLES = ("viewer", "editor", "admin")
STATES = ("accepted", "invited", "declined", "left")
ACTING_SLUG = "acting-org"
OTHER_SLUG = "other-org"
GONE_SLUG = "gone-org"
NEWCOMER_SLUG = "newcomer-org"


@dataclass(frozen=True)
class Who:
    """The acting person: their role, their organisation's party state (None: no party at
    all, an outsider) and whether the organisation is active."""

    role: str
    state: str | None
    active: bool = True

    @property
    def label(self) -> str:
        return f"{self.role}/{self.state or 'outsider'}/{'active' if self.active else 'inactive'}"


ACTORS = [
    Who(role, state, active) for active in (True, False) for state in STATES for role in ROLES
]
OUTSIDER = Who("admin", None, True)
ALL_ACTORS = [*ACTORS, OUTSIDER]


def party_fields(state: str) -> dict:
    today = timezone.localdate()
    if state == "accepted":
        return {"invitation": "accepted", "joined_on": today - datetime.timedelta(days=60)}
    if state == "left":
        return {
            "invitation": "accepted",
            "joined_on": today - datetime.timedelta(days=60),
            "left_on": today - datetime.timedelta(days=1),
        }
    return {"invitation": state, "joined_on": None}


def _review(partnership, status: str):
    today = timezone.localdate()
    if status == "planned":
        return ReviewFactory(partnership=partnership, scheduled_on=today)
    fields = {"status": status, "held_on": today - datetime.timedelta(days=7)}
    if status == "closed":
        fields["closed_at"] = timezone.now() - datetime.timedelta(days=6)
    return ReviewFactory(
        partnership=partnership, scheduled_on=today - datetime.timedelta(days=7), **fields
    )


def _agreement(partnership, state: str, *, signed: bool = True):
    if state == "draft":
        return AgreementFactory(partnership=partnership, version=1)
    if state == "pending":
        return AgreementFactory(
            partnership=partnership,
            version=1,
            state="pending",
            submission_round=1,
            submitted_at=timezone.now(),
        )
    # in force, with its signed scan (the download route reads it) unless ``signed`` is False
    scan = {"signed_scan": ContentFile(b"%PDF-1.4 signed", name="signed.pdf")} if signed else {}
    return AgreementFactory(
        partnership=partnership,
        version=1,
        state="in_force",
        submitted_at=timezone.now(),
        in_force_at=timezone.now(),
        **scan,
    )


def _deleted_records(w, needs: frozenset[str]) -> None:
    """Records deleted a minute ago by the acting organisation's party (or by the other party,
    or two days ago): what the undo routes need."""
    now = timezone.now()
    factories = {
        "responsibility": ResponsibilityFactory,
        "commitment": CommitmentFactory,
        "benefit": BenefitFactory,
    }
    for name, factory in factories.items():
        for suffix, by, ago in (
            ("deleted", w.own, datetime.timedelta(minutes=1)),
            ("deleted_by_other", w.other_party, datetime.timedelta(minutes=1)),
            ("deleted_long_ago", w.own, datetime.timedelta(days=2)),
        ):
            if f"{name}_{suffix}" in needs:
                w.obj[f"{name}_{suffix}"] = factory(
                    party=w.other_party,
                    deleted_at=now - ago,
                    deleted_by=w.user,
                    deleted_by_party=by,
                )


def build_world(who: Who, needs: frozenset[str] = frozenset(), *, acting_lead: bool = False):
    """The partnership seen by ``who``; ``needs`` names the objects to create (see below)."""
    acting = OrganisationFactory(name="Acting organisation", slug=ACTING_SLUG, active=who.active)
    other = OrganisationFactory(name="Other organisation", slug=OTHER_SLUG)
    user = UserFactory(username="actor")
    MembershipFactory(user=user, organisation=acting, role=who.role)
    partnership = PartnershipFactory(title="Matrix partnership", purpose="Read together")
    other_party = PartyFactory(
        partnership=partnership,
        organisation=other,
        role="partner" if acting_lead else "lead",
        **party_fields("accepted"),
    )
    own = None
    if who.state is not None:
        own = PartyFactory(
            partnership=partnership,
            organisation=acting,
            role="lead" if acting_lead else "partner",
            **party_fields(who.state),
        )
    w = SimpleNamespace(
        who=who,
        user=user,
        acting=acting,
        other=other,
        partnership=partnership,
        own=own,
        other_party=other_party,
        obj={},
    )
    obj = w.obj
    obj["partnership"] = partnership
    obj["own_or_other_party"] = own or other_party
    if "newcomer" in needs:
        obj["newcomer"] = OrganisationFactory(name="Newcomer", slug=NEWCOMER_SLUG)
    if "lead_gone" in needs:  # the lead left: the other party takes part as a partner
        other_party.role = "partner"
        other_party.save()
        gone_lead = OrganisationFactory(name="Gone lead", slug="gone-lead")
        obj["gone_lead_party"] = PartyFactory(
            partnership=partnership, organisation=gone_lead, role="lead", **party_fields("left")
        )
    if "gone" in needs:
        gone = OrganisationFactory(name="Gone organisation", slug=GONE_SLUG)
        obj["gone_party"] = PartyFactory(
            partnership=partnership, organisation=gone, **party_fields("left")
        )
    for status in ("planned", "held", "closed"):
        if f"review_{status}" in needs or (status == "closed" and "commitment_closed" in needs):
            obj[f"review_{status}"] = _review(partnership, status)
    if "questionnaire" in needs:  # open, on the planned review
        obj["questionnaire"] = Questionnaire.objects.create(
            review=obj["review_planned"], closes_on=timezone.localdate()
        )
    if "custom_question" in needs:
        obj["custom_question"] = CustomQuestion.objects.create(
            partnership=partnership, kind="text", text="Et vous ?"
        )
    if "responsibility" in needs:
        obj["responsibility"] = ResponsibilityFactory(party=other_party)
    if "commitment" in needs:
        obj["commitment"] = CommitmentFactory(party=other_party)
    if "commitment_closed" in needs:
        obj["commitment_closed"] = CommitmentFactory(
            party=other_party, review=obj["review_closed"], title="Agreed at the closed review"
        )
    if {"concern", "check"} & needs:
        obj["concern"] = ConcernFactory(raised_by=other_party, visibility="shared")
    if "check" in needs:
        obj["check"] = ConcernCheckFactory(concern=obj["concern"])
    if "benefit" in needs:
        obj["benefit"] = BenefitFactory(party=other_party)
    _deleted_records(w, needs)
    if "level" in needs:
        obj["level"] = LevelAssessmentFactory(partnership=partnership)
    # An agreed level proposed by the other party: pending (the acting party, when it takes
    # part, is asked to confirm it), or already refused (decided: nobody answers any more).
    asked = [own] if own is not None and who.state == "accepted" else []
    if "level_proposal" in needs:
        obj["level_proposal"] = LevelProposalFactory(proposed_by=other_party, asking=asked)
    if "level_proposal_refused" in needs:
        obj["level_proposal_refused"] = LevelProposalFactory(
            proposed_by=other_party, state="refused", decided_at=timezone.now()
        )
    for state in ("draft", "pending", "in_force"):
        if f"agreement_{state}" in needs:
            obj[f"agreement_{state}"] = _agreement(partnership, state)
    for state in ("pending", "withdrawn"):
        if f"partner_invitation_{state}" in needs:
            obj[f"partner_invitation_{state}"] = PartnerInvitation.objects.create(
                partnership=partnership,
                organisation_name=f"Invited by e-mail ({state})",
                email=f"{state}@example.org",
                state=state,
                expires_at=timezone.now() + datetime.timedelta(days=30),
            )
    if "agreement_unsigned" in needs:
        obj["agreement_unsigned"] = _agreement(partnership, "in_force", signed=False)
    return w
