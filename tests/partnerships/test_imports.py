"""Importing partnerships from a spreadsheet: real CSV, XLSX and ODS files made here, the
mapping, errors per row, ambiguous partners, idempotence, all or nothing, isolation."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import tablib
from django.core import mail
from django.utils import translation
from openpyxl import Workbook

from partnerships.choices import AssessmentKind, ImportStatus, Invitation
from partnerships.exceptions import StateConflict
from partnerships.models import (
    ImportJob,
    LevelAssessment,
    PartnerInvitation,
    Partnership,
    Party,
)
from partnerships.services import imports
from tests.factories import OrganisationFactory, PartnershipFactory, PartyFactory

pytestmark = pytest.mark.django_db


def csv_bytes(rows, delimiter=";", encoding="cp1252") -> bytes:
    """As a spreadsheet saves it: cells holding the delimiter or a line break are quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, merged_title=None) -> bytes:
    book = Workbook()
    sheet = book.active
    if merged_title:
        sheet.append([merged_title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_bytes(rows) -> bytes:
    data = tablib.Dataset(*rows[1:], headers=rows[0])
    return data.export("ods")


FRENCH_HEADERS = ["Intitulé", "Partenaires", "Courriel", "Statut", "Début", "Niveau"]


def start(user, organisation, content, filename, mapping=None):
    with translation.override("fr"):
        return imports.import_start(
            actor=user,
            organisation=organisation,
            content=content,
            filename=filename,
            mapping=mapping,
            language="fr",
        )


def test_a_french_csv_with_semicolons_in_windows_1252_is_read_and_mapped(
    owner, org_a, org_c, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            FRENCH_HEADERS,
            ["Fête de quartier", "Fondation C", "", "Actif", "05/03/2025", "coopération"],
            ["Atelier vélo", "Garage solidaire", "garage@example.org", "", "2025-04-01", "3"],
        ]
    )
    job = start(owner, org_a, content, "partenaires.csv")
    assert job.headers[0] == "Intitulé"
    assert job.mapping == {
        "Intitulé": "title",
        "Partenaires": "partners",
        "Courriel": "partner_email",
        "Statut": "status",
        "Début": "starts_on",
        "Niveau": "agreed_level",
    }
    assert job.status == ImportStatus.READY
    assert [row["action"] for row in job.preview] == ["create", "create"]
    assert job.preview[0]["partners"] == [
        {"name": "Fondation C", "organisation": "fondation-c", "id": org_c.pk}
    ]
    assert job.preview[1]["partners"] == [
        {"name": "Garage solidaire", "email": "garage@example.org"}
    ]
    assert Partnership.objects.count() == 0  # a preview writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_confirm(actor=owner, job=job)
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    fete = Partnership.objects.get(title="Fête de quartier")
    assert fete.status == "active"
    assert fete.starts_on == datetime.date(2025, 3, 5)
    lead = fete.parties.get(organisation=org_a)
    assert lead.role == "lead" and lead.invitation == Invitation.ACCEPTED
    assert fete.parties.get(organisation=org_c).invitation == Invitation.INVITED
    perceived = LevelAssessment.objects.get(partnership=fete)
    assert (perceived.kind, perceived.level, perceived.party) == ("perceived", 5, lead)
    velo = Partnership.objects.get(title="Atelier vélo")
    invitation = PartnerInvitation.objects.get(partnership=velo)
    assert (invitation.organisation_name, invitation.email) == (
        "Garage solidaire",
        "garage@example.org",
    )
    assert velo.parties.count() == 1  # invited by e-mail, not made a party on its behalf
    assert [m.to for m in mail.outbox] == [["garage@example.org"]]


def test_an_xlsx_with_a_merged_title_and_excel_dates(owner, org_a, org_c):
    content = xlsx_bytes(
        [
            ["Title", "Partner organisation(s)", "Start date", "Next review", "Agreed level"],
            ["Reading club", "fondation  c", datetime.date(2025, 1, 15), 45900, "Cooperation"],
        ],
        merged_title="Tableau des partenaires 2025",
    )
    job = start(owner, org_a, content, "partners.xlsx")
    assert job.mapping["Partner organisation(s)"] == "partners"
    row = job.preview[0]
    assert row["action"] == "create", row
    assert row["line"] == 3
    job = imports.import_confirm(actor=owner, job=job)
    created = Partnership.objects.get(title="Reading club")
    assert created.starts_on == datetime.date(2025, 1, 15)
    assert created.next_review_on == datetime.date(1899, 12, 30) + datetime.timedelta(45900)
    assert created.parties.filter(organisation=org_c).exists()


def test_an_ods_file(owner, org_a, org_c):
    content = ods_bytes(
        [["Titre", "Partenaires", "Date de fin"], ["Jardin partagé", "Fondation C", "31/12/2026"]]
    )
    job = start(owner, org_a, content, "partenaires.ods")
    assert job.preview[0]["action"] == "create", job.preview
    imports.import_confirm(actor=owner, job=job)
    assert Partnership.objects.get(title="Jardin partagé").ends_on == datetime.date(2026, 12, 31)


def test_errors_per_row_and_field_in_the_persons_language(owner, org_a, org_c):
    OrganisationFactory(name="Centre social", slug="centre-social-nord")
    OrganisationFactory(name="Centre Social", slug="centre-social-sud")
    content = csv_bytes(
        [
            ["Titre", "Partenaires", "Niveau", "Début", "Objet"],
            ["Bon", "Fondation C", "2", "01/02/2025", ""],
            ["Niveau inconnu", "Fondation C", "amitié", "", ""],
            ["Date fausse", "Fondation C", "", "31/02/2025", ""],
            ["Ambigu", "centre social", "", "", ""],
            ["Inconnu", "Club inconnu", "", "", ""],
            ["Nul", "Fondation C", "", "", "a\x00b"],
        ],
        encoding="utf-8",
    )
    job = start(owner, org_a, content, "f.csv")
    rows = {row["title"]: row for row in job.preview}
    assert rows["Bon"]["action"] == "create"
    assert list(rows["Niveau inconnu"]["errors"]) == ["agreed_level"]
    assert "amitié" in rows["Niveau inconnu"]["errors"]["agreed_level"][0]
    assert "starts_on" in rows["Date fausse"]["errors"]
    assert "partners" in rows["Ambigu"]["errors"]
    assert sorted(rows["Ambigu"]["partners"][0]["candidates"]) == [
        "centre-social-nord",
        "centre-social-sud",
    ]
    assert "Club inconnu" in rows["Inconnu"]["errors"]["partners"][0]
    assert "purpose" in rows["Nul"]["errors"]
    assert all(row["action"] == "error" for title, row in rows.items() if title != "Bon")

    # Without skip_errors, nothing is written.
    with pytest.raises(imports.ImportHasErrors):
        imports.import_confirm(actor=owner, job=job)
    assert Partnership.objects.count() == 0
    # The ambiguous name resolved, the errors skipped explicitly.
    job = imports.import_confirm(
        actor=owner, job=job, skip_errors=True, resolve={"centre social": "centre-social-sud"}
    )
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 4}
    ambiguous = Partnership.objects.get(title="Ambigu")
    assert ambiguous.parties.filter(organisation__slug="centre-social-sud").exists()


