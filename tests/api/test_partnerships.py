"""/api/v1/partnerships/: list, filters, detail with levels and signals, create, update, delete."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partnerships.models import Partnership, Party
from tests.factories import (
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARTNERSHIPS = "/api/v1/partnerships/"


def detail_url(partnership: Partnership) -> str:
    return f"{PARTNERSHIPS}{partnership.pk}/"


def titles(response) -> list[str]:
    return [entry["title"] for entry in response.json()["results"]]


def perceived(partnership: Partnership, organisation, level: int, **fields):
    party = Party.objects.get(partnership=partnership, organisation=organisation)
    return LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party, level=level, **fields
    )


# --- List -----------------------------------------------------------------------------------
def test_members_list_the_partnerships_of_their_organisations(api, viewer, outsider, partnership):
    assert titles(api(viewer).get(PARTNERSHIPS)) == ["Lecture au collège"]
    assert titles(api(outsider).get(PARTNERSHIPS)) == []


def test_a_pending_invitation_does_not_show_the_partnership(api, outsider, org_b, partnership):
    PartyFactory(partnership=partnership, organisation=org_b, invitation="invited")
    assert titles(api(outsider).get(PARTNERSHIPS)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "paused"}, ["Jardin partagé"]),
        ({"agreed_level": "6"}, ["Jardin partagé"]),
        ({"scope": "external"}, ["Lecture au collège"]),
        ({"organisation": "fondation-c"}, ["Lecture au collège"]),
        ({"search": "jardin"}, ["Jardin partagé"]),
        ({"ordering": "-title"}, ["Lecture au collège", "Jardin partagé"]),
    ],
)
def test_the_list_filters_and_orders(api, viewer, org_a, partnership, query, expected):
    garden = PartnershipFactory(title="Jardin partagé", status="paused")
    PartyFactory(partnership=garden, organisation=org_a, role="lead")
    LevelAssessmentFactory(partnership=garden, kind="agreed", level=6)
    assert titles(api(viewer).get(PARTNERSHIPS, query)) == expected


def test_a_filter_value_outside_its_choices_is_refused(api, viewer):
    response = api(viewer).get(PARTNERSHIPS, {"agreed_level": "9"})
    assert response.status_code == 400
    assert list(response.json()) == ["agreed_level"]


def test_the_list_is_paginated(api, viewer, org_a):
    for number in range(3):
        PartyFactory(organisation=org_a, partnership=PartnershipFactory(title=f"P{number}"))
    response = api(viewer).get(PARTNERSHIPS, {"page_size": 2, "page": 2})
    assert (response.json()["count"], titles(response)) == (3, ["P2"])


def test_the_list_query_count_does_not_grow_with_the_page(
    api, viewer, org_a, org_c, django_assert_num_queries
):
    for _ in range(6):
        partnership = PartnershipFactory()
        PartyFactory(partnership=partnership, organisation=org_a)
        PartyFactory(partnership=partnership, organisation=org_c)
    client = api(viewer)
    for page_size in (1, 6):
        # the user's organisations (one only: its row of the read model holds what they see),
        # count, the page with levels and gaps, its parties with their organisations
        with django_assert_num_queries(4):
            response = client.get(PARTNERSHIPS, {"page_size": page_size})
        assert len(response.json()["results"]) == page_size


# --- Detail ---------------------------------------------------------------------------------
def test_the_detail_names_parties_by_slug_with_their_invitation(api, viewer, org_b, partnership):
    PartyFactory(partnership=partnership, organisation=org_b, invitation="invited")
    parties = api(viewer).get(detail_url(partnership)).json()["parties"]
    assert [(p["organisation"], p["role"], p["invitation"]) for p in parties] == [
        ("association-a", "lead", "accepted"),
        ("college-b", "partner", "invited"),
        ("fondation-c", "partner", "accepted"),
    ]


def test_the_detail_shows_levels_gaps_and_signals(api, viewer, org_a, org_c, partnership):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=3)
    LevelAssessmentFactory(partnership=partnership, kind="target", level=5)
    perceived(partnership, org_a, 5)
    perceived(partnership, org_c, 2)
    body = api(viewer).get(detail_url(partnership)).json()
    assert (body["agreed_level"], body["target_level"]) == (3, 5)
    assert (body["perception_gap"], body["agreement_gap"]) == (3, 2)
    assert body["perceived_levels"] == {"association-a": 5, "fondation-c": 2}
    # Neither party has a responsibility yet, and the target is two levels above the agreed one.
    assert [signal["code"] for signal in body["signals"]] == [
        "perception_gap",
        "agreement_gap",
        "idle_party",
        "target_far",
    ]


def test_gaps_are_null_until_they_are_defined(api, viewer, partnership):
    body = api(viewer).get(detail_url(partnership)).json()
    assert (body["perception_gap"], body["agreement_gap"], body["agreed_level"]) == (
        None,
        None,
        None,
    )


def test_blind_ratings_of_other_parties_stay_hidden_until_the_review_is_held(
    api, viewer, org_a, org_c, partnership
):
    review = ReviewFactory(partnership=partnership)
    perceived(partnership, org_a, 4, review=review)
    perceived(partnership, org_c, 6, review=review)
    body = api(viewer).get(detail_url(partnership)).json()
    assert body["perceived_levels"] == {"association-a": 4}
    assert body["perception_gap"] is None  # computed from what everyone may see
    review.status, review.held_on = "held", timezone.localdate()
    review.save()
    body = api(viewer).get(detail_url(partnership)).json()
    assert body["perceived_levels"] == {"association-a": 4, "fondation-c": 6}
    assert body["perception_gap"] == 2


def test_an_overdue_review_and_an_agreed_fusion_are_signalled(api, viewer, partnership):
    partnership.next_review_on = timezone.localdate() - datetime.timedelta(days=3)
    partnership.save()
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=7)
    signals = api(viewer).get(detail_url(partnership)).json()["signals"]
    assert [signal["code"] for signal in signals] == ["fusion", "idle_party", "review_overdue"]
    assert all(signal["message"] for signal in signals)


# --- Create ---------------------------------------------------------------------------------
def test_creating_makes_my_organisation_the_accepted_lead_and_invites_partners(
    api, editor, org_a, org_b
):
    response = api(editor).post(
        PARTNERSHIPS,
        {
            "title": "Forum des métiers",
            "purpose": "Faire découvrir les métiers",
            "organisation": "association-a",
            "partners": [{"organisation": "college-b", "role": "funder"}],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["version"], body["status"]) == ("Forum des métiers", 1, "proposed")
    assert [(p["organisation"], p["role"], p["invitation"]) for p in body["parties"]] == [
        ("association-a", "lead", "accepted"),
        ("college-b", "funder", "invited"),
    ]


def test_the_acting_organisation_defaults_to_the_first_i_write_for(api, editor, org_a):
    response = api(editor).post(PARTNERSHIPS, {"title": "Sans organisation précisée"})
    assert response.json()["parties"][0]["organisation"] == "association-a"


def test_readers_cannot_create(api, viewer, org_a):
    assert api(viewer).post(PARTNERSHIPS, {"title": "x"}).status_code == 403
    response = api(viewer).post(PARTNERSHIPS, {"title": "x", "organisation": "association-a"})
    assert response.status_code == 403
    assert not Partnership.objects.exists()


def test_creating_for_an_organisation_i_do_not_belong_to_is_refused(api, editor, org_b):
    response = api(editor).post(PARTNERSHIPS, {"title": "x", "organisation": "college-b"})
    assert response.status_code == 400
    assert list(response.json()) == ["organisation"]


@pytest.mark.parametrize(
    "partners",
    [
        [{"organisation": "nowhere"}],
        [{"organisation": "college-b"}, {"organisation": "college-b"}],
        [{"organisation": "association-a"}],
        [{"organisation": "college-b", "role": "boss"}],
    ],
)
def test_bad_partners_are_refused_and_nothing_is_stored(api, editor, org_a, org_b, partners):
    response = api(editor).post(PARTNERSHIPS, {"title": "x", "partners": partners})
    assert response.status_code == 400
    assert list(response.json()) == ["partners"]
    assert not Partnership.objects.exists()


def test_an_inactive_organisation_cannot_be_invited(api, editor, org_a):
    OrganisationFactory(slug="dormante", active=False)
    response = api(editor).post(
        PARTNERSHIPS, {"title": "x", "partners": [{"organisation": "dormante"}]}
    )
    assert response.status_code == 400


# --- Update ---------------------------------------------------------------------------------
def test_an_update_needs_the_version_that_was_read(api, editor, partnership):
    response = api(editor).patch(detail_url(partnership), {"title": "Nouveau titre"})
    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    response = api(editor).patch(detail_url(partnership), {"title": "Nouveau titre", "version": 1})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["version"]) == ("Nouveau titre", 2)


def test_a_stale_version_gets_409_and_changes_nothing(api, editor, partnership):
    client = api(editor)
    client.patch(detail_url(partnership), {"purpose": "Premier", "version": 1})
    response = client.patch(detail_url(partnership), {"purpose": "Second", "version": 1})
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "version 2" in response.json()["detail"]
    partnership.refresh_from_db()
    assert (partnership.purpose, partnership.version) == ("Premier", 2)


def test_a_stale_version_message_follows_the_language(api, editor, partnership):
    partnership.version = 3
    partnership.save()
    french = api(editor).put(detail_url(partnership), {"title": "x", "version": 1})
    english = api(editor).put(
        detail_url(partnership), {"title": "x", "version": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert french.json()["detail"].startswith("Quelqu'un d'autre a modifié")
    assert english.json()["detail"].startswith("Someone else changed this partnership")


def test_put_replaces_and_needs_the_title(api, editor, partnership):
    response = api(editor).put(detail_url(partnership), {"version": 1})
    assert response.status_code == 400
    assert list(response.json()) == ["title"]


def test_ids_scope_and_version_are_not_set_by_the_client(api, editor, partnership):
    response = api(editor).patch(
        detail_url(partnership), {"version": 1, "id": 99, "scope": "internal", "title": "T"}
    )
    body = response.json()
    assert (body["id"], body["scope"], body["version"]) == (partnership.pk, "external", 2)


def test_an_end_before_the_start_is_refused_with_a_message(api, editor, partnership):
    response = api(editor).patch(
        detail_url(partnership),
        {"version": 1, "starts_on": "2025-05-01", "ends_on": "2025-04-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The end date cannot come before the start date."]
    }
    partnership.refresh_from_db()
    assert partnership.version == 1


def test_readers_get_403_before_their_body_is_looked_at(api, viewer, partnership):
    assert api(viewer).patch(detail_url(partnership), {}).status_code == 403


# --- Delete ---------------------------------------------------------------------------------
def test_only_administrators_of_the_lead_party_delete(api, owner, editor, org_c, partnership):
    partner_admin = UserFactory(username="claire")
    MembershipFactory(user=partner_admin, organisation=org_c, role="admin")
    assert api(editor).delete(detail_url(partnership)).status_code == 403
    assert api(partner_admin).delete(detail_url(partnership)).status_code == 403
    assert api(owner).delete(detail_url(partnership)).status_code == 204
    assert not Partnership.objects.exists()
