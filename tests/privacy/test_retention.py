"""Retention: what is past its time is deleted, exactly that, and a second run deletes nothing."""

from __future__ import annotations

import datetime
import importlib

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app
from notifications.models import Notification
from partnerships.models import Reminder
from privacy.tasks import delete_past_retention

pytestmark = pytest.mark.django_db

schedule = importlib.import_module("privacy.migrations.0001_initial")
NOW = timezone.now()


def aged(model, days: float, stamp: str, **fields):
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(**{stamp: NOW - datetime.timedelta(days=days)})
    return row


def session(expires_in_days: float) -> str:
    store = SessionStore()
    store["n"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=NOW + datetime.timedelta(days=expires_in_days)
    )
    return store.session_key


def test_retention_deletes_exactly_what_is_past_its_time_and_twice_nothing_more(
    settings, owner, org_a
):
    settings.RETENTION_DAYS = {
        "notifications": 365,
        "sent_emails": 365,
        "sign_in_attempts": 30,
        "sign_in_failures": 30,
        "sign_in_log": 30,
    }
    note = {"recipient": owner, "organisation": org_a, "kind": "review_closed", "url": "/"}
    old_note = aged(Notification, 366, "created_at", event_key="old", **note)
    new_note = aged(Notification, 364, "created_at", event_key="new", **note)
    mail = {"kind": "review", "object_id": 1, "recipient": owner}
    old_mail = aged(Reminder, 400, "sent_at", period="2025-01", **mail)
    new_mail = aged(Reminder, 10, "sent_at", period="2026-11", **mail)
    old_try = aged(AccessAttempt, 31, "attempt_time", username="x", failures_since_start=1)
    new_try = aged(AccessAttempt, 29, "attempt_time", username="y", failures_since_start=1)
    expired, alive = session(-1), session(1)

    counts = delete_past_retention()

    assert counts["notifications"] == 1 and counts["sent_emails"] == 1
    assert counts["sign_in_attempts"] == 1 and counts["sessions"] == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {new_note.pk}
    assert set(Reminder.objects.values_list("pk", flat=True)) == {new_mail.pk}
    assert set(AccessAttempt.objects.values_list("pk", flat=True)) == {new_try.pk}
    assert set(Session.objects.values_list("pk", flat=True)) == {alive}
    assert not Notification.objects.filter(pk=old_note.pk).exists()
    assert not Reminder.objects.filter(pk=old_mail.pk).exists()
    assert not AccessAttempt.objects.filter(pk=old_try.pk).exists()
    assert expired != alive

    again = delete_past_retention()
    assert set(again.values()) == {0}


def test_the_retention_task_is_scheduled_nightly_once_and_acknowledged_late():
    app.loader.import_default_modules()
    task = app.tasks["privacy.tasks.delete_past_retention"]
    assert task.acks_late and 0 < task.max_retries <= 5
    PeriodicTask.objects.filter(name=schedule.SCHEDULE_NAME).delete()
    schedule.create_schedule(apps, None)
    schedule.create_schedule(apps, None)  # again: nothing doubles
    row = PeriodicTask.objects.get(name=schedule.SCHEDULE_NAME)
    assert row.task == "privacy.tasks.delete_past_retention" and row.crontab.hour == "3"
