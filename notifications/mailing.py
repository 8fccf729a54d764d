"""The e-mail of each notification: the sentence, a link, the way to stop them.

Each e-mail carries a ``List-Unsubscribe`` header with a signed link (and
``List-Unsubscribe-Post`` for mail programs' one-click button) that turns the kind off for its
recipient without signing in, and a link to the preferences page. Like the reminders, a
notification is claimed (``emailed_at``) in the transaction that sends it: a second run finds it
claimed and sends nothing; a send that fails rolls the claim back, so the retry sends it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.retry import DeliveryError

from .emails import absolute_url, send_to_user
from .kinds import get_kind, render_params
from .models import Notification
from .services import unsubscribe_token

logger = logging.getLogger(__name__)


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
    sent, failed = 0, []
    for notification in pending:
        try:
            with transaction.atomic():
                claimed = Notification.objects.filter(
                    pk=notification.pk, emailed_at__isnull=True
                ).update(emailed_at=timezone.now())
                if claimed:
                    send_notification_email(notification)
                    sent += 1
        except OSError as error:  # smtplib's errors are OSErrors
            logger.warning("notification %s e-mail failed: %s", notification.pk, error)
            failed.append(notification.pk)
    if failed:
        raise DeliveryError(f"{len(failed)} notification e-mail(s) not sent: {failed}")
    return sent
