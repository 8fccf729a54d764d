"""The nightly retention task, as a django-celery-beat row that staff may edit in the admin."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

SCHEDULE_NAME = "Delete personal data past its retention"


def create_schedule(apps, schema_editor):
    """Every night at 3:45: deletes what is past its retention (``settings.RETENTION_DAYS``)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=SCHEDULE_NAME).exists():
        return  # staff may have changed it: keep their change
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="45",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.create(
        name=SCHEDULE_NAME,
        task="privacy.tasks.delete_past_retention",
        crontab=crontab,
        description="Every night: deletes notifications, records of e-mails sent, sign-in "
        "attempts and expired sessions older than their retention (RETENTION_DAYS).",
        enabled=True,
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
