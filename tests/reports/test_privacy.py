"""An organisation's reports count only what it may see: another organisation's private
concern and a rating still blind change none of its numbers."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.models import LevelAssessment
from partnerships.views.reports import PAGES
from tests.reports.conftest import END, START

pytestmark = pytest.mark.django_db
PERIOD = {"start": START.isoformat(), "end": END.isoformat(), "format": "csv"}


def exports(client: Client, namespace: str, **kwargs) -> dict[str, str]:
    """Every report of one side as CSV text, by page."""
    return {
        page.slug: client.get(
            reverse(f"{namespace}:report-{page.slug}", **kwargs), PERIOD
        ).content.decode()
        for page in PAGES
    }


@pytest.fixture
def member(client, viewer):
    client.force_login(viewer)
    return lambda: exports(client, "partnerships", args=["association-a"])


@pytest.fixture
def staff(superuser):
    client = Client()
    client.force_login(superuser)
    return lambda: exports(client, "admin")


def test_another_organisations_private_concern_changes_no_number(member, staff, world):
    seen_by_a, seen_by_staff = member(), staff()
    world.private_fear.delete()
    assert member() == seen_by_a
    assert staff()["concerns"] != seen_by_staff["concerns"]  # staff did count it


def test_a_private_concern_of_ones_own_counts(member, world):
    before = member()
    world.private_fear.raised_by = world.parties["a1"]
    world.private_fear.save()
    assert member()["concerns"] != before["concerns"]


def test_a_blind_rating_changes_no_number_until_its_review_is_held(member, staff, world):
    seen_by_a, seen_by_staff = member(), staff()
    LevelAssessment.objects.filter(review=world.blind_review).delete()
    assert member() == seen_by_a
    assert staff() == seen_by_staff


def test_a_held_review_reveals_its_ratings(member, world):
    before = member()["gaps"]
    world.blind_review.status = "held"
    world.blind_review.held_on = datetime.date(2025, 6, 2)
    world.blind_review.save()
    after = member()["gaps"]
    assert after != before
    assert "Lecture au collège;5;2;7;5" in after  # A's 7 now counts: 5 levels apart (French CSV: ;)
