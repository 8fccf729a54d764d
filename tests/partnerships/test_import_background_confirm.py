"""A large import is confirmed by a worker (eager here: the task runs once the request
commits), all of it or nothing; its page and its API follow it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from partnerships.choices import ImportStatus
from partnerships.models import ImportJob, PartnerInvitation, Partnership, Party
from partnerships.services import imports
from tests.partnerships.test_imports import csv_bytes, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(monkeypatch):
    """Three rows count as a large file: the background path without writing 501 rows."""
    monkeypatch.setattr(imports, "BACKGROUND_ROWS", 2)


def three_rows(owner, org_a, last_start="01/09/2025") -> ImportJob:
    content = csv_bytes(
        [
            ["Titre", "Partenaires", "Courriel", "Début"],
            ["Un", "Garage", "garage@example.org", "01/09/2025"],
            ["Deux", "Fondation C", "", "2025-09-01"],
            ["Trois", "", "", last_start],
        ]
    )
    job = start(owner, org_a, content, "a.csv")
    return imports.import_analyse_job(job.pk)  # read at once (its task waits for the commit)


def test_a_large_import_is_written_by_the_worker(
    owner, org_a, org_c, small_threshold, django_capture_on_commit_callbacks
):
    job = three_rows(owner, org_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = imports.import_confirm_start(actor=owner, job=job)
    assert job.status == ImportStatus.CONFIRMING and job.in_progress
    assert Partnership.objects.count() == 0  # not in the request
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.CONFIRMED
    assert job.confirmed_by == owner
    assert job.result == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 0}
    assert set(Partnership.objects.values_list("title", flat=True)) == {"Un", "Deux", "Trois"}
    assert [m.to for m in mail.outbox] == [["garage@example.org"]]  # after the commit
    # A message delivered twice is ignored.
    imports.import_confirm_job(job.pk)
    assert Partnership.objects.count() == 3


def test_rows_in_error_are_refused_at_once_without_skip_errors(
    owner, org_a, org_c, small_threshold, django_capture_on_commit_callbacks
):
    job = three_rows(owner, org_a, last_start="31/02/2025")
    with pytest.raises(imports.ImportHasErrors):
        imports.import_confirm_start(actor=owner, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_confirm_start(actor=owner, job=job, skip_errors=True)
    job.refresh_from_db()
    assert job.result == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 1}


def test_a_failure_half_way_in_the_worker_writes_nothing_and_the_import_is_ready_again(
    owner, org_a, org_c, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    job = three_rows(owner, org_a)
    from partnerships.services import partnerships as services

    real = services.partnership_create
    calls = []

    def failing(**kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "partnership_create", failing)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm_start(actor=owner, job=job)
    assert calls == ["Un", "Deux"]
    assert Partnership.objects.count() == 0
    assert Party.objects.count() == 0
    assert PartnerInvitation.objects.count() == 0
    assert mail.outbox == []
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert job.error  # said on the page, and the import may be confirmed again
    monkeypatch.setattr(services, "partnership_create", real)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm_start(actor=owner, job=job)
    job.refresh_from_db()
    assert (job.status, Partnership.objects.count()) == (ImportStatus.CONFIRMED, 3)


def test_an_importer_who_lost_the_right_writes_nothing(
    owner, editor, org_a, org_c, small_threshold, django_capture_on_commit_callbacks
):
    job = three_rows(editor, org_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        imports.import_confirm_start(actor=editor, job=job)
    membership = editor.memberships.get(organisation=org_a)
    membership.role = "viewer"
    membership.save()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    assert "may no longer import" in job.error or "ne peut plus" in job.error
    assert Partnership.objects.count() == 0


def test_the_page_follows_a_confirmation_in_the_background(
    client, editor, org_a, org_c, small_threshold, django_capture_on_commit_callbacks
):
    job = three_rows(editor, org_a)
    client.force_login(editor)
    confirm = reverse("partnerships:import-confirm", args=[org_a.slug, job.pk])
    detail = reverse("partnerships:import-detail", args=[org_a.slug, job.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(confirm, {})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "<progress" in page and 'hx-trigger="every 2s"' in page
    for callback in callbacks:
        callback()
    page = client.get(detail).content.decode()
    assert 'id="result-title"' in page  # the counts of what was imported
    assert "every 2s" not in page and "<progress" not in page
