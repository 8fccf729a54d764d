from __future__ import annotations

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The dates anyone may type (forms, API, filters, imports): wide enough for any real
# partnership, narrow enough that nothing derived from them (a review's cadence, a report's
# months and quarters) can leave the calendar Python and the databases handle.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2200, 12, 31)

DATE_OUT_OF_RANGE = _("Give a date between the years %(earliest)s and %(latest)s.")


def validate_date_in_range(value: datetime.date | None) -> None:
    """Refuse a date before ``EARLIEST`` or after ``LATEST`` (code ``date_out_of_range``)."""
    if value is None:
        return
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            DATE_OUT_OF_RANGE,
            code="date_out_of_range",
            params={"earliest": str(EARLIEST.year), "latest": str(LATEST.year), "value": value},
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), kept inside shorter months.

    31 January plus one month is the last day of February.

    Past either end of the calendar (a year 9999 stored before dates were bounded, plus a
    cadence) the answer saturates at ``date.max`` or ``date.min``: such a date means "never"
    in practice, and a date (rather than None or an exception) keeps every caller's
    comparisons working, so the pages that show it still render.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def long_date(value: datetime.date | None) -> str:
    """A date written out in the active language (``DATE_FORMAT``): "1 December 2026" in
    English, « 1er décembre 2026 » in French, which writes the first of a month as an ordinal."""
    if not value:
        return ""
    text = formats.date_format(value, "DATE_FORMAT")
    if value.day == 1 and (get_language() or "").split("-")[0] == "fr":
        text = re.sub(r"^1(?=\s)", "1er", text)
    return text
