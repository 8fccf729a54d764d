"""The agreed levels report at each month's end, on the edges of a level's time in force and
of a partnership's life: replaced within a month or on the same day, ended or begun within
the period, recorded without a start date around local midnight."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from partnerships.models import Partnership
from partnerships.reports import figures as reports
from partnerships.reports.figures import Period, Selection
from tests.factories import LevelAssessmentFactory, PartnershipFactory

D = datetime.date
pytestmark = pytest.mark.django_db
# January to March 2025: counted on 31 January, 28 February and 31 March.
PERIOD = Period(D(2025, 1, 1), D(2025, 3, 31))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def counts(partnerships=None, period: Period = PERIOD) -> dict:
    selection = Selection(
        partnerships if partnerships is not None else Partnership.objects.all(),
        None,
        period,
        period.end,
        whole=partnerships is None,
    )
    figures = reports.agreed_levels_by_month(selection)
    by_level = {name: values for name, values in figures["levels-by-level"].series if any(values)}
    by_scope = {name: values for name, values in figures["levels-by-scope"].series if any(values)}
    return {"levels": by_level, "scopes": by_scope}


def agreed(partnership, level: int, on: datetime.date) -> None:
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=level, assessed_on=on)


def started(on: datetime.date | None, ended: datetime.date | None = None, scope="external"):
    return PartnershipFactory(starts_on=on, ends_on=ended, scope=scope)


def test_a_level_replaced_within_a_month_counts_only_its_successor_at_the_month_end():
    partnership = started(D(2024, 1, 1))
    agreed(partnership, 2, D(2024, 6, 1))
    agreed(partnership, 3, D(2025, 2, 3))
    agreed(partnership, 4, D(2025, 2, 20))
    assert counts()["levels"] == {
        "2 · Mutual information": [1, 0, 0],
        "4 · Concertation": [0, 1, 1],
    }


def test_of_two_levels_agreed_the_same_day_the_later_recorded_counts():
    partnership = started(D(2024, 1, 1))
    agreed(partnership, 5, D(2025, 1, 10))
    agreed(partnership, 3, D(2025, 1, 10))
    assert counts()["levels"] == {"3 · Consultation": [1, 1, 1]}


def test_a_level_agreed_on_a_month_end_replaces_the_previous_one_that_day():
    partnership = started(D(2024, 1, 1))
    agreed(partnership, 2, D(2024, 6, 1))
    agreed(partnership, 6, D(2025, 2, 28))  # replaces the 2 on that day
    agreed(partnership, 7, D(2025, 4, 1))  # after the period
    other = started(D(2024, 1, 1))
    agreed(other, 3, D(2025, 1, 31))
    assert counts()["levels"] == {
        "2 · Mutual information": [1, 0, 0],
        "3 · Consultation": [1, 1, 1],
        "6 · Reciprocity": [0, 1, 1],
    }


def test_a_partnership_counts_until_it_ends_and_from_when_it_starts():
    ended = started(D(2024, 1, 1), ended=D(2025, 2, 28))
    agreed(ended, 2, D(2024, 3, 1))
    starting = started(D(2025, 2, 10), scope="internal")
    agreed(starting, 4, D(2025, 3, 5))
    started(D(2025, 4, 1))  # after the period: counted on no day
    gone = started(D(2023, 1, 1), ended=D(2024, 12, 31))  # before it
    agreed(gone, 5, D(2023, 6, 1))
    assert counts() == {
        "levels": {
            "2 · Mutual information": [1, 1, 0],
            "4 · Concertation": [0, 0, 1],
            "Not agreed yet": [0, 1, 0],
        },
        "scopes": {
            "Internal (within one system)": [0, 1, 1],
            "External (between systems)": [1, 1, 0],
        },
    }


def test_without_a_start_date_a_partnership_counts_from_the_local_day_it_was_recorded():
    paris = timezone.get_current_timezone()
    before_midnight = started(None)
    after_midnight = started(None)
    for partnership, moment in (
        # 28 February, 23:30 in Paris: 22:30 UTC, the same day
        (before_midnight, datetime.datetime(2025, 2, 28, 23, 30, tzinfo=paris)),
        # 1 March, 00:30 in Paris: still 28 February in UTC
        (after_midnight, datetime.datetime(2025, 3, 1, 0, 30, tzinfo=paris)),
    ):
        partnership.created_at = moment  # kept on a save that is not the first
        partnership.save(update_fields=["created_at"])
    assert counts()["levels"] == {"Not agreed yet": [0, 1, 2]}


def test_only_the_selected_partnerships_are_counted():
    kept, left_out = started(D(2024, 1, 1)), started(D(2024, 1, 1))
    agreed(kept, 3, D(2024, 5, 1))
    agreed(left_out, 5, D(2024, 5, 1))
    agreed(left_out, 6, D(2025, 2, 1))
    assert counts(Partnership.objects.filter(pk=kept.pk))["levels"] == {
        "3 · Consultation": [1, 1, 1]
    }


def test_a_period_shorter_than_a_month_is_counted_on_its_last_day():
    partnership = started(D(2024, 1, 1))
    agreed(partnership, 3, D(2025, 1, 5))
    agreed(partnership, 4, D(2025, 1, 12))
    assert counts(period=Period(D(2025, 1, 1), D(2025, 1, 10)))["levels"] == {
        "3 · Consultation": [1]
    }
