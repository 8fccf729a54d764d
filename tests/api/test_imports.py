"""The import API's contract: upload for a preview, poll a large one, confirm or 400."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.models import ImportJob, Partnership
from partnerships.services import imports
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/imports/"


def upload(rows, name="partenaires.csv", delimiter=";") -> SimpleUploadedFile:
    content = "\n".join(delimiter.join(row) for row in rows).encode("cp1252")
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post_file(client, rows, mapping=None, slug="association-a", **extra):
    data = {"file": upload(rows)}
    if mapping is not None:
        data["mapping"] = json.dumps(mapping)
    return client.post(f"{LIST}?organisation={slug}", data, format="multipart", **extra)


def test_upload_previews_then_confirm_writes(api, owner, org_a, org_c):
    client = api(owner)
    response = post_file(
        client,
        [["Nom", "Qui", "Début"], ["Fête", "Fondation C", "01/09/2025"], ["Sans titre", "", ""]],
        mapping={"Nom": "title", "Qui": "partners", "Début": "starts_on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organisation"] == "association-a"
    assert [(row["line"], row["action"]) for row in body["rows"]] == [(2, "create"), (3, "create")]
    assert body["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    assert body["status_url"] == reverse("api:import-detail", kwargs={"pk": body["id"]})
    assert Partnership.objects.count() == 0

    confirm = reverse("api:import-confirm", kwargs={"pk": body["id"]})
    answer = client.post(confirm, {}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["result"] == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Partnership.objects.count() == 2
    assert client.post(confirm, {}, format="json").status_code == 409


def test_rows_in_error_answer_400_and_write_nothing_without_skip_errors(api, owner, org_a):
    OrganisationFactory(name="Centre social", slug="cs-nord")
    OrganisationFactory(name="Centre  Social", slug="cs-sud")
    client = api(owner)
    body = post_file(
        client,
        [
            ["Titre", "Partenaires", "Niveau"],
            ["Bon", "", "2"],
            ["Mauvais", "", "onze"],
            ["Ambigu", "centre social", ""],
        ],
        HTTP_ACCEPT_LANGUAGE="fr",
    ).json()
    errors = {row["line"]: row["errors"] for row in body["rows"]}
    assert list(errors[3]) == ["agreed_level"]
    assert "onze" in errors[3]["agreed_level"][0]
    assert list(errors[4]) == ["partners"]
    confirm = reverse("api:import-confirm", kwargs={"pk": body["id"]})
    answer = client.post(confirm, {}, format="json")
    assert answer.status_code == 400
    assert [row["line"] for row in answer.json()["rows"]] == [3, 4]
    assert Partnership.objects.count() == 0
    answer = client.post(
        confirm, {"skip_errors": True, "resolve": {"centre social": "cs-sud"}}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["result"] == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1}
    assert (
        Partnership.objects.get(title="Ambigu").parties.filter(organisation__slug="cs-sud").exists()
    )


def test_a_bad_mapping_or_file_is_a_400(api, owner, org_a):
    client = api(owner)
    answer = post_file(client, [["Titre"], ["Un"]], mapping={"Titre": "wrong"})
    assert answer.status_code == 400 and "mapping" in answer.json()
    answer = client.post(
        f"{LIST}?organisation=association-a",
        {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")},
        format="multipart",
    )
    assert answer.status_code == 400 and "file" in answer.json()
    assert ImportJob.objects.count() == 0


def test_a_large_file_answers_202_with_a_status_url(
    api, owner, org_a, django_capture_on_commit_callbacks
):
    rows = [["Titre"]] + [[f"P{n}"] for n in range(imports.BACKGROUND_ROWS + 1)]
    client = api(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(client, rows)
    assert response.status_code == 202
    assert response.json()["status"] == "analysing" and response.json()["rows"] == []
    assert client.get(response.json()["status_url"]).json()["status"] == "analysing"
    for callback in callbacks:
        callback()  # without a broker the task runs in-process once the request commits
    polled = client.get(response.json()["status_url"])
    assert polled.status_code == 200
    assert polled.json()["status"] == "ready"
    assert len(polled.json()["rows"]) == imports.BACKGROUND_ROWS + 1


def test_another_organisation_cannot_read_or_confirm_an_import(api, owner, outsider, org_a):
    body = post_file(api(owner), [["Titre"], ["Un"]]).json()
    other = api(outsider)
    assert other.get(reverse("api:import-detail", kwargs={"pk": body["id"]})).status_code == 404
    confirm = reverse("api:import-confirm", kwargs={"pk": body["id"]})
    assert other.post(confirm, {}, format="json").status_code == 404
    # Nor import for an organisation it is not a member of.
    assert post_file(other, [["Titre"], ["Un"]], slug="association-a").status_code == 400
    assert Partnership.objects.count() == 0


def test_viewers_get_403(api, viewer, org_a):
    assert post_file(api(viewer), [["Titre"], ["Un"]]).status_code == 403


def test_a_large_import_is_confirmed_in_the_background_with_202(
    api, owner, org_a, django_capture_on_commit_callbacks
):
    rows = [["Titre"]] + [[f"P{n}"] for n in range(imports.BACKGROUND_ROWS + 1)]
    client = api(owner)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post_file(client, rows).json()["id"]
    confirm = reverse("api:import-confirm", kwargs={"pk": job_id})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(confirm, {}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "confirming" and body["result"] is None
    assert client.get(body["status_url"]).json()["status"] == "confirming"
    assert Partnership.objects.count() == 0
    for callback in callbacks:
        callback()  # without a broker the task runs in-process once the request commits
    polled = client.get(body["status_url"]).json()
    assert polled["status"] == "confirmed" and polled["error"] == ""
    assert polled["result"] == {
        "created": imports.BACKGROUND_ROWS + 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    assert Partnership.objects.count() == imports.BACKGROUND_ROWS + 1
    assert client.post(confirm, {}, format="json").status_code == 409


def test_a_viewer_cannot_read_an_import_preview_with_its_contacts(api, owner, viewer, org_a):
    body = post_file(
        api(owner),
        [["Nom", "Qui", "Courriel"], ["Fête", "Nouvelle asso", "contact@asso.example"]],
        mapping={"Nom": "title", "Qui": "partners", "Courriel": "partner_email"},
    ).json()
    detail = reverse("api:import-detail", kwargs={"pk": body["id"]})
    assert api(owner).get(detail).status_code == 200
    answer = api(viewer).get(detail)
    assert answer.status_code == 403
    assert "contact@asso.example" not in answer.content.decode()