def test_messages_in_english_for_an_english_upload(owner, org_a):
    content = csv_bytes([["Title", "Start date"], ["X", "someday"]], delimiter=",")
    with translation.override("en"):
        job = imports.import_start(
            actor=owner, organisation=org_a, content=content, filename="x.csv", language="en"
        )
    assert job.preview[0]["errors"] == {
        "starts_on": ["“someday” is not a date: write dd/mm/yyyy or yyyy-mm-dd."]
    }


def test_importing_the_same_file_twice_creates_nothing_new(owner, org_a, org_c):
    rows = [
        ["Titre", "Partenaires", "Courriel", "Niveau", "Statut"],
        ["Fête", "Fondation C", "", "4", "Actif"],
        ["Vélo", "Garage solidaire", "garage@example.org", "", ""],
    ]
    imports.import_confirm(actor=owner, job=start(owner, org_a, csv_bytes(rows), "a.csv"))
    counts = Partnership.objects.count(), PartnerInvitation.objects.count(), Party.objects.count()
    levels = LevelAssessment.objects.count()
    job = start(owner, org_a, csv_bytes(rows), "a.csv")
    assert [row["action"] for row in job.preview] == ["unchanged", "unchanged"]
    job = imports.import_confirm(actor=owner, job=job)
    assert job.result == {"created": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    assert (
        Partnership.objects.count(),
        PartnerInvitation.objects.count(),
        Party.objects.count(),
    ) == counts
    assert LevelAssessment.objects.count() == levels
    # A changed status and level: updated, through the services (a new version, a new level).
    rows[1][4] = "En pause"
    rows[1][3] = "5"
    job = imports.import_confirm(actor=owner, job=start(owner, org_a, csv_bytes(rows), "a.csv"))
    assert job.result == {"created": 0, "updated": 1, "unchanged": 1, "skipped": 0}
    fete = Partnership.objects.get(title="Fête")
    assert fete.status == "paused" and fete.version == 2
    assert (
        LevelAssessment.objects.filter(partnership=fete, kind=AssessmentKind.PERCEIVED)
        .latest("pk")
        .level
        == 5
    )


def test_an_id_matches_only_the_importers_own_partnerships(owner, org_a, org_b, org_c):
    own = PartnershipFactory(title="Ancien titre")
    PartyFactory(partnership=own, organisation=org_a, role="lead")
    other = PartnershipFactory(title="Chez B")
    PartyFactory(partnership=other, organisation=org_b, role="lead")
    content = csv_bytes(
        [
            ["id", "Titre", "Statut"],
            [str(own.pk), "Nouveau titre", "Actif"],
            [str(other.pk), "Chez B", "Terminé"],
        ]
    )
    job = start(owner, org_a, content, "ids.csv")
    assert [row["action"] for row in job.preview] == ["update", "create"]
    imports.import_confirm(actor=owner, job=job)
    other.refresh_from_db()
    assert other.status != "ended" and other.version == 1  # never touched
    assert Partnership.objects.filter(title="Chez B").count() == 2


def test_all_or_nothing_when_a_row_fails_half_way(
    owner, org_a, org_c, monkeypatch, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [
            ["Titre", "Partenaires", "Courriel"],
            ["Un", "Garage", "garage@example.org"],
            ["Deux", "Fondation C", ""],
        ]
    )
    job = start(owner, org_a, content, "a.csv")
    from partnerships.services import partnerships as services

    real = services.partnership_create
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "partnership_create", failing)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=owner, job=job)
    assert calls == ["Un", "Deux"]
    assert Partnership.objects.count() == 0
    assert Party.objects.count() == 0
    assert PartnerInvitation.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert mail.outbox == []


