"""The organisations' archives and requests to leave, and the nightly retention task as a
django-celery-beat row that staff may edit in the admin."""

import django.db.models.deletion
import privacy.models
from django.conf import settings
from django.db import migrations, models
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

    initial = True

    dependencies = [
        ('organisations', '0006_signup_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='LeaveRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(blank=True, max_length=2000, verbose_name='reason')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='asked at')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='leave_requests', to='organisations.organisation', verbose_name='organisation')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'request to leave the platform',
                'verbose_name_plural': 'requests to leave the platform',
                'ordering': ['-created_at', '-pk'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('handled_at__isnull', True)), fields=('organisation',), name='leave_request_one_pending_per_organisation', violation_error_message='This organisation has already asked to leave.')],
            },
        ),
        migrations.CreateModel(
            name='OrganisationArchive',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Being prepared'), ('done', 'Ready'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                ('file', models.FileField(blank=True, max_length=200, upload_to=privacy.models.archive_path, verbose_name='file')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='asked at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='archives', to='organisations.organisation', verbose_name='organisation')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
            ],
            options={
                'verbose_name': 'organisation archive',
                'verbose_name_plural': 'organisation archives',
                'ordering': ['-created_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'done', 'failed'])), name='organisation_archive_status_valid')],
            },
        ),
        migrations.RunPython(create_schedule, delete_schedule),
    ]
