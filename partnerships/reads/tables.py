"""The filtered partnership list as a table, and that table as a CSV or XLSX file.

``partnership_table`` is the one definition of the columns, used by the list's direct CSV
download and by the background exports (``partnerships.services.exports``).
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from partnerships import policy
from partnerships.choices import Level
from partnerships.models.querysets import overdue_commitment

if TYPE_CHECKING:
    from organisations.models import Organisation

logger = logging.getLogger(__name__)
FILTER_PARAMS = ("q", "status", "level", "scope", "partner", "attention", "sort")


# --- The table ----------------------------------------------------------------------------
def partnership_table(organisation: Organisation, params) -> tuple[list[str], Iterable[list]]:
    """Column titles and rows of the organisation's list narrowed by ``params`` (its filters).

    Levels are numbers 1 to 7 with their labels beside them; dates stay dates.
    """
    # Imported here: the list view imports this module for its direct CSV download.
    from partnerships.views.listing import filtered_partnerships

    _form, partnerships = filtered_partnerships(organisation, params)
    header = [
        _("Title"),
        _("Status"),
        _("Scope"),
        _("Agreed level"),
        _("Agreed level (label)"),
        _("Target level"),
        _("Perception gap"),
        _("Agreement gap"),
        _("Parties"),
        _("Start date"),
        _("End date"),
        _("Next review"),
    ]
    rows = (
        [
            partnership.title,
            partnership.get_status_display(),
            partnership.get_scope_display(),
            partnership.agreed_level or "",
            str(Level(partnership.agreed_level).label) if partnership.agreed_level else "",
            partnership.target_level or "",
            "" if partnership.perception_gap is None else partnership.perception_gap,
            "" if partnership.agreement_gap is None else partnership.agreement_gap,
            " ; ".join(
                party.organisation.name
                for party in partnership.parties.all()
                if policy.has_joined(party)
            ),
            partnership.starts_on or "",
            partnership.ends_on or "",
            partnership.next_review_on or "",
        ]
        for partnership in partnerships.prefetch_related("parties__organisation")
    )
    return header, rows


def commitment_table(organisation: Organisation, params=None) -> tuple[list[str], Iterable[list]]:
    """The commitments of the organisation's partnerships, as it sees them on its pages: every
    party's, those of parties that left included (they stay the owners of what they promised).

    One query, whatever the number of commitments.
    """
    from partnerships.models import Commitment, Partnership

    today = timezone.localdate()
    commitments = (
        Commitment.objects.filter(
            partnership__in=Partnership.objects.for_organisation(organisation)
        )
        .annotate(is_overdue=ExpressionWrapper(overdue_commitment(today), BooleanField()))
        .select_related("partnership", "party__organisation")
        .order_by("partnership__title", "partnership_id", F("due_on").asc(nulls_last=True), "pk")
    )
    header = [
        _("Partnership"),
        _("What"),
        _("Owner"),
        _("Due date"),
        _("Status"),
        _("Completed on"),
        _("Overdue"),
    ]
    rows = (
        [
            commitment.partnership.title,
            commitment.title,
            commitment.party.organisation.name,
            commitment.due_on,
            commitment.get_status_display(),
            commitment.completed_on,
            _("yes") if commitment.is_overdue else _("no"),
        ]
        for commitment in commitments
    )
    return header, rows


def concern_table(organisation: Organisation, params=None) -> tuple[list[str], Iterable[list]]:
    """The fears and resistances the organisation sees in its partnerships (shared ones, and
    its own private ones: another party's private concern never), with their latest check and
    every check as "date: intensity", newest first.

    Two queries, whatever the number of concerns and checks.
    """
    from partnerships.models import Concern, ConcernCheck

    style = csv_style()
    checks = ConcernCheck.objects.order_by("-checked_on", "-pk").only(
        "concern_id", "intensity", "checked_on"
    )
    concerns = (
        Concern.objects.visible_to(organisation)
        .with_latest_intensity()
        .select_related("partnership", "raised_by__organisation")
        .prefetch_related(Prefetch("checks", queryset=checks))
        .order_by("partnership__title", "partnership_id", "kind", "category", "pk")
    )
    header = [
        _("Partnership"),
        _("Kind"),
        _("Category"),
        _("Raised by"),
        _("Visibility"),
        _("Status"),
        _("Latest intensity"),
        _("Date of the latest check"),
        _("Checks (date: intensity)"),
    ]
    colon = "\u202f: " if style.delimiter == ";" else ": "
    rows = (
        [
            concern.partnership.title,
            concern.get_kind_display(),
            concern.category_label,
            concern.raised_by.organisation.name,
            concern.get_visibility_display(),
            concern.get_status_display(),
            concern.latest_intensity,
            concern.latest_checked_on,
            " | ".join(
                f"{check.checked_on.strftime(style.date_format)}{colon}{check.intensity}"
                for check in concern.checks.all()
            ),
        ]
        for concern in concerns
    )
    return header, rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """A cell value that spreadsheet software shows as typed, never runs as a formula.

    A title such as ``=HYPERLINK(...)`` typed by a partner would otherwise become a live
    formula in whoever opens the CSV; a leading apostrophe keeps it text (OWASP's advice).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class CsvStyle:
    """How a CSV reads in the spreadsheet software of a language: French Excel splits columns
    on ``;`` (the comma is its decimal mark) and reads dates as dd/mm/yyyy; English keeps
    ``,``, ISO dates and the decimal point."""

    delimiter: str
    date_format: str
    decimal_mark: str


CSV_STYLES = {
    "fr": CsvStyle(delimiter=";", date_format="%d/%m/%Y", decimal_mark=","),
    "en": CsvStyle(delimiter=",", date_format="%Y-%m-%d", decimal_mark="."),
}


def csv_style(language: str | None = None) -> CsvStyle:
    """The style of the language given, else of the active one (a request's, or the one a
    background export overrides with its job's)."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return CSV_STYLES.get(language, CSV_STYLES["en"])


def csv_cell(value, style: CsvStyle):
    """One value as the CSV cell of ``style``: text kept from running as a formula, dates and
    decimals written the way the language's spreadsheet software reads them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime(style.date_format + " %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime(style.date_format)
    if isinstance(value, float | Decimal):
        return str(value).replace(".", style.decimal_mark)
    return value


def write_csv_rows(rows: Iterable[list], stream, language: str | None = None) -> int:
    """Every CSV the application writes: UTF-8 with a byte order mark (so the accents read
    right), then the rows in the style of the language; the number of rows written."""
    style = csv_style(language)
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=style.delimiter)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(value, style) for value in row])
        count += 1
    return count


