"""The schedules of the background jobs, as django-celery-beat rows that staff edit in the admin.

Created once: running the migration again, or after staff changed a time, keeps their change.
Times are in the project's time zone (TIME_ZONE) at the moment the migration runs.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

# name, task, (minute, hour, day_of_week), description
SCHEDULES = [
    (
        "Review reminders",
        "partnerships.tasks.send_review_reminders",
        ("0", "7", "*"),
        "Every morning: e-mails the coordinators of each party when a review is due "
        "within 7 days or overdue.",
    ),
    (
        "Commitment reminders",
        "partnerships.tasks.send_commitment_reminders",
        ("10", "7", "*"),
        "Every morning: e-mails the owning party's coordinators about commitments due "
        "within 7 days or overdue.",
    ),
    (
        "Weekly digest",
        "organisations.tasks.send_weekly_digest",
        ("30", "7", "1"),
        "Monday morning: one e-mail per member summarising the week in their partnerships.",
    ),
    (
        "Delete old exports",
        "partnerships.tasks.delete_old_exports",
        ("30", "3", "*"),
        "Every night: deletes export files older than 7 days and gives up on stuck exports.",
    ),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, (minute, hour, day_of_week), description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(
            name=name, task=task, crontab=crontab, description=description, enabled=True
        )
    # A running beat reloads its schedule when this timestamp moves.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0003_reminders_and_exports"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
