"""Files that open right in the spreadsheet software of each language, and the organisation's
commitments and fears and resistances as files (pages and API)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from partnerships.reads.tables import commitment_table, concern_table, write_csv
from partnerships.views import listing
from tests.factories import (
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    PartnershipFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db
BOM = "\ufeff"


def url(name, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"org_slug": "association-a", **kwargs})


def parse(content: bytes, delimiter: str) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


# --- One CSV style per language --------------------------------------------------------------
ROW = ["=cmd", datetime.date(2026, 3, 5), 1.5, None, 4]


@pytest.mark.parametrize(
    ("language", "delimiter", "expected"),
    [
        ("fr", ";", ["'=cmd", "05/03/2026", "1,5", "", "4"]),
        ("en", ",", ["'=cmd", "2026-03-05", "1.5", "", "4"]),
    ],
)
def test_the_csv_follows_the_language(language, delimiter, expected):
    buffer = io.StringIO()
    with translation.override(language):
        write_csv(["a", "b", "c", "d", "e"], [ROW], buffer)
    text = buffer.getvalue()
    assert text.startswith(BOM)
    assert text.splitlines()[0] == BOM + delimiter.join("abcde")
    assert list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))[1] == expected


def test_the_list_downloads_in_french_with_semicolons_and_french_dates(client, viewer, partnership):
    partnership.next_review_on = datetime.date(2026, 9, 1)
    partnership.save()
    client.force_login(viewer)
    response = client.get(url("export"))
    rows = parse(response.content, ";")
    assert rows[0][:2] == ["Titre", "Statut"]
    assert rows[1][0] == "Lecture au collège" and rows[1][-1] == "01/09/2026"


def test_the_list_downloads_in_english_with_commas_and_iso_dates(client, viewer, partnership):
    partnership.next_review_on = datetime.date(2026, 9, 1)
    partnership.save()
    viewer.language = "en"
    viewer.save()
    client.force_login(viewer)
    rows = parse(client.get(url("export")).content, ",")
    assert rows[0][:2] == ["Title", "Status"]
    assert rows[1][-1] == "2026-09-01"


def test_the_list_downloads_as_xlsx_now(client, viewer, partnership):
    client.force_login(viewer)
    response = client.get(url("export-xlsx"), {"status": "active"})
    assert response["Content-Disposition"] == 'attachment; filename="partnerships.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Lecture au collège"


def test_the_background_export_writes_the_french_csv_style(
    client, editor, partnership, django_capture_on_commit_callbacks
):
    from partnerships.models import ExportJob

    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("export-start"), {"file_format": "csv"})
    with ExportJob.objects.get().file.open("rb") as handle:
        assert parse(handle.read(), ";")[0][:2] == ["Titre", "Statut"]


# --- One Export menu ------------------------------------------------------------------------
def test_a_short_list_offers_downloads_now_and_the_record_files(client, editor, partnership):
    client.force_login(editor)
    content = client.get(url("list"), {"status": "active"}).content.decode()
    menu = content.split('<details class="export-menu')[1].split("</details>")[0]
    assert f'href="{url("export")}?status=active&amp;sort=title"' in menu
    assert f'href="{url("export-xlsx")}?status=active&amp;sort=title"' in menu
    assert f'href="{url("export-commitments")}"' in menu
    assert f'href="{url("export-concerns-xlsx")}"' in menu
    assert url("export-start") not in menu
    assert "arrière-plan" not in content


def test_a_long_list_is_prepared_for_writers_and_the_page_says_so(
    client, editor, viewer, partnership, monkeypatch
):
    monkeypatch.setattr(listing, "BACKGROUND_FROM", 1)
    client.force_login(editor)
    menu = client.get(url("list")).content.decode().split('<details class="export-menu')[1]
    assert f'action="{url("export-start")}"' in menu.split("</details>")[0]
    assert f'href="{url("export")}?' not in menu.split("</details>")[0]
    client.force_login(viewer)  # viewers start no background job: they download at once
    menu = client.get(url("list")).content.decode().split('<details class="export-menu')[1]
    assert f'href="{url("export")}?' in menu.split("</details>")[0]


# --- Commitments and fears and resistances --------------------------------------------------
@pytest.fixture
def records(partnership, org_a, org_b, org_c):
    party_a = partnership.parties.get(organisation=org_a)
    party_c = partnership.parties.get(organisation=org_c)
    party_c.left_on = party_c.joined_on
    party_c.save()
    CommitmentFactory(party=party_a, title="Réserver la salle", due_on=datetime.date(2020, 1, 6))
    CommitmentFactory(
        party=party_c,
        title="=Envoyer le calendrier",
        status="done",
        completed_on=datetime.date(2020, 2, 1),
    )
    shared = ConcernFactory(raised_by=party_c, description="partagée")
    ConcernCheckFactory(concern=shared, intensity=4, checked_on=datetime.date(2026, 1, 10))
    ConcernCheckFactory(concern=shared, intensity=2, checked_on=datetime.date(2026, 4, 2))
    ConcernFactory(raised_by=party_a, visibility="private", kind="resistance", category="other")
    ConcernFactory(raised_by=party_c, visibility="private", category="power")  # not A's
    elsewhere = PartnershipFactory(title="Ailleurs")
    other = PartyFactory(partnership=elsewhere, organisation=org_b, role="lead")
    CommitmentFactory(party=other, title="Pas pour A")
    ConcernFactory(raised_by=other)


def test_the_commitments_file_lists_every_party_s_commitments(client, viewer, records):
    client.force_login(viewer)
    response = client.get(url("export-commitments"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = parse(response.content, ";")
    assert len(rows[0]) == 7
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {"Réserver la salle", "'=Envoyer le calendrier"}
    assert by_title["Réserver la salle"][2:4] == ["Association A", "06/01/2020"]
    yes, no = _("yes"), _("no")  # in French once the catalog has them (/work/fr/exports.json)
    assert by_title["Réserver la salle"][6] == yes
    done = by_title["'=Envoyer le calendrier"]
    assert done[2] == "Fondation C"  # a party that left stays the owner
    assert (done[5], done[6]) == ("01/02/2020", no)


def test_the_concerns_file_holds_what_the_organisation_sees_only(client, viewer, records):
    viewer.language = "en"
    viewer.save()
    client.force_login(viewer)
    rows = parse(client.get(url("export-concerns")).content, ",")
    assert len(rows[0]) == 9
    assert len(rows) == 3  # the shared one and A's private one; C's private one never
    shared = next(row for row in rows[1:] if row[3] == "Fondation C")
    assert shared[4] == "Shared with every party"
    assert (shared[6], shared[7]) == ("2", "2026-04-02")
    assert shared[8] == "2026-04-02: 2 | 2026-01-10: 4"
    assert {row[0] for row in rows[1:]} == {"Lecture au collège"}


def test_the_record_files_come_as_xlsx_too(client, viewer, records):
    client.force_login(viewer)
    response = client.get(url("export-commitments-xlsx"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert titles == ["=Envoyer le calendrier", "Réserver la salle"]
    response = client.get(url("export-concerns-xlsx"))
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 3


def test_outsiders_get_no_record_file(client, outsider, records):
    client.force_login(outsider)
    assert client.get(url("export-commitments")).status_code == 404
    assert client.get(url("export-concerns-xlsx")).status_code == 404


def grow(partnership, org_a, org_c, times: int) -> None:
    party_a = partnership.parties.get(organisation=org_a)
    for index in range(times):
        extra = PartnershipFactory(title=f"Extra {index}")
        party = PartyFactory(partnership=extra, organisation=org_a, role="lead")
        other = PartyFactory(partnership=extra, organisation=org_c)
        CommitmentFactory(party=party)
        CommitmentFactory(party=other)
        concern = ConcernFactory(raised_by=other)
        ConcernCheckFactory(concern=concern)
        ConcernCheckFactory(concern=ConcernFactory(raised_by=party_a))


def queries(organisation, table) -> int:
    with CaptureQueriesContext(connection) as captured:
        _header, rows = table(organisation)
        list(rows)
    return len(captured)


@pytest.mark.parametrize("table", [commitment_table, concern_table])
def test_record_files_cost_the_same_queries_at_two_sizes(partnership, org_a, org_c, table):
    grow(partnership, org_a, org_c, 2)
    small = queries(org_a, table)
    grow(partnership, org_a, org_c, 12)
    assert queries(org_a, table) == small <= 2
