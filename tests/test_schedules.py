"""The schedules of the background jobs: created by a data migration, each naming a real task."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from config.celery import app

pytestmark = pytest.mark.django_db

schedules = importlib.import_module("partnerships.migrations.0004_background_schedules")

CONTRACT = {
    "partnerships.tasks.send_review_reminders",
    "partnerships.tasks.send_commitment_reminders",
    "organisations.tasks.send_weekly_digest",
    "partnerships.tasks.export_report",
    "partnerships.tasks.delete_old_exports",
}


def test_the_tasks_have_the_names_of_the_contract():
    app.loader.import_default_modules()
    assert set(app.tasks) >= CONTRACT


def test_the_migration_schedules_every_periodic_task_once():
    PeriodicTask.objects.all().delete()
    schedules.create_schedules(apps, None)
    schedules.create_schedules(apps, None)  # again: nothing doubles
    tasks = dict(PeriodicTask.objects.values_list("task", "crontab__hour"))
    assert set(tasks) == CONTRACT - {"partnerships.tasks.export_report"}
    assert PeriodicTask.objects.count() == 4
    assert all(PeriodicTask.objects.values_list("enabled", flat=True))


def test_a_schedule_changed_in_the_admin_is_kept(superuser):
    PeriodicTask.objects.all().delete()
    schedules.create_schedules(apps, None)
    PeriodicTask.objects.filter(name="Weekly digest").update(enabled=False)
    schedules.create_schedules(apps, None)
    assert PeriodicTask.objects.get(name="Weekly digest").enabled is False


def test_only_idempotent_tasks_are_acknowledged_late():
    app.loader.import_default_modules()
    late = {name for name in CONTRACT if app.tasks[name].acks_late}
    assert late == CONTRACT - {"partnerships.tasks.export_report"}
    assert all(0 < app.tasks[name].max_retries <= 5 for name in CONTRACT)


agreement_schedule = importlib.import_module("partnerships.migrations.0006_agreements")
AGREEMENT_TASK = "partnerships.tasks.send_agreement_expiry_reminders"


def test_the_agreement_expiry_reminders_are_a_late_acknowledged_daily_task():
    app.loader.import_default_modules()
    assert app.tasks[AGREEMENT_TASK].acks_late
    PeriodicTask.objects.filter(task=AGREEMENT_TASK).delete()
    agreement_schedule.create_schedule(apps, None)
    agreement_schedule.create_schedule(apps, None)  # again: nothing doubles
    task = PeriodicTask.objects.get(task=AGREEMENT_TASK)
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("7", "20", "*")


purge_schedule = importlib.import_module("partnerships.migrations.0013_soft_delete")
PURGE_TASK = "partnerships.tasks.purge_deleted_records"


def test_the_purge_of_deleted_records_is_a_late_acknowledged_task_every_ten_minutes():
    app.loader.import_default_modules()
    assert app.tasks[PURGE_TASK].acks_late
    assert 0 < app.tasks[PURGE_TASK].max_retries <= 5
    PeriodicTask.objects.filter(task=PURGE_TASK).delete()
    purge_schedule.create_schedule(apps, None)
    purge_schedule.create_schedule(apps, None)  # again: nothing doubles
    task = PeriodicTask.objects.get(task=PURGE_TASK)
    assert (task.crontab.minute, task.crontab.hour) == ("*/10", "*")
