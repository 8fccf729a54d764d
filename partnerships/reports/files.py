"""A report's figures as files: CSV (one block per figure) or XLSX (one sheet per figure).

Each figure is written as it is shown on the page: its title, its header, then its rows, with
the same values (an empty cell where the page shows a dash).
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from partnerships.reads.tables import sheet_title_of, write_csv_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(figures: dict, filename: str) -> HttpResponse:
    """Every figure one after the other, a blank line between two, in the CSV style of the
    active language (``partnerships.reads.tables.write_csv_rows``)."""

    def rows():
        for index, figure in enumerate(figures.values()):
            if index:
                yield []
            yield [figure.title]
            yield figure.columns
            yield from figure.table_rows

    buffer = io.StringIO()
    write_csv_rows(rows(), buffer)
    return _attachment(buffer.getvalue(), "text/csv; charset=utf-8", filename)


def _text(sheet, value):
    """Strings stored as text cells: a name starting with "=" stays a name, not a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def xlsx_response(figures: dict, filename: str) -> HttpResponse:
    """One sheet per figure, named after the figure's title in the active language (shortened
    and made unique as spreadsheet software requires), its full title in the first row."""
    workbook = Workbook(write_only=True)
    taken: list[str] = []
    for figure in figures.values():
        taken.append(sheet_title_of(figure.title, taken))
        sheet = workbook.create_sheet(title=taken[-1])
        sheet.append([_text(sheet, figure.title)])
        sheet.append(figure.columns)
        for row in figure.table_rows:
            sheet.append([_text(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(buffer.getvalue(), XLSX, filename)
