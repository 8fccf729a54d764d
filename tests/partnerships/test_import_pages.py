"""The import pages: template, upload, mapping, preview, confirmation with the explicit box."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from partnerships.models import ImportJob, Partnership
from partnerships.services import imports
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args, slug: str = "association-a") -> str:
    return reverse(f"partnerships:{name}", args=[slug, *args])


def upload(client, rows, name="partenaires.csv"):
    content = "\n".join(";".join(row) for row in rows).encode("cp1252")
    return client.post(url("import"), {"file": SimpleUploadedFile(name, content)})


def test_the_templates_in_both_languages(client, editor, org_a):
    client.force_login(editor)
    french = client.get(url("import-template") + "?language=fr")
    header = next(csv.reader(io.StringIO(french.content.decode("utf-8-sig")), delimiter=";"))
    with translation.override("fr"):
        expected = [str(imports.FIELDS[name]) for name in imports.TEMPLATE_FIELDS]
    assert header == expected and header[0] == "Titre"
    english = client.get(url("import-template-xlsx") + "?language=en")
    sheet = load_workbook(io.BytesIO(english.content)).active
    assert [cell.value for cell in next(sheet.iter_rows())][:2] == ["Title", "Purpose"]


def test_upload_map_preview_and_confirm(client, editor, org_a, org_c):
    client.force_login(editor)
    page = client.get(url("import"))
    assert page.status_code == 200
    response = upload(
        client,
        [["Nom", "Structures partenaires", "Début"], ["Fête", "Fondation C", "01/09/2025"]],
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("import-detail", job.pk)
    preview = client.get(url("import-detail", job.pk))
    assert preview.status_code == 200
    assert job.mapping["Nom"] == "ignore"  # not recognised: the person maps it
    assert "Fête" in preview.content.decode()

    mapping = {"column_0": "title", "column_1": "partners", "column_2": "starts_on"}
    assert client.post(url("import-detail", job.pk), mapping).status_code == 302
    job.refresh_from_db()
    assert job.mapping == {
        "Nom": "title",
        "Structures partenaires": "partners",
        "Début": "starts_on",
    }
    assert [row["action"] for row in job.preview] == ["create"]

    assert client.post(url("import-confirm", job.pk), {}).status_code == 302
    assert Partnership.objects.get().title == "Fête"
    job.refresh_from_db()
    assert (job.status, job.result["created"]) == ("confirmed", 1)
    assert client.get(url("import-detail", job.pk)).status_code == 200


def test_rows_in_error_need_the_box_ticked(client, editor, org_a):
    OrganisationFactory(name="Centre social", slug="cs-nord")
    OrganisationFactory(name="Centre Social", slug="cs-sud")
    client.force_login(editor)
    upload(
        client,
        [
            ["Titre", "Partenaires", "Niveau"],
            ["Bon", "", "3"],
            ["Faux", "", "douze"],
            ["Ambigu", "centre social", ""],
        ],
    )
    job = ImportJob.objects.get()
    page = client.get(url("import-detail", job.pk)).content.decode()
    assert 'name="skip_errors"' in page and 'name="resolve_0"' in page
    refused = client.post(url("import-confirm", job.pk), {})
    assert refused.status_code == 400
    assert Partnership.objects.count() == 0
    done = client.post(url("import-confirm", job.pk), {"skip_errors": "on", "resolve_0": "cs-nord"})
    assert done.status_code == 302
    assert set(Partnership.objects.values_list("title", flat=True)) == {"Bon", "Ambigu"}


def test_viewers_may_not_import(client, viewer, org_a):
    client.force_login(viewer)
    assert client.get(url("import")).status_code == 403


def test_the_first_run_and_the_list_link_to_the_import(client, editor, org_a):
    client.force_login(editor)
    link = url("import")
    assert link in client.get(url("dashboard")).content.decode()
    assert link in client.get(url("list")).content.decode()


def test_a_file_that_cannot_be_read_says_so(client, editor, org_a):
    client.force_login(editor)
    response = client.post(url("import"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_template_maps_itself_and_reads_without_error(client, editor, org_a, language):
    OrganisationFactory(name="Maison des jeunes")
    OrganisationFactory(name="Centre social")
    client.force_login(editor)
    template = client.get(url("import-template-xlsx") + f"?language={language}")
    response = client.post(
        url("import"), {"file": SimpleUploadedFile("modele.xlsx", template.content)}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert sorted(job.mapping.values()) == sorted(imports.TEMPLATE_FIELDS)
    assert job.preview[0]["errors"] == {}
    assert job.preview[0]["action"] == "create"
