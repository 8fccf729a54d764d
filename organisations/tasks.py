"""Background jobs of the organisations app (thin: the work is in ``digest``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from partnerships.tasks import RETRY

from . import digest


@shared_task(name="organisations.tasks.send_weekly_digest", acks_late=True, **RETRY)
def send_weekly_digest() -> int:
    """Weekly: one e-mail per member about the week in their partnerships.

    Idempotent for the week (one ``Reminder`` per member and ISO week), hence ``acks_late``.
    """
    return digest.send_weekly_digests(timezone.localdate())
