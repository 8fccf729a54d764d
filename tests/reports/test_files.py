"""Report files: text typed by partners reaches the spreadsheet as text, never as a formula."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from django.utils import translation
from openpyxl import load_workbook

from partnerships.reports.files import csv_response, xlsx_response

FIGURE = SimpleNamespace(
    title="=Titre",
    columns=["Partenariat", "Nombre"],
    table_rows=[["@SUM(A1:A9)", 3], ["+33 1 23", -2], ["Forum", None]],
)


def test_csv_cells_starting_like_a_formula_are_quoted_and_numbers_left_alone():
    with translation.override("en"):
        response = csv_response({"levels": FIGURE}, "levels.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["'=Titre"],
        ["Partenariat", "Nombre"],
        ["'@SUM(A1:A9)", "3"],
        ["'+33 1 23", "-2"],
        ["Forum", ""],
    ]


def test_xlsx_cells_starting_like_a_formula_are_text_cells():
    response = xlsx_response({"levels": FIGURE}, "levels.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["=Titre"]
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("=Titre", "s")
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("@SUM(A1:A9)", "s")
    assert (sheet["B4"].value, sheet["B4"].data_type) == (-2, "n")


def test_the_french_csv_separates_columns_with_semicolons():
    with translation.override("fr"):
        response = csv_response({"levels": FIGURE}, "levels.csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff'=Titre\r\nPartenariat;Nombre\r\n")
