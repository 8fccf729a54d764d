"""A small world whose numbers are worked out by hand in the tests.

Period: 1 January to 30 June 2025, "today" being 30 June 2025.

- P1 "Lecture au collège": A (lead) and C, external, started 2024-09-01; agreed 3 then 5
  (2025-03-15). A perceives 5, C perceives 2 (gap 3); A's blind 7 for a review not held yet,
  C's 5 recorded after the period: neither counts.
- P2 "Jardin partagé": A and its unit D (Antenne Nord), internal, started 2025-02-10; agreed 4
  on 2025-04-20; both perceive 4.
- P3 "Festival": C and E (a company), not A's, started 2024-01-01, ended 2025-04-30; agreed 2;
  C perceives 2, E perceives 3.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import (
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
)

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 6, 30)
TODAY = END
RAISED = D(2025, 1, 5)  # when the concerns were raised, unless said otherwise


@dataclass
class World:
    p1: object
    p2: object
    p3: object
    parties: dict
    private_fear: object
    blind_review: object


@pytest.fixture
def org_d(org_a):
    return OrganisationFactory(name="Antenne Nord", slug="antenne-nord", parent=org_a)


@pytest.fixture
def org_e(db):
    return OrganisationFactory(name="Entreprise E", slug="entreprise-e", kind="company")


def agreed(partnership, level, on):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=level, assessed_on=on)


def perceived(party, level, on, review=None):
    LevelAssessmentFactory(
        partnership=party.partnership,
        kind="perceived",
        level=level,
        party=party,
        assessed_on=on,
        review=review,
    )


def concern(party, kind, category, checks=(), visibility="shared", raised=RAISED):
    found = ConcernFactory(raised_by=party, kind=kind, category=category, visibility=visibility)
    if raised is not None:
        raised_at = datetime.datetime.combine(
            raised, datetime.time(12), timezone.get_current_timezone()
        )
        found.created_at = raised_at  # kept on a save that is not the first
        found.save(update_fields=["created_at"])
    for on, intensity in checks:
        ConcernCheckFactory(concern=found, checked_on=on, intensity=intensity)
    return found


def review(partnership, scheduled, held=None):
    return ReviewFactory(
        partnership=partnership,
        scheduled_on=scheduled,
        held_on=held,
        status="held" if held else "planned",
    )


def commitment(party, due, status="planned"):
    completed = due - datetime.timedelta(days=2) if status == "done" else None
    return CommitmentFactory(party=party, due_on=due, status=status, completed_on=completed)


@pytest.fixture
def world(partnership, org_a, org_c, org_d, org_e) -> World:
    p1 = partnership
    p1.starts_on = D(2024, 9, 1)
    p1.save()
    p2 = PartnershipFactory(title="Jardin partagé", starts_on=D(2025, 2, 10))
    p3 = PartnershipFactory(title="Festival", starts_on=D(2024, 1, 1), ends_on=D(2025, 4, 30))
    a1, c1 = p1.parties.get(organisation=org_a), p1.parties.get(organisation=org_c)
    a2, d2 = (
        PartyFactory(partnership=p2, organisation=org_a),
        PartyFactory(partnership=p2, organisation=org_d),
    )
    c3, e3 = (
        PartyFactory(partnership=p3, organisation=org_c),
        PartyFactory(partnership=p3, organisation=org_e),
    )

    agreed(p1, 3, D(2024, 10, 1))
    agreed(p1, 5, D(2025, 3, 15))
    agreed(p2, 4, D(2025, 4, 20))
    agreed(p3, 2, D(2024, 2, 1))
    perceived(a1, 5, D(2025, 3, 15))
    perceived(c1, 2, D(2025, 3, 20))
    perceived(c1, 5, D(2025, 7, 5))  # after the period
    perceived(a2, 4, D(2025, 4, 20))
    perceived(d2, 4, D(2025, 4, 21))
    perceived(c3, 2, D(2024, 3, 1))
    perceived(e3, 3, D(2024, 3, 1))

    concern(a1, "fear", "identity", [(D(2025, 2, 1), 4), (D(2025, 5, 1), 2)])
    private_fear = concern(c1, "fear", "power", [(D(2025, 3, 1), 5)], visibility="private")
    concern(c1, "resistance", "tradition", [(D(2025, 4, 10), 3), (D(2025, 7, 10), 1)])
    concern(d2, "fear", "identity")
    concern(e3, "fear", "investment", [(D(2025, 1, 15), 1)])
    concern(a1, "fear", "ethics", raised=None)  # raised today, long after the period

    commitment(a1, D(2025, 2, 1), "done")
    commitment(a1, D(2025, 5, 1))  # overdue
    commitment(a1, D(2025, 6, 20), "dropped")
    commitment(c1, D(2025, 3, 1), "done")
    commitment(c1, D(2025, 8, 1))  # due after the period
    commitment(d2, D(2025, 6, 30), "in_progress")  # due today: still to do
    commitment(e3, D(2025, 3, 10), "done")

    review(p1, D(2024, 12, 1), D(2024, 12, 1))  # before the period
    review(p1, D(2025, 1, 15), D(2025, 1, 20))  # on time
    review(p1, D(2025, 3, 15), D(2025, 3, 25))  # late
    blind_review = review(p1, D(2025, 6, 1))  # missing
    review(p2, D(2025, 4, 1), D(2025, 4, 8))  # on time, on the last day of the tolerance
    review(p2, D(2025, 6, 25))  # not yet due
    review(p3, D(2025, 2, 1), D(2025, 2, 1))  # on time
    perceived(a1, 7, D(2025, 6, 1), review=blind_review)  # blind until the review is held

    BenefitFactory(party=a1, category="learning", observed_on=D(2025, 2, 10))
    BenefitFactory(party=c1, category="novelty", observed_on=D(2025, 5, 5))
    BenefitFactory(party=a1, category="learning", observed_on=D(2025, 5, 20))
    BenefitFactory(party=e3, category="collective", observed_on=D(2025, 3, 3))
    BenefitFactory(party=a1, category="learning", observed_on=D(2024, 12, 31))  # before

    return World(
        p1=p1,
        p2=p2,
        p3=p3,
        parties={"a1": a1, "c1": c1, "a2": a2, "d2": d2, "c3": c3, "e3": e3},
        private_fear=private_fear,
        blind_review=blind_review,
    )