def write_csv(header: list[str], rows: Iterable[list], stream, language: str | None = None) -> int:
    """Write the table as CSV to a text stream; the number of rows written (header aside)."""
    return write_csv_rows(itertools.chain([header], rows), stream, language) - 1


def csv_file(header: list[str], rows: Iterable[list], sheet_title: str = "") -> tuple[bytes, int]:
    buffer = io.StringIO()
    count = write_csv(header, rows, buffer)
    return buffer.getvalue().encode("utf-8"), count


SHEET_TITLE_LENGTH = 31  # the longest sheet name spreadsheet software accepts
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title_of(text: str, taken: Iterable[str] = ()) -> str:
    """A worksheet name from a (translated) title: without the characters spreadsheet software
    refuses, at most 31 characters, and not one of ``taken`` (compared as Excel does, ignoring
    case)."""
    base = " ".join(SHEET_TITLE_FORBIDDEN.sub(" ", str(text)).split()).strip("'") or "1"
    taken = {name.casefold() for name in taken}
    title, number = base[:SHEET_TITLE_LENGTH].rstrip(), 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: SHEET_TITLE_LENGTH - len(suffix)].rstrip() + suffix
    return title


def xlsx_file(header: list[str], rows: Iterable[list], sheet_title: str = "") -> tuple[bytes, int]:
    """The table as one worksheet; text is stored as text, never read as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title_of(sheet_title or _("Partnerships")))
    sheet.append(header)

    def cell(value):
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # a title starting with "=" stays a title
        return text

    count = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
RECORD_TABLES = {"commitments": commitment_table, "concerns": concern_table}


def record_sheet_title(kind: str) -> str:
    return {"commitments": _("Commitments"), "concerns": _("Fears and resistances")}[kind]


def table_response(
    header: list[str], rows: Iterable[list], file_format: str, filename: str, sheet_title: str = ""
) -> HttpResponse:
    """A table as a downloaded file, CSV (in the style of the active language) or XLSX."""
    write = csv_file if file_format == "csv" else xlsx_file
    content, _count = write(header, rows, sheet_title)
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response


def record_export(organisation: Organisation, kind: str, file_format: str) -> HttpResponse:
    """The organisation's commitments or fears and resistances as a file (pages and API)."""
    header, rows = RECORD_TABLES[kind](organisation)
    filename = f"{organisation.slug}-{kind}-{timezone.localdate().isoformat()}"
    return table_response(header, rows, file_format, filename, record_sheet_title(kind))
