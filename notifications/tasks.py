"""Background jobs that send e-mails: notifications, reminders, agreement expiry notices, the
weekly digest.

Each task is thin: it calls the module doing the work with today's date. They are idempotent
(a second run sends nothing more), so they are acknowledged late: if a worker dies mid-run, the
broker hands the message to another one.

The task names are those the tasks had before this app existed: the beat schedules stored in
the database refer to them.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.retry import RETRY
from notifications import agreement_expiry, digest, mailing, reminders


@shared_task(name="partnerships.tasks.send_review_reminders", acks_late=True, **RETRY)
def send_review_reminders() -> int:
    """Daily: e-mail each party's coordinators about reviews due within 7 days or overdue."""
    return reminders.send_review_reminders(timezone.localdate())


@shared_task(name="partnerships.tasks.send_commitment_reminders", acks_late=True, **RETRY)
def send_commitment_reminders() -> int:
    """Daily: e-mail the owning party's coordinators about commitments coming due or overdue."""
    return reminders.send_commitment_reminders(timezone.localdate())


@shared_task(name="partnerships.tasks.send_agreement_expiry_reminders", acks_late=True, **RETRY)
def send_agreement_expiry_reminders() -> int:
    """Daily: end the agreements past their end date, then e-mail each party's administrators
    90 and 30 days before the agreement in force ends."""
    return agreement_expiry.send_agreement_expiry_reminders(timezone.localdate())


@shared_task(name="notifications.tasks.send_questionnaire_reminders", acks_late=True, **RETRY)
def send_questionnaire_reminders() -> int:
    """Daily: remind the members who have not answered a questionnaire closing within two
    days."""
    return reminders.send_questionnaire_reminders(timezone.localdate())


@shared_task(name="organisations.tasks.send_weekly_digest", acks_late=True, **RETRY)
def send_weekly_digest() -> int:
    """Weekly: one e-mail per member about the week in their partnerships.

    Idempotent for the week (one ``Reminder`` per member and ISO week), hence ``acks_late``.
    """
    return digest.send_weekly_digests(timezone.localdate())


@shared_task(name="notifications.tasks.send_notification_emails", acks_late=True, **RETRY)
def send_notification_emails(event_key: str) -> int:
    """After a change is committed: e-mail those told of it who want e-mails, once each.

    Idempotent (each notification is claimed as it is sent), hence ``acks_late``.
    """
    return mailing.email_notifications(event_key)


@shared_task(name="notifications.tasks.send_waiting_notification_emails", acks_late=True, **RETRY)
def send_waiting_notification_emails() -> int:
    """Every minute: the e-mails whose task never reached the broker (down when asked)."""
    return mailing.email_waiting()
