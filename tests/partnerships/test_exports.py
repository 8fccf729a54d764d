"""Background exports, tasks in-process: start from the list, follow, download, clean up."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partnerships.models import ExportJob
from partnerships.tasks import delete_old_exports, export_report
from partnerships.views import listing
from tests.factories import ExportJobFactory, PartnershipFactory, PartyFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"org_slug": "association-a", **kwargs})


@pytest.fixture
def two_partnerships(partnership, org_a):
    paused = PartnershipFactory(title="=Atelier en pause", status="paused")
    PartyFactory(partnership=paused, organisation=org_a, role="lead")
    return partnership, paused


def start(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url("export-start"), data)


def rows_of(job: ExportJob, delimiter: str = ";") -> list[list[str]]:
    """The rows of a CSV export (French: columns separated by semicolons)."""
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_a_long_list_offers_a_background_export_with_its_filters(
    client, editor, partnership, monkeypatch
):
    monkeypatch.setattr(listing, "BACKGROUND_FROM", 1)
    client.force_login(editor)
    page = client.get(url("list"), {"status": "active", "sort": "-title", "page": "1"})
    content = page.content.decode()
    assert f'action="{url("export-start")}"' in content
    assert '<input type="hidden" name="status" value="active">' in content
    assert '<input type="hidden" name="sort" value="-title">' in content
    export_form = content.split('action="' + url("export-start"))[1].split("</form>")[0]
    assert 'name="page"' not in export_form


def test_an_editor_exports_the_filtered_list_in_the_background(
    client, editor, org_a, two_partnerships, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    response = start(client, django_capture_on_commit_callbacks, file_format="csv", status="active")
    job = ExportJob.objects.get()
    assert response["Location"] == url("export-detail", pk=job.pk)
    assert (job.status, job.organisation, job.requested_by) == ("done", org_a, editor)
    assert job.params == {"status": "active"}
    rows = rows_of(job)
    assert rows[0][:3] == ["Titre", "Statut", "Portée"]
    assert [row[0] for row in rows[1:]] == ["Lecture au collège"]
    assert job.row_count == 1


def test_the_csv_export_keeps_a_title_starting_with_equals_as_text(
    client, owner, two_partnerships, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    start(client, django_capture_on_commit_callbacks, file_format="csv", sort="title")
    rows = rows_of(ExportJob.objects.get())
    assert [row[0] for row in rows[1:]] == ["'=Atelier en pause", "Lecture au collège"]


def test_the_export_is_enqueued_only_once_the_request_is_committed(
    client, editor, partnership, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url("export-start"), {"file_format": "csv"})
        assert ExportJob.objects.get().status == "pending"
    assert len(callbacks) == 1
    callbacks[0]()
    assert ExportJob.objects.get().status == "done"


def test_the_xlsx_export_has_the_same_columns_and_keeps_text_as_text(
    client, owner, two_partnerships, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    start(client, django_capture_on_commit_callbacks, file_format="xlsx", sort="title")
    job = ExportJob.objects.get()
    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Titre", "Statut"]
    assert [row[0] for row in values[1:]] == ["=Atelier en pause", "Lecture au collège"]
    assert sheet["A2"].data_type == "s"  # a title starting with "=" is not a formula
    assert job.download_name.endswith(".xlsx")


def test_the_export_is_written_in_the_language_of_the_person_who_asked(
    client, owner, partnership, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    client.force_login(owner)
    start(client, django_capture_on_commit_callbacks, file_format="csv")
    assert rows_of(ExportJob.objects.get(), ",")[0][:3] == ["Title", "Status", "Scope"]


def test_a_wrong_format_starts_nothing(client, editor, partnership):
    client.force_login(editor)
    response = client.post(url("export-start"), {"file_format": "pdf"})
    assert response["Location"] == url("list")
    assert not ExportJob.objects.exists()


def test_a_nul_character_in_a_filter_starts_nothing_and_says_why(
    client, editor, partnership, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    response = start(client, django_capture_on_commit_callbacks, file_format="csv", q="lecture\x00")
    assert response["Location"] == url("list")
    assert not ExportJob.objects.exists()
    page = client.get(response["Location"])
    assert "not allowed" in page.content.decode() or "autorisé" in page.content.decode()


def test_a_viewer_cannot_start_an_export(client, viewer, partnership):
    client.force_login(viewer)
    assert client.post(url("export-start"), {"file_format": "csv"}).status_code == 403
    assert "export-start" not in client.get(url("list")).content.decode()


def test_the_status_partial_polls_while_the_export_is_being_built(client, viewer, org_a):
    job = ExportJobFactory(organisation=org_a, status="running", file=None)
    client.force_login(viewer)
    partial = client.get(url("export-detail", pk=job.pk), **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="export-status"')
    assert "<html" not in partial
    assert f'hx-get="{url("export-detail", pk=job.pk)}" hx-trigger="every 2s"' in partial
    assert url("export-download", pk=job.pk) not in partial


def test_the_status_partial_stops_polling_and_links_the_file_when_ready(client, viewer, org_a):
    job = ExportJobFactory(organisation=org_a)
    client.force_login(viewer)
    partial = client.get(url("export-detail", pk=job.pk), **HTMX).content.decode()
    assert "hx-trigger" not in partial
    assert f'href="{url("export-download", pk=job.pk)}"' in partial
    page = client.get(url("export-detail", pk=job.pk)).content.decode()
    assert "<html" in page and "Télécharger le fichier" in page


def test_a_failed_export_says_so(client, viewer, org_a):
    job = ExportJobFactory(organisation=org_a, status="failed", file=None)
    client.force_login(viewer)
    page = client.get(url("export-detail", pk=job.pk)).content.decode()
    assert 'role="alert"' in page and "hx-trigger" not in page


def test_any_member_of_the_organisation_downloads_the_file(client, viewer, org_a):
    job = ExportJobFactory(organisation=org_a)
    client.force_login(viewer)
    response = client.get(url("export-download", pk=job.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Title\nLecture\n"
    assert "attachment" in response["Content-Disposition"]
    assert "association-a" in response["Content-Disposition"]


def test_other_organisations_cannot_download_it(client, outsider, org_a, org_b):
    job = ExportJobFactory(organisation=org_a)
    client.force_login(outsider)
    assert client.get(url("export-download", pk=job.pk)).status_code == 404
    own_address = reverse(
        "partnerships:export-download", kwargs={"org_slug": org_b.slug, "pk": job.pk}
    )
    assert client.get(own_address).status_code == 404
    own_page = reverse("partnerships:export-detail", kwargs={"org_slug": org_b.slug, "pk": job.pk})
    assert client.get(own_page).status_code == 404


def test_an_unfinished_export_has_nothing_to_download(client, viewer, org_a):
    job = ExportJobFactory(organisation=org_a, status="running", file=None)
    client.force_login(viewer)
    assert client.get(url("export-download", pk=job.pk)).status_code == 404


def test_the_recent_exports_page_lists_the_organisations_exports(client, viewer, org_a, org_b):
    mine = ExportJobFactory(organisation=org_a)
    theirs = ExportJobFactory(organisation=org_b)
    client.force_login(viewer)
    content = client.get(url("export-list")).content.decode()
    assert url("export-download", pk=mine.pk) in content
    assert f"/exports/{theirs.pk}/" not in content


def test_the_task_checks_again_that_the_requester_is_still_a_member(org_a, editor):
    job = ExportJobFactory(organisation=org_a, requested_by=editor, status="pending", file=None)
    editor.memberships.all().delete()
    export_report.delay(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not job.file


def test_a_finished_export_delivered_twice_is_not_built_again(org_a, owner):
    job = ExportJobFactory(organisation=org_a, requested_by=owner)
    name = job.file.name
    export_report.delay(job.pk)
    job.refresh_from_db()
    assert job.file.name == name


def test_exports_older_than_seven_days_are_deleted_with_their_files(org_a):
    old = ExportJobFactory(organisation=org_a)
    recent = ExportJobFactory(organisation=org_a)
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    delete_old_exports.delay()
    assert list(ExportJob.objects.all()) == [recent]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(recent.file.name)


def test_the_clean_up_gives_up_on_exports_that_never_finished(org_a):
    stuck = ExportJobFactory(organisation=org_a, status="running", file=None)
    fresh = ExportJobFactory(organisation=org_a, status="pending", file=None)
    ExportJob.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    delete_old_exports.delay()
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == ("failed", "pending")