def test_confirming_twice_is_a_conflict(owner, org_a):
    job = start(owner, org_a, csv_bytes([["Titre"], ["Un"]]), "a.csv")
    imports.import_confirm(actor=owner, job=job)
    with pytest.raises(StateConflict):
        imports.import_confirm(actor=owner, job=job)


def test_the_mapping_is_remembered_for_the_organisation(owner, org_a, org_b, outsider):
    headers = ["Nom de l'action", "Qui", "Truc"]
    mapping = {"Nom de l'action": "title", "Qui": "partners", "Truc": "ignore"}
    start(owner, org_a, csv_bytes([headers, ["Un", ""]]), "a.csv", mapping=mapping)
    again = start(owner, org_a, csv_bytes([headers, ["Deux", ""]]), "b.csv")
    assert again.mapping == mapping
    elsewhere = start(outsider, org_b, csv_bytes([headers, ["Trois", ""]]), "c.csv")
    assert elsewhere.mapping["Nom de l'action"] == "ignore"  # another organisation's is its own


def test_a_bad_mapping_or_file_is_refused(owner, org_a):
    content = csv_bytes([["Titre", "Partenaires"], ["Un", ""]])
    with pytest.raises(imports.ImportRefused):
        start(owner, org_a, content, "a.csv", mapping={"Titre": "nope"})
    with pytest.raises(imports.ImportRefused):
        start(owner, org_a, content, "a.csv", mapping={"Titre": "ignore"})
    with pytest.raises(imports.ImportRefused):
        start(owner, org_a, b"\x00\x01garbage", "a.xlsx")
    with pytest.raises(imports.ImportRefused):
        start(owner, org_a, content, "a.pdf")
    assert ImportJob.objects.count() == 0


