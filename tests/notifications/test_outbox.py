"""Tasks asked for while the broker was down are not lost: the notification rows and the export
jobs are the outbox, swept every minute; each is claimed first, so nothing is done twice."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from core.retry import DeliveryError
from notifications import kinds, mailing
from notifications.models import Notification
from partnerships.models import ExportJob
from partnerships.services import exports
from tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - datetime.timedelta(minutes=5)


def notification(user, organisation, key="commitment_assigned:1:1", *, old=True):
    made = Notification.objects.create(
        recipient=user,
        organisation=organisation,
        kind=kinds.COMMITMENT_ASSIGNED.key,
        params={"partnership": "Lecture", "organisation": organisation.name, "title": "Salle"},
        url="/",
        event_key=key,
        by_email=True,
    )
    if old:
        Notification.objects.filter(pk=made.pk).update(created_at=LONG_AGO)
    return made


def test_the_sweep_sends_what_waited_once(owner, org_a, mailoutbox):
    waited = notification(owner, org_a, "a")
    notification(owner, org_a, "b", old=False)  # its own task may still come: left alone
    assert mailing.email_waiting() == 1
    assert mailing.email_waiting() == 0  # claimed: never twice
    assert len(mailoutbox) == 1
    waited.refresh_from_db()
    assert waited.emailed_at is not None


def test_the_task_and_the_sweep_together_send_one_e_mail(owner, org_a, mailoutbox):
    notification(owner, org_a, "a")
    assert mailing.email_notifications("a") == 1
    assert mailing.email_waiting() == 0
    assert len(mailoutbox) == 1


def test_a_failed_send_gives_the_claim_back_for_the_retry(owner, org_a, mailoutbox):
    made = notification(owner, org_a, "a")
    with (
        mock.patch.object(mailing, "send_notification_email", side_effect=OSError("smtp down")),
        pytest.raises(DeliveryError),
    ):
        mailing.email_notifications("a")
    made.refresh_from_db()
    assert made.emailed_at is None
    assert mailing.email_notifications("a") == 1 and len(mailoutbox) == 1


def test_exports_waiting_are_asked_for_again_and_built_once(viewer, org_a):
    job = ExportJobFactory(organisation=org_a, status="pending", file="", requested_by=viewer)
    recent = ExportJobFactory(organisation=org_a, status="pending", file="", requested_by=viewer)
    ExportJob.objects.filter(pk=job.pk).update(created_at=LONG_AGO)
    assert exports.exports_waiting() == [job.pk]
    exports.export_build(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    name = job.file.name
    exports.export_build(job.pk)  # a second delivery of the same request
    job.refresh_from_db()
    assert job.file.name == name
    assert exports.exports_waiting() == []
    assert ExportJob.objects.get(pk=recent.pk).status == "pending"


def test_a_job_another_delivery_claimed_is_left_to_it(viewer, org_a):
    job = ExportJobFactory(organisation=org_a, status="running", file="", requested_by=viewer)
    exports.export_build(job.pk)
    job.refresh_from_db()
    assert job.status == "running" and not job.file


def test_the_sweeps_are_scheduled_every_minute(settings):
    from config.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "notifications.tasks.send_waiting_notification_emails": 60.0,
        "partnerships.tasks.requeue_waiting_exports": 60.0,
    }
    assert all(app.tasks[name].acks_late for name in tasks)


def test_an_export_asked_for_while_the_broker_is_down_is_saved_and_waits(
    client, editor, org_a, django_capture_on_commit_callbacks
):
    from django.urls import reverse
    from kombu.exceptions import OperationalError

    client.force_login(editor)
    with (
        mock.patch(
            "partnerships.tasks.export_report.delay",
            side_effect=OperationalError("Error 111 connecting to the broker"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("partnerships:export-start", kwargs={"org_slug": org_a.slug}),
            {"file_format": "csv"},
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "pending"
    ExportJob.objects.filter(pk=job.pk).update(created_at=LONG_AGO)
    assert exports.exports_waiting() == [job.pk]  # the sweep asks for it once the broker is back
