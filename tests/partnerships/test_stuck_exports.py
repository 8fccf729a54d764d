"""An export whose worker died says so within minutes: the running task writes a heartbeat, a
check every minute (and each look at its page) fails a silent one, and its page stops polling
and offers to try again."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from partnerships.models import ExportJob
from partnerships.services import exports
from partnerships.tasks import fail_stuck_exports
from tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
MINUTE = datetime.timedelta(minutes=1)


def url(name, **kwargs):
    return reverse(f"partnerships:{name}", kwargs={"org_slug": "association-a", **kwargs})


def running(org, *, silent_for: datetime.timedelta) -> ExportJob:
    job = ExportJobFactory(organisation=org, status="running", file=None, params={"status": "x"})
    beat = timezone.now() - silent_for
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=beat, created_at=beat)
    return job


def test_a_running_export_silent_for_three_minutes_is_failed_plainly(org_a):
    alive = running(org_a, silent_for=2 * MINUTE)
    dead = running(org_a, silent_for=4 * MINUTE)
    assert fail_stuck_exports() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (alive.status, dead.status) == ("running", "failed")
    assert dead.worker_lost and dead.finished_at is not None
    assert fail_stuck_exports() == 0  # again: nothing more


def test_an_export_no_worker_took_up_is_failed_after_fifteen_minutes(org_a):
    waiting = ExportJobFactory(organisation=org_a, status="pending", file=None)
    ExportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - 16 * MINUTE)
    fresh = ExportJobFactory(organisation=org_a, status="pending", file=None)
    assert fail_stuck_exports() == 1
    assert ExportJob.objects.get(pk=waiting.pk).status == "failed"
    assert ExportJob.objects.get(pk=fresh.pk).status == "pending"


def test_the_build_writes_heartbeats_as_rows_go(org_a, monkeypatch):
    job = ExportJobFactory(organisation=org_a, status="running", file=None)
    ticks = iter(range(0, 1000, 10))  # ten seconds between rows
    monkeypatch.setattr(exports.time, "monotonic", lambda: next(ticks))
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=None)
    rows = list(exports.beating(iter(range(5)), job.pk))
    assert rows == [0, 1, 2, 3, 4]
    assert ExportJob.objects.get(pk=job.pk).heartbeat_at is not None


def test_a_finished_build_leaves_a_heartbeat(org_a, partnership, editor):
    job = ExportJobFactory(
        organisation=org_a, requested_by=editor, status="pending", file=None, file_format="csv"
    )
    exports.export_build(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.heartbeat_at is not None


def test_its_page_notices_a_dead_worker_stops_polling_and_offers_to_try_again(
    client, editor, org_a, partnership, django_capture_on_commit_callbacks
):
    job = running(org_a, silent_for=4 * MINUTE)
    editor.language = "en"
    editor.save(update_fields=["language"])
    client.force_login(editor)
    partial = client.get(
        url("export-detail", pk=job.pk), HTTP_ACCEPT_LANGUAGE="en", **HTMX
    ).content.decode()
    assert "hx-trigger" not in partial
    assert 'role="alert"' in partial and "worker preparing it stopped" in partial
    assert f'action="{url("export-start")}"' in partial
    assert '<input type="hidden" name="status" value="x">' in partial
    assert 'name="file_format" value="csv"' in partial
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url("export-start"), {"file_format": "csv", "status": "active"})
    retried = ExportJob.objects.exclude(pk=job.pk).get()
    assert again["Location"] == url("export-detail", pk=retried.pk)
    assert retried.status == "done"


def test_a_viewer_sees_the_failure_without_the_button(client, viewer, org_a):
    job = running(org_a, silent_for=4 * MINUTE)
    client.force_login(viewer)
    page = client.get(url("export-detail", pk=job.pk)).content.decode()
    assert 'role="alert"' in page and url("export-start") not in page


def test_the_check_runs_every_minute_and_is_acknowledged_late():
    app.loader.import_default_modules()
    task = app.tasks["partnerships.tasks.fail_stuck_exports"]
    assert task.acks_late and 0 < task.max_retries <= 5
    migration = importlib.import_module("partnerships.migrations.0017_export_heartbeat")
    PeriodicTask.objects.filter(task=task.name).delete()
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)  # again: nothing doubles
    schedule = PeriodicTask.objects.get(task=task.name)
    assert (schedule.crontab.minute, schedule.crontab.hour) == ("*", "*")
