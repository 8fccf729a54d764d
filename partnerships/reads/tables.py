"""The filtered partnership list as a table, and that table as a CSV or XLSX file.

``partnership_table`` is the one definition of the columns, used by the list's direct CSV
download and by the background exports (``partnerships.services.exports``).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from partnerships import policy
from partnerships.choices import Level

if TYPE_CHECKING:
    from organisations.models import Organisation

logger = logging.getLogger(__name__)
FILTER_PARAMS = ("q", "status", "level", "scope", "partner", "sort")


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value):
    """A cell value that spreadsheet software shows as typed, never runs as a formula.

    A title such as ``=HYPERLINK(...)`` typed by a partner would otherwise become a live
    formula in whoever opens the CSV; a leading apostrophe keeps it text (OWASP's advice).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: list[str], rows: Iterable[list], stream) -> int:
    """Write the table as CSV to a text stream; the number of rows written."""
    stream.write("\ufeff")  # lets spreadsheet software read the accents right
    writer = csv.writer(stream)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([spreadsheet_text(value) for value in row])
        count += 1
    return count


def csv_file(header: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    buffer = io.StringIO()
    count = write_csv(header, rows, buffer)
    return buffer.getvalue().encode("utf-8"), count


def xlsx_file(header: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    """The table as one worksheet; text is stored as text, never read as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Partnerships")[:31])
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
