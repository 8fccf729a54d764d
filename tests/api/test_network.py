"""GET /api/v1/network/: the contract, the date as logged, privacy, errors, query count."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/network/"
D = datetime.date


@pytest.fixture
def three_parties(org_a, org_b, org_c):
    town = OrganisationFactory(name="Ville", slug="ville")
    org_c.parent = town
    org_c.save()
    p = PartnershipFactory(title="Jardins", starts_on=D(2024, 1, 1))
    for organisation in (org_a, org_b, org_c):
        PartyFactory(partnership=p, organisation=organisation, joined_on=D(2024, 1, 1))
    LevelAssessmentFactory(partnership=p, level=2, assessed_on=D(2024, 1, 1))
    LevelAssessmentFactory(partnership=p, level=6, assessed_on=D(2025, 6, 1))
    # B and C without A: A never sees it.
    hidden = PartnershipFactory(title="Sans A", starts_on=D(2024, 1, 1))
    PartyFactory(partnership=hidden, organisation=org_b, joined_on=D(2024, 1, 1))
    PartyFactory(partnership=hidden, organisation=org_c, joined_on=D(2024, 1, 1))
    # An organisation only invited is no node.
    PartyFactory(
        partnership=p, organisation=OrganisationFactory(slug="invitee"), invitation="invited"
    )
    return p


def test_the_contract(api, owner, three_parties):
    response = api(owner).get(URL, {"organisation": "association-a", "at": "2024-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == "association-a" and body["at"] == "2024-06-30"
    assert sorted(body["nodes"], key=lambda n: n["slug"]) == [
        {"slug": "association-a", "name": "Association A", "system": None},
        {"slug": "college-b", "name": "Collège B", "system": None},
        {"slug": "fondation-c", "name": "Fondation C", "system": "ville"},
    ]
    edges = sorted(body["edges"], key=lambda e: e["target"])
    assert edges == [
        {
            "source": "association-a",
            "target": target,
            "partnership": three_parties.pk,
            "level": 2,
            "scope": "external",
        }
        for target in ("college-b", "fondation-c")
    ]
    later = api(owner).get(URL, {"organisation": "association-a", "at": "2025-07-01"}).json()
    assert {e["level"] for e in later["edges"]} == {6}
    before = api(owner).get(URL, {"organisation": "association-a", "at": "2023-12-31"}).json()
    assert before["edges"] == [] and [n["slug"] for n in before["nodes"]] == ["association-a"]
    today = api(owner).get(URL, {"organisation": "association-a"}).json()
    assert today["at"] == str(timezone.localdate())


@pytest.mark.parametrize(
    "query",
    [
        {"organisation": "association-a", "at": "2024-02-30"},
        {"organisation": "association-a", "at": "30/06/2024"},
        {"organisation": "association-a", "at": "0001-01-01"},
        {"organisation": "not a slug!"},
        {},
    ],
)
def test_bad_input_is_400(api, owner, query):
    assert api(owner).get(URL, query).status_code == 400


def test_an_organisation_not_yours_is_404(api, outsider, owner, three_parties):
    assert api(outsider).get(URL, {"organisation": "association-a"}).status_code == 404
    assert api(owner).get(URL, {"organisation": "nowhere"}).status_code == 404
    assert api().get(URL, {"organisation": "association-a"}).status_code == 401


def test_the_queries_do_not_grow_with_the_network(api, owner, org_a):
    client = api(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"organisation": "association-a"}).status_code == 200
        return len(captured)

    def grow(n: int) -> None:
        for _ in range(n):
            p = PartnershipFactory()
            PartyFactory(partnership=p, organisation=org_a)
            PartyFactory(partnership=p, organisation=OrganisationFactory())
            LevelAssessmentFactory(partnership=p)

    grow(2)
    small = count()
    grow(12)
    assert count() == small <= 6
