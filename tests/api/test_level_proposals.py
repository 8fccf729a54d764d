"""The level agreed together through the API: proposed outside a review (202), confirmed or
refused by the other parties taking part, recorded at once during a held review (201)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partnerships.models import LevelAssessment, LevelProposal
from partnerships.services.proposals import level_propose
from tests.factories import (
    LevelAssessmentFactory,
    LevelProposalFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(partnership, path: str = "") -> str:
    return f"/api/v1/partnerships/{partnership.pk}/{path}"


def propose(api, user, partnership, level=5):
    return api(user).post(url(partnership, "levels/"), {"kind": "agreed", "level": level})


def test_an_agreed_level_outside_a_review_answers_202_with_the_confirmations(
    api, editor, partnership
):
    response = propose(api, editor, partnership)
    assert response.status_code == 202
    body = response.json()
    proposal = LevelProposal.objects.get()
    assert (body["proposal"], body["state"], body["level"]) == (proposal.pk, "pending", 5)
    assert body["confirmations"] == [
        {
            "organisation": "fondation-c",
            "organisation_name": "Fondation C",
            "state": "pending",
            "answered_at": None,
            "by": None,
            "reason": "",
        }
    ]
    assert api(editor).get(url(partnership)).json()["agreed_level"] is None


def test_inside_a_held_review_the_agreed_level_is_recorded_at_once(api, editor, partnership):
    review = ReviewFactory(
        partnership=partnership,
        status="held",
        held_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    response = api(editor).post(
        url(partnership, "levels/"), {"kind": "agreed", "level": 4, "review": review.pk}
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "agreed"
    assert api(editor).get(url(partnership)).json()["agreed_level"] == 4


def test_a_review_not_held_yet_takes_no_agreed_level(api, editor, partnership):
    review = ReviewFactory(partnership=partnership)
    response = api(editor).post(
        url(partnership, "levels/"), {"kind": "agreed", "level": 4, "review": review.pk}
    )
    assert response.status_code == 409
    assert not LevelAssessment.objects.exists()


def test_the_partner_confirms_and_the_level_is_agreed(api, editor, carla, partnership):
    proposal = propose(api, editor, partnership).json()["proposal"]
    response = api(carla).post(url(partnership, f"level-proposals/{proposal}/confirm/"))
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "agreed"
    assert (body["confirmations"][0]["state"], body["confirmations"][0]["by"]) == (
        "confirmed",
        "carla",
    )
    assert body["agreed_entry"] == LevelAssessment.objects.get(kind="agreed").pk
    assert api(editor).get(url(partnership)).json()["agreed_level"] == 5


def test_the_partner_refuses_with_a_reason_and_the_level_stays(api, editor, carla, partnership):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=3)
    proposal = propose(api, editor, partnership).json()["proposal"]
    refuse = url(partnership, f"level-proposals/{proposal}/refuse/")
    response = api(carla).post(refuse, {"reason": "Trop tôt"})
    assert response.status_code == 200
    assert response.json()["state"] == "refused"
    assert response.json()["confirmations"][0]["reason"] == "Trop tôt"
    assert api(editor).get(url(partnership)).json()["agreed_level"] == 3
    assert api(carla).post(refuse, {}).status_code == 409  # answered, and decided


def test_the_proposer_does_not_confirm_its_own(api, editor, owner, partnership):
    proposal = propose(api, editor, partnership).json()["proposal"]
    confirm = url(partnership, f"level-proposals/{proposal}/confirm/")
    assert api(owner).post(confirm).status_code == 409


def test_a_refusal_needs_no_reason(api, editor, carla, partnership):
    proposal = propose(api, editor, partnership).json()["proposal"]
    response = api(carla).post(url(partnership, f"level-proposals/{proposal}/refuse/"))
    assert response.status_code == 200
    assert response.json()["state"] == "refused"


def test_outsiders_get_404_and_a_party_that_left_403(api, editor, carla, outsider, partnership):
    proposal = propose(api, editor, partnership).json()["proposal"]
    confirm = url(partnership, f"level-proposals/{proposal}/confirm/")
    assert api(outsider).post(confirm).status_code == 404
    assert api(outsider).get(url(partnership, "level-proposals/")).status_code == 404
    party_c = partnership.parties.get(organisation__slug="fondation-c")
    party_c.left_on = timezone.localdate()
    party_c.save()
    # Nobody else was left to confirm: the proposal was agreed when C left.
    assert LevelProposal.objects.get().state == "agreed"
    assert api(carla).post(confirm).status_code == 403


def test_the_list_is_paged_latest_first(api, editor, carla, partnership):
    propose(api, editor, partnership, level=4)
    propose(api, editor, partnership, level=5)
    body = api(carla).get(url(partnership, "level-proposals/")).json()
    assert body["count"] == 2
    assert [(row["level"], row["state"]) for row in body["results"]] == [
        (5, "pending"),
        (4, "superseded"),
    ]


def test_the_list_costs_the_same_queries_however_many_proposals(
    api, editor, org_a, partnership, django_assert_max_num_queries
):
    """Queries: the token-less forced user costs none; the partnership for this user (1),
    the count (1), the page of proposals with proposer and author (1), their answers with
    party, organisation and who answered (1)."""
    lead = partnership.parties.get(organisation=org_a)
    others = []
    for index in range(3):
        organisation = OrganisationFactory(name=f"Partenaire {index}")
        others.append(PartyFactory(partnership=partnership, organisation=organisation))
        user = UserFactory()
        MembershipFactory(user=user, organisation=organisation, role="editor")

    def grow(count):
        for _ in range(count):
            LevelProposalFactory(proposed_by=lead, state="refused", asking=others)

    grow(1)
    with django_assert_max_num_queries(4):
        assert api(editor).get(url(partnership, "level-proposals/")).status_code == 200
    grow(10)
    level_propose(actor=editor, organisation=org_a, partnership=partnership, level=6)
    with django_assert_max_num_queries(4):
        response = api(editor).get(url(partnership, "level-proposals/"))
    assert response.json()["count"] == 12


def test_a_rating_changes_until_the_review_is_held_never_after(api, editor, partnership):
    review = ReviewFactory(partnership=partnership, scheduled_on=timezone.localdate())
    levels = url(partnership, "levels/")
    body = {"kind": "perceived", "party": "association-a", "review": review.pk}
    assert api(editor).post(levels, {**body, "level": 3}).status_code == 201
    assert api(editor).post(levels, {**body, "level": 4, "wished_level": 5}).status_code == 201
    latest = LevelAssessment.objects.filter(review=review).latest()
    assert (latest.level, latest.wished_level) == (4, 5)
    hold = url(partnership, f"reviews/{review.pk}/hold/")
    assert api(editor).post(hold).status_code == 200
    assert api(editor).post(levels, {**body, "level": 6}).status_code == 409
    assert LevelAssessment.objects.filter(review=review).count() == 2
