"""The one definition of the dates people may type, and the month arithmetic that must never
leave the calendar."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.dates import EARLIEST, LATEST, add_months, validate_date_in_range
from partnerships.reports.figures import Period

D = datetime.date


@pytest.mark.parametrize("day", [D(1900, 1, 1), D(2026, 3, 10), D(2200, 12, 31), None])
def test_dates_inside_the_bounds_pass(day):
    validate_date_in_range(day)


@pytest.mark.parametrize("day", [D(1899, 12, 31), D(2201, 1, 1), D(9999, 12, 15), D(1, 1, 1)])
def test_dates_outside_the_bounds_are_refused_with_their_code(day):
    with pytest.raises(ValidationError) as refused:
        validate_date_in_range(day)
    assert refused.value.code == "date_out_of_range"
    assert "1900" in refused.value.messages[0] and "2200" in refused.value.messages[0]


def test_the_bounds_are_the_first_of_1900_and_the_last_of_2200():
    assert (D(1900, 1, 1), D(2200, 12, 31)) == (EARLIEST, LATEST)


def test_month_arithmetic_from_the_latest_date_stays_in_the_calendar():
    assert add_months(LATEST, 12) == D(2201, 12, 31)
    assert add_months(EARLIEST, -12) == D(1899, 1, 1)
    period = Period(D(2196, 1, 1), LATEST)
    assert period.months()[-1] == D(2200, 12, 1)
    assert period.quarters()[-1] == D(2200, 10, 1)
    assert period.month_ends()[-1] == LATEST


def test_month_arithmetic_past_the_calendar_saturates_instead_of_raising():
    # A year 9999 stored before the dates were bounded, plus a cadence.
    assert add_months(D(9999, 12, 15), 12) == datetime.date.max
    assert add_months(D(1, 2, 1), -3) == datetime.date.min
    # And the months of such a period come to an end (no endless loop at date.max).
    months = Period(D(9999, 1, 1), datetime.date.max).months()
    assert months[:12] == [D(9999, month, 1) for month in range(1, 13)]
    assert len(months) <= 13
