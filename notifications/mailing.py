"""The e-mail of each notification: the sentence, a link, the way to stop them.

Each e-mail carries a ``List-Unsubscribe`` header with a signed link (and
``List-Unsubscribe-Post`` for mail programs' one-click button) that turns the kind off for its
recipient without signing in, and a link to the preferences page. Like the reminders, a
notification is claimed (``emailed_at``, committed) before it is sent: a second run finds it
claimed and sends nothing; a send that fails gives the claim back, so the retry sends it.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from core.retry import DeliveryError

from .emails import absolute_url, send_to_user
from .kinds import get_kind, render_params
from .models import Notification
from .services import unsubscribe_token

logger = logging.getLogger(__name__)

WAITING_BATCH = 500


def unsubscribe_url(notification: Notification) -> str:
    return absolute_url(
        "notification-unsubscribe",
        unsubscribe_token=unsubscribe_token(notification.recipient, notification.kind),
    )


def send_notification_email(notification: Notification) -> None:
    kind = get_kind(notification.kind)
    unsubscribe = unsubscribe_url(notification)
    send_to_user(
        user=notification.recipient,
        template="notification",
        context={
            "notification": notification,
            "kind": kind,
            "detail": render_params(kind, notification.params).get(kind.detail or ""),
            "link": settings.SITE_URL + notification.url,
            "preferences_url": absolute_url("notification-preferences"),
            "unsubscribe_url": unsubscribe,
        },
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        attachments=notification.attachments,
    )


def email_notifications(event_key: str) -> int:
    """E-mail everyone told of ``event_key`` who wants e-mails and was not e-mailed yet."""
    pending = Notification.objects.filter(
        event_key=event_key, by_email=True, emailed_at__isnull=True
    ).select_related("recipient")
    return _send(pending)


def email_waiting(now=None) -> int:
    """Every minute: e-mail the notifications still unsent ``OUTBOX_WAITING_SECONDS`` after
    they were made, because the task asking for them never reached the broker (it was down) or
    was lost with a worker. The notification rows are the outbox; the claim keeps each e-mail
    single."""
    now = now or timezone.now()
    pending = Notification.objects.filter(
        by_email=True, emailed_at__isnull=True, created_at__lt=now - waiting_after()
    ).select_related("recipient")[:WAITING_BATCH]
    return _send(pending)


def _send(pending) -> int:
    """Claim each notification (committed), then send it: two workers, or a task delivered
    twice, never send one e-mail twice. A crash between the claim and the send loses that one
    e-mail (it stays claimed, unsent: ``claimed but not sent`` in the logs of the drill); a send
    that fails gives the claim back, so the retry sends it."""
    sent, failed = 0, []
    for notification in pending:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue  # another worker has it
        try:
            send_notification_email(notification)
        except OSError as error:  # smtplib's errors are OSErrors
            logger.warning("notification %s e-mail failed: %s", notification.pk, error)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            failed.append(notification.pk)
        else:
            sent += 1
    if failed:
        raise DeliveryError(f"{len(failed)} notification e-mail(s) not sent: {failed}")
    return sent


def waiting_after() -> datetime.timedelta:
    """A task not come this long after it was asked for never reached the broker."""
    from django.conf import settings

    return datetime.timedelta(seconds=settings.OUTBOX_WAITING_SECONDS)
