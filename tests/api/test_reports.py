"""/api/v1/reports/summary/: counts over my organisations' partnerships."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    PartnershipFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/reports/summary/"


@pytest.fixture
def history(org_a, org_b, org_c, partnership):
    """A's partnership with C at level 4, a fear of each side, an overdue commitment and
    review; and B's own partnership, which A must not count."""
    past = timezone.localdate() - datetime.timedelta(days=10)
    partnership.next_review_on = past
    partnership.save()
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=4)
    ours = partnership.parties.get(organisation=org_a)
    theirs = partnership.parties.get(organisation=org_c)
    ConcernCheckFactory(concern=ConcernFactory(raised_by=ours, category="power"), intensity=2)
    ConcernCheckFactory(concern=ConcernFactory(raised_by=ours, category="power"), intensity=3)
    ConcernCheckFactory(
        concern=ConcernFactory(raised_by=theirs, category="power", visibility="private"),
        intensity=5,
    )
    CommitmentFactory(party=ours, due_on=past)
    elsewhere = PartnershipFactory(status="paused")
    PartyFactory(partnership=elsewhere, organisation=org_b)


def test_the_summary_counts_my_partnerships(api, viewer, history):
    body = api(viewer).get(SUMMARY).json()
    assert body["partnerships"] == 1
    assert body["by_agreed_level"] == [{"level": 4, "count": 1}]
    assert body["by_status"] == [{"status": "active", "count": 1}]
    assert body["by_scope"] == [{"scope": "external", "count": 1}]
    assert (body["overdue_commitments"], body["overdue_reviews"]) == (1, 1)


def test_private_concerns_of_others_are_not_counted(api, viewer, history):
    [power] = api(viewer).get(SUMMARY).json()["concerns"]
    assert power == {
        "kind": "fear",
        "category": "power",
        "count": 2,
        "open": 2,
        "mean_latest_intensity": 2.5,
    }


def test_the_summary_can_be_narrowed_to_one_of_my_organisations(api, outsider, history):
    body = api(outsider).get(SUMMARY, {"organisation": "college-b"}).json()
    assert body["by_status"] == [{"status": "paused", "count": 1}]
    assert api(outsider).get(SUMMARY, {"organisation": "association-a"}).status_code == 404
