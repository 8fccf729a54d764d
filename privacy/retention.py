"""Retention: nothing personal is kept longer than the settings say.

Each kind of record has its own setting in days (``RETENTION_DAYS`` in the settings, each key
overridable from the environment). ``retention_purge`` deletes what is past its time and
answers the counts; running it twice in a row deletes nothing more. Report export files have
their own nightly task (``partnerships.tasks.delete_old_exports``, 7 days).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .archives import ARCHIVE_KEEP_DAYS, archives_delete_old

logger = logging.getLogger(__name__)


def retention_days() -> dict[str, int]:
    """Days each kind of record is kept, as set (the privacy notice shows them)."""
    from partnerships.services.exports import KEEP_DAYS

    return {**settings.RETENTION_DAYS, "export_files": max(KEEP_DAYS, ARCHIVE_KEEP_DAYS)}


def _kinds():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from notifications.models import Notification
    from partnerships.models import Reminder

    return [
        ("notifications", Notification.objects.all(), "created_at"),
        ("sent_emails", Reminder.objects.all(), "sent_at"),
        ("sign_in_attempts", AccessAttempt.objects.all(), "attempt_time"),
        ("sign_in_failures", AccessFailureLog.objects.all(), "attempt_time"),
        ("sign_in_log", AccessLog.objects.all(), "attempt_time"),
    ]


@transaction.atomic
def retention_purge(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete every record past its retention; answer how many of each kind went."""
    now = now or timezone.now()
    days = settings.RETENTION_DAYS
    counts: dict[str, int] = {}
    for kind, queryset, stamp in _kinds():
        limit = now - datetime.timedelta(days=days[kind])
        counts[kind], _detail = queryset.filter(**{f"{stamp}__lt": limit}).delete()
    counts["sessions"], _detail = Session.objects.filter(expire_date__lt=now).delete()
    counts["organisation_archives"] = archives_delete_old(now)
    from .own_exports import personal_exports_delete_old

    counts["personal_exports"] = personal_exports_delete_old(now)
    logger.info(
        "Retention: deleted %s", ", ".join(f"{count} {kind}" for kind, count in counts.items())
    )
    return counts
