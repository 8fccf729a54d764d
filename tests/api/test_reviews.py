"""Issue 4's API: blind ratings through the levels route, hold reveals, the detail's gaps."""

from __future__ import annotations

import pytest

from tests.factories import MembershipFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(org_c):
    user = UserFactory(username="carla")
    MembershipFactory(user=user, organisation=org_c, role="editor")
    return user


def test_blind_ratings_stay_hidden_from_the_other_party_until_held(
    api, editor, partner, partnership
):
    review = ReviewFactory(partnership=partnership)
    base = f"/api/v1/partnerships/{partnership.pk}/"
    mine = api(editor).post(
        base + "levels/",
        {
            "kind": "perceived",
            "level": 2,
            "party": "association-a",
            "review": review.pk,
        },
    )
    assert mine.status_code == 201
    theirs = api(partner).post(
        base + "levels/",
        {
            "kind": "perceived",
            "level": 6,
            "party": "fondation-c",
            "review": review.pk,
        },
    )
    assert theirs.status_code == 201

    seen_by_a = api(editor).get(base).json()
    assert seen_by_a["perceived_levels"] == {"association-a": 2}
    assert seen_by_a["perception_gap"] is None
    levels_seen_by_a = api(editor).get(base + "levels/").json()["results"]
    assert {entry["level"] for entry in levels_seen_by_a} == {2}
    assert 6 not in [
        e["level"] for e in api(editor).get(base + "levels/?kind=perceived").json()["results"]
    ]

    assert api(editor).post(base + f"reviews/{review.pk}/hold/").status_code == 200
    for user in (editor, partner):
        body = api(user).get(base).json()
        assert body["perceived_levels"] == {"association-a": 2, "fondation-c": 6}
        assert body["perception_gap"] == 4


def test_nobody_rates_for_another_organisation(api, editor, partnership):
    review = ReviewFactory(partnership=partnership)
    response = api(editor).post(
        f"/api/v1/partnerships/{partnership.pk}/levels/",
        {
            "kind": "perceived",
            "level": 3,
            "party": "fondation-c",
            "review": review.pk,
        },
    )
    assert response.status_code in (400, 403)