def test_viewers_cannot_import(viewer, org_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start(viewer, org_a, csv_bytes([["Titre"], ["Un"]]), "a.csv")


def test_a_large_file_is_read_in_the_background(owner, org_a, django_capture_on_commit_callbacks):
    rows = [["Titre"]] + [[f"Partenariat {n}"] for n in range(imports.BACKGROUND_ROWS + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(owner, org_a, csv_bytes(rows), "big.csv")
    assert job.status == ImportStatus.ANALYSING  # the copy the request had
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert len(job.preview) == imports.BACKGROUND_ROWS + 1


def test_an_export_reimports_into_an_empty_organisation(owner, org_a, org_c, carla):
    """The round trip: the list's export of A, imported by C's coordinator into C."""
    from partnerships.reads.tables import partnership_table, xlsx_file

    first = PartnershipFactory(
        title="Lecture",
        status="active",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2025, 6, 30),
        next_review_on=datetime.date(2025, 1, 10),
    )
    PartyFactory(partnership=first, organisation=org_a, role="lead")
    second = PartnershipFactory(title="Sport", status="paused")
    PartyFactory(partnership=second, organisation=org_a, role="lead")
    empty = OrganisationFactory(name="Nouvelle association", slug="nouvelle")
    from tests.factories import MembershipFactory

    MembershipFactory(user=carla, organisation=empty, role="admin")
    with translation.override("fr"):
        header, rows = partnership_table(org_a, {})
        content, _count = xlsx_file(header, list(rows))
    job = start(carla, empty, content, "export.xlsx")
    assert all(row["action"] == "create" for row in job.preview), job.preview
    imports.import_confirm(actor=carla, job=job)
    imported = {p.title: p for p in Partnership.objects.filter(parties__organisation=empty)}
    assert set(imported) == {"Lecture", "Sport"}
    for original in (first, second):
        copy = imported[original.title]
        assert (copy.status, copy.starts_on, copy.ends_on, copy.next_review_on) == (
            original.status,
            original.starts_on,
            original.ends_on,
            original.next_review_on,
        )
        assert copy.parties.get(organisation=org_a).invitation == Invitation.INVITED


def test_reading_a_file_takes_as_many_queries_for_ten_rows_as_for_three_hundred(
    owner, org_a, org_c, django_assert_max_num_queries
):
    own = PartnershipFactory(title="Existant")
    PartyFactory(partnership=own, organisation=org_a, role="lead")
    PartyFactory(partnership=own, organisation=org_c)

    def rows(count):
        return [["Titre", "Partenaires", "Niveau", "Début"]] + [
            [f"P{n}", "Fondation C ; Inconnue", "3", "01/02/2025"] for n in range(count)
        ]

    for count in (10, 300):
        with django_assert_max_num_queries(17):
            start(owner, org_a, csv_bytes(rows(count)), "a.csv")


def test_the_preview_page_and_the_api_read_in_a_fixed_number_of_queries(
    client, owner, org_a, org_c, django_assert_max_num_queries
):
    from django.urls import reverse
    from rest_framework.test import APIClient

    rows = [["Titre", "Partenaires"]] + [[f"P{n}", "Fondation C"] for n in range(200)]
    job = start(owner, org_a, csv_bytes(rows), "a.csv")
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        assert (
            client.get(
                reverse("partnerships:import-detail", args=["association-a", job.pk])
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partnerships:import", args=["association-a"])).status_code == 200
    api = APIClient()
    api.force_authenticate(owner)
    with django_assert_max_num_queries(6):
        assert api.get(reverse("api:import-detail", kwargs={"pk": job.pk})).status_code == 200


def test_responsibilities_commitments_and_concerns_once(owner, org_a, org_c):
    from partnerships.models import Commitment, Concern, ConcernCheck, Responsibility

    rows = [
        ["Titre", "Partenaires", "Responsabilités", "Engagements", "Craintes"],
        [
            "Fête",
            "Fondation C",
            "Accueil ; Communication",
            "Réserver la salle | 15/06/2025\nAssurer | Association A",
            "peur | Trop de temps ou de travail | 3 | Pas assez de bénévoles\n"
            "resistance | institutional | | Le rectorat hésite | partagée",
        ],
    ]
    job = start(owner, org_a, csv_bytes(rows, encoding="utf-8"), "r.csv")
    assert job.mapping["Craintes"] == "concerns"
    assert job.preview[0]["action"] == "create", job.preview
    imports.import_confirm(actor=owner, job=job)
    fete = Partnership.objects.get(title="Fête")
    own = fete.parties.get(organisation=org_a)
    assert set(Responsibility.objects.filter(party=own).values_list("title", flat=True)) == {
        "Accueil",
        "Communication",
    }
    assert set(Commitment.objects.filter(party=own).values_list("title", "due_on")) == {
        ("Réserver la salle", datetime.date(2025, 6, 15)),
        ("Assurer", None),
    }
    concerns = {c.kind: c for c in Concern.objects.filter(raised_by=own)}
    assert (concerns["fear"].category, concerns["fear"].visibility) == ("investment", "private")
    assert concerns["resistance"].visibility == "shared"
    assert ConcernCheck.objects.get().intensity == 3
    # Again: nothing new.
    again = start(owner, org_a, csv_bytes(rows, encoding="utf-8"), "r.csv")
    assert again.preview[0]["action"] == "unchanged", again.preview
    # One commitment more, one owned by a partner (refused), a category unknown.
    rows[1][3] += "\nNouveau | 01/07/2025"
    job = start(owner, org_a, csv_bytes(rows, encoding="utf-8"), "r.csv")
    assert job.preview[0]["action"] == "update" and job.preview[0]["changes"] == ["commitments"]
    imports.import_confirm(actor=owner, job=job)
    assert Commitment.objects.filter(party=own).count() == 3
    rows[1][3] = "Autre | Fondation C"
    rows[1][4] = "peur | inconnue | 2 | X"
    errors = start(owner, org_a, csv_bytes(rows, encoding="utf-8"), "r.csv").preview[0]["errors"]
    assert set(errors) == {"commitments", "concerns"}


def test_old_imports_forget_their_cells_but_not_their_mapping(owner, org_a):
    from django.utils import timezone

    job = start(owner, org_a, csv_bytes([["Nom"], ["Un"]]), "a.csv", mapping={"Nom": "title"})
    later = timezone.now() + datetime.timedelta(days=imports.KEEP_DAYS + 1)
    assert imports.imports_clear_old(later) == 1
    assert imports.imports_clear_old(later) == 0
    job.refresh_from_db()
    assert (job.rows, job.preview, job.mapping) == ([], [], {"Nom": "title"})
    assert imports.remembered_mapping(org_a) == {"Nom": "title"}
