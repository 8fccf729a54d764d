"""Current levels and gaps are computed in the database from the append-only log."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import Partnership
from tests.factories import LevelAssessmentFactory, PartyFactory, ReviewFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def parties(partnership, org_a, org_c, org_b):
    """A, C and B as parties: B was invited and has not answered."""
    invited = PartyFactory(partnership=partnership, organisation=org_b, invitation="invited")
    a, c = (partnership.parties.get(organisation=org) for org in (org_a, org_c))
    return a, c, invited


def record(partnership, kind, level, on, party=None, review=None):
    LevelAssessmentFactory(
        partnership=partnership, kind=kind, level=level, party=party, review=review, assessed_on=on
    )


def annotated(partnership) -> Partnership:
    return Partnership.objects.with_levels().get(pk=partnership.pk)


def test_levels_are_none_without_history(partnership):
    p = annotated(partnership)
    assert (p.agreed_level, p.target_level, p.perception_gap, p.agreement_gap) == (
        None,
        None,
        None,
        None,
    )


def test_latest_entry_of_each_kind_is_the_current_value(partnership, parties):
    record(partnership, "agreed", 2, D(2025, 1, 10))
    record(partnership, "agreed", 5, D(2025, 9, 1))
    record(partnership, "agreed", 4, D(2025, 4, 1))  # recorded later, dated earlier
    record(partnership, "target", 6, D(2025, 1, 10))
    p = annotated(partnership)
    assert (p.agreed_level, p.target_level) == (5, 6)


def test_same_day_entries_keep_the_last_recorded(partnership, parties):
    record(partnership, "agreed", 2, D(2025, 1, 10))
    record(partnership, "agreed", 3, D(2025, 1, 10))
    assert annotated(partnership).agreed_level == 3


def test_perception_gap_is_the_spread_of_each_partys_latest_perception(partnership, parties):
    a, c, invited = parties
    record(partnership, "agreed", 4, D(2025, 1, 1))
    record(partnership, "perceived", 7, D(2025, 1, 1), party=a)  # superseded below
    record(partnership, "perceived", 5, D(2025, 6, 1), party=a)
    record(partnership, "perceived", 2, D(2025, 6, 1), party=c)
    record(partnership, "perceived", 1, D(2025, 6, 1), party=invited)  # not a party yet
    p = annotated(partnership)
    assert p.perception_gap == 3  # 5 - 2
    assert p.agreement_gap == 2  # |2 - 4|


def test_a_single_perception_has_no_spread_but_an_agreement_gap(partnership, parties):
    a, _c, _invited = parties
    record(partnership, "agreed", 3, D(2025, 1, 1))
    record(partnership, "perceived", 6, D(2025, 2, 1), party=a)
    p = annotated(partnership)
    assert p.perception_gap is None
    assert p.agreement_gap == 3


def test_blind_ratings_count_only_once_their_review_is_held(partnership, parties):
    a, c, _invited = parties
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2025, 6, 1))
    record(partnership, "perceived", 4, D(2025, 1, 1), party=a)
    record(partnership, "perceived", 4, D(2025, 1, 1), party=c)
    record(partnership, "perceived", 7, D(2025, 6, 1), party=a, review=review)
    assert annotated(partnership).perception_gap == 0  # A's blind 7 is not counted yet

    review.status, review.held_on = "held", D(2025, 6, 1)
    review.save()
    assert annotated(partnership).perception_gap == 3


def test_a_party_that_left_no_longer_counts(partnership, parties):
    a, c, _invited = parties
    record(partnership, "perceived", 6, D(2025, 1, 1), party=a)
    record(partnership, "perceived", 2, D(2025, 1, 1), party=c)
    c.left_on = D(2025, 3, 1)
    c.joined_on = D(2025, 1, 1)
    c.save()
    assert annotated(partnership).perception_gap is None


def test_levels_of_many_partnerships_take_one_query(partnership, parties, org_a):
    for _ in range(5):
        other = PartyFactory(organisation=org_a).partnership
        record(other, "agreed", 3, D(2025, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        rows = list(Partnership.objects.with_levels())
    assert len(rows) == 6
    assert len(queries) == 1  # one SELECT with correlated subqueries, whatever the row count
