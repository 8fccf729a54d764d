"""What is recorded about a partnership: levels, responsibilities, commitments, concerns and
their checks, pleasures, reviews."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partnerships.models import Commitment, Concern, ConcernCheck, LevelAssessment, Review
from tests.factories import (
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def url(partnership, path: str = "") -> str:
    return f"/api/v1/partnerships/{partnership.pk}/{path}"


def party_of(partnership, organisation):
    return partnership.parties.get(organisation=organisation)


# --- Levels ---------------------------------------------------------------------------------
def test_a_target_level_is_appended_to_the_log(api, editor, partnership):
    response = api(editor).post(url(partnership, "levels/"), {"kind": "target", "level": 4})
    assert response.status_code == 201
    assert (response.json()["level"], response.json()["author"]) == (4, "bob")
    assert api(editor).get(url(partnership)).json()["target_level"] == 4


def test_an_agreed_level_outside_a_review_is_proposed_not_recorded(api, editor, partnership):
    response = api(editor).post(url(partnership, "levels/"), {"kind": "agreed", "level": 4})
    assert response.status_code == 202
    assert response.json()["state"] == "pending"
    assert api(editor).get(url(partnership)).json()["agreed_level"] is None


def test_a_perceived_level_is_recorded_for_my_own_organisation(api, editor, partnership):
    response = api(editor).post(
        url(partnership, "levels/"), {"kind": "perceived", "level": 5, "party": "association-a"}
    )
    assert response.status_code == 201
    assert response.json()["party"] == "association-a"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "perceived", "level": 5, "party": "fondation-c"},
        {"kind": "perceived", "level": 5},
        {"kind": "agreed", "level": 5, "party": "association-a"},
        {"kind": "agreed", "level": 8},
        {"kind": "vague", "level": 3},
    ],
)
def test_levels_that_break_the_rules_are_refused(api, editor, partnership, body):
    response = api(editor).post(url(partnership, "levels/"), body)
    assert response.status_code == 400
    assert not LevelAssessment.objects.exists()


def test_a_level_cannot_point_at_another_partnerships_review(api, editor, partnership):
    elsewhere = ReviewFactory(partnership=PartnershipFactory())
    response = api(editor).post(
        url(partnership, "levels/"), {"kind": "agreed", "level": 4, "review": elsewhere.pk}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["review"]


def test_other_parties_blind_ratings_are_hidden_from_the_log(
    api, viewer, org_a, org_c, partnership
):
    review = ReviewFactory(partnership=partnership)
    mine = LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party_of(partnership, org_a), review=review
    )
    theirs = LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party_of(partnership, org_c), review=review
    )
    client = api(viewer)
    listed = [entry["id"] for entry in client.get(url(partnership, "levels/")).json()["results"]]
    assert listed == [mine.pk]
    assert client.get(url(partnership, f"levels/{theirs.pk}/")).status_code == 404


def test_the_level_log_has_no_update(api, editor, partnership):
    level = LevelAssessmentFactory(partnership=partnership)
    response = api(editor).patch(url(partnership, f"levels/{level.pk}/"), {"level": 2})
    assert response.status_code == 405


# --- Responsibilities, commitments, pleasures ----------------------------------------------
def test_responsibilities_are_listed_created_changed_and_deleted(api, editor, partnership):
    client = api(editor)
    created = client.post(
        url(partnership, "responsibilities/"),
        {"party": "fondation-c", "title": "Prêter les livres", "description": "Deux caisses"},
    )
    assert created.status_code == 201
    detail = url(partnership, f"responsibilities/{created.json()['id']}/")
    assert client.patch(detail, {"party": "association-a"}).json()["party"] == "association-a"
    assert client.get(url(partnership, "responsibilities/")).json()["count"] == 1
    assert client.delete(detail).status_code == 204
    assert client.get(detail).status_code == 404


def test_a_party_outside_the_partnership_is_refused_on_its_field(api, editor, org_b, partnership):
    response = api(editor).post(
        url(partnership, "commitments/"), {"party": "college-b", "title": "x"}
    )
    assert response.status_code == 400
    message = "«\u202fcollege-b\u202f» n'est pas partie prenante de ce partenariat."
    assert response.json() == {"party": [message]}


def test_a_commitment_done_gets_its_completion_date(api, editor, partnership):
    client = api(editor)
    created = client.post(
        url(partnership, "commitments/"),
        {"party": "association-a", "title": "Envoyer le calendrier", "due_on": "2025-09-01"},
    ).json()
    done = client.patch(
        url(partnership, f"commitments/{created['id']}/"), {"status": "done", "version": 1}
    )
    assert done.json()["completed_on"] == timezone.localdate().isoformat()


def test_commitments_filter_by_status_and_party(api, viewer, org_a, org_c, partnership):
    CommitmentFactory(party=party_of(partnership, org_a), status="done", completed_on="2025-1-1")
    CommitmentFactory(party=party_of(partnership, org_c))
    client = api(viewer)
    assert client.get(url(partnership, "commitments/"), {"status": "done"}).json()["count"] == 1
    response = client.get(url(partnership, "commitments/"), {"party": "fondation-c"})
    assert [c["party"] for c in response.json()["results"]] == ["fondation-c"]


def test_pleasures_are_recorded_with_their_author(api, editor, partnership):
    response = api(editor).post(
        url(partnership, "benefits/"),
        {"party": "association-a", "category": "learning", "description": "Méthodes partagées"},
    )
    assert response.status_code == 201
    assert response.json()["author"] == "bob"


# --- Concerns and checks -------------------------------------------------------------------
def test_a_concern_is_raised_and_re_rated(api, editor, partnership):
    client = api(editor)
    concern = client.post(
        url(partnership, "concerns/"),
        {
            "kind": "fear",
            "category": "investment",
            "description": "Trop de soirées prises",
            "raised_by": "association-a",
            "visibility": "shared",
        },
    ).json()
    checks = url(partnership, f"concerns/{concern['id']}/checks/")
    assert client.post(checks, {"intensity": 4}).status_code == 201
    assert client.post(checks, {"intensity": 6}).status_code == 400
    listed = client.get(url(partnership, "concerns/")).json()["results"]
    assert listed[0]["latest_intensity"] == 4
    assert ConcernCheck.objects.count() == 1


def test_a_category_must_belong_to_the_kind(api, editor, partnership):
    response = api(editor).post(
        url(partnership, "concerns/"),
        {
            "kind": "resistance",
            "category": "identity",
            "description": "x",
            "raised_by": "association-a",
        },
    )
    assert response.status_code == 400
    assert list(response.json()) == ["category"]


def test_private_concerns_of_other_organisations_never_appear(api, viewer, org_c, partnership):
    theirs = ConcernFactory(raised_by=party_of(partnership, org_c), visibility="private")
    ConcernCheckFactory(concern=theirs)
    client = api(viewer)
    assert client.get(url(partnership, "concerns/")).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    assert client.get(url(partnership, f"concerns/{theirs.pk}/")).status_code == 404
    assert client.get(url(partnership, f"concerns/{theirs.pk}/checks/")).status_code == 404


@pytest.mark.parametrize("visibility", ["private", "shared"])
def test_a_concern_cannot_be_raised_for_another_party(api, editor, partnership, visibility):
    response = api(editor).post(
        url(partnership, "concerns/"),
        {
            "kind": "fear",
            "category": "power",
            "description": "x",
            "raised_by": "fondation-c",
            "visibility": visibility,
        },
    )
    assert response.status_code == 400
    assert "raised_by" in response.json()
    assert not Concern.objects.exists()


def test_a_concern_is_raised_by_the_acting_organisation_when_left_out(
    api, editor, org_a, partnership
):
    response = api(editor).post(
        url(partnership, "concerns/"),
        {"kind": "fear", "category": "power", "description": "x"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["raised_by"] == org_a.slug
    assert Concern.objects.get().raised_by.organisation == org_a


def test_who_raised_a_concern_does_not_change(api, editor, org_a, partnership):
    concern = ConcernFactory(raised_by=party_of(partnership, org_a))
    response = api(editor).patch(
        url(partnership, f"concerns/{concern.pk}/"),
        {"raised_by": "fondation-c", "status": "easing", "version": 1},
    )
    assert (response.json()["raised_by"], response.json()["status"]) == ("association-a", "easing")


def test_concerns_are_not_deleted(api, editor, org_a, partnership):
    concern = ConcernFactory(raised_by=party_of(partnership, org_a))
    assert api(editor).delete(url(partnership, f"concerns/{concern.pk}/")).status_code == 405


# --- Reviews --------------------------------------------------------------------------------
def test_a_review_is_planned_with_attendees_from_the_parties(api, editor, partnership):
    response = api(editor).post(
        url(partnership, "reviews/"), {"scheduled_on": "2025-10-01", "attendees": ["bob"]}
    )
    assert response.status_code == 201
    assert (response.json()["attendees"], response.json()["created_by"]) == (["bob"], "bob")


def test_attendees_outside_the_parties_are_refused(api, editor, outsider, partnership):
    response = api(editor).post(
        url(partnership, "reviews/"), {"scheduled_on": "2025-10-01", "attendees": ["charlie"]}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["attendees"]
    assert not Review.objects.exists()


def test_a_review_is_held_then_closed_then_frozen(api, editor, partnership):
    review = ReviewFactory(partnership=partnership)
    detail = url(partnership, f"reviews/{review.pk}/")
    client = api(editor)
    assert client.post(detail + "close/").status_code == 409  # not held yet
    held = client.post(detail + "hold/")
    assert held.status_code == 200 and held.json()["status"] == "held"
    assert held.json()["version"] == 2  # holding is a change too
    client.patch(detail, {"minutes": "Tour de table", "version": 2})
    closed = client.post(detail + "close/")
    assert closed.status_code == 200
    assert closed.json()["closed_at"] is not None
    assert closed.json()["record"]["minutes"] == "Tour de table"
    response = client.patch(detail, {"minutes": "réécrit", "version": closed.json()["version"]})
    assert response.status_code == 409
    assert "figé" in response.json()["detail"]
    review.refresh_from_db()
    assert review.minutes == "Tour de table"


def test_status_and_dates_of_holding_are_not_set_through_patch(api, editor, partnership):
    review = ReviewFactory(partnership=partnership)
    api(editor).patch(url(partnership, f"reviews/{review.pk}/"), {"status": "closed", "version": 1})
    review.refresh_from_db()
    assert (review.status, review.closed_at) == ("planned", None)


def test_a_level_for_a_closed_review_is_refused_with_409(api, editor, partnership):
    review = ReviewFactory(
        partnership=partnership,
        status="closed",
        held_on="2025-06-01",
        closed_at="2025-06-01T18:00:00Z",
    )
    response = api(editor).post(
        url(partnership, "levels/"), {"kind": "agreed", "level": 4, "review": review.pk}
    )
    assert response.status_code == 409


def test_records_of_another_partnership_are_not_reachable_through_mine(
    api, editor, org_a, partnership
):
    other = PartnershipFactory()
    PartyFactory(partnership=other, organisation=org_a)
    commitment = CommitmentFactory(party=PartyFactory(partnership=other))
    response = api(editor).get(url(partnership, f"commitments/{commitment.pk}/"))
    assert response.status_code == 404
    response = api(editor).patch(
        url(partnership, f"commitments/{commitment.pk}/"), {"title": "x", "version": 1}
    )
    assert response.status_code == 404
    assert Commitment.objects.get().title == "Send the calendar"


def test_a_review_date_in_the_past_is_accepted(api, editor, partnership):
    past = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = api(editor).post(url(partnership, "reviews/"), {"scheduled_on": past})
    assert response.status_code == 201
