"""Telling people: ``notify`` records who is told of an event, once, and sends the e-mails after
the change is committed; reading, marking read, and each person's choices per kind.

``notify`` is called inside the transaction of the change it tells about: if the change rolls
back, nobody was told. The e-mails leave through a Celery task once the transaction commits
(in-process in the embedded default), and only for what was not e-mailed yet, so re-running the
task sends nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone, translation

from .choices import Channel
from .kinds import KINDS, get_kind
from .models import Notification, NotificationPreference

if TYPE_CHECKING:
    from organisations.models import Organisation, User

UNSUBSCRIBE_SALT = "notifications.unsubscribe"

# A link or attachments may depend on who is told: the organisation names the pages' address,
# the person's language the calendar file's words.
Url = str | Callable[["Organisation | None"], str]
Attachments = list[dict] | Callable[["User", "Organisation | None"], list[dict]] | None


@dataclass(frozen=True)
class Recipient:
    """A person told as a member of ``organisation`` (None: told about themselves)."""

    user: User
    organisation: Organisation | None = None


def channels_of(users: Iterable[User], kind: str) -> dict[int, str]:
    """Each person's channel for ``kind``: their choice, else the kind's default (one query)."""
    ids = [user.pk for user in users]
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    return {pk: chosen.get(pk, get_kind(kind).channel) for pk in ids}


def notify(
    kind: str,
    recipients: Iterable[Recipient],
    *,
    event_key: str,
    url: Url,
    params: dict,
    attachments: Attachments = None,
) -> int:
    """Tell each recipient of one event, once: a recipient already told of ``event_key`` is not
    told again, nor one who turned the kind off. Returns how many were told now."""
    get_kind(kind)  # an unknown kind is a programming error: fail loudly
    unique: dict[int, Recipient] = {}
    for recipient in recipients:
        if recipient.user.is_active:
            unique.setdefault(recipient.user.pk, recipient)
    told = set(
        Notification.objects.filter(event_key=event_key, recipient_id__in=unique).values_list(
            "recipient_id", flat=True
        )
    )
    channels = channels_of([r.user for pk, r in unique.items() if pk not in told], kind)
    rows = [
        _notification(kind, unique[pk], channel, event_key, url, params, attachments)
        for pk, channel in channels.items()
        if channel != Channel.NONE
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.by_email for row in rows):
        # robust: a failure to queue is logged, never turned into an error for the change
        # already committed (in-process, a failed send would otherwise reach the request).
        transaction.on_commit(lambda: _send_emails_later(event_key), robust=True)
    return len(rows)


def _notification(kind, recipient, channel, event_key, url, params, attachments) -> Notification:
    user, organisation = recipient.user, recipient.organisation
    files = attachments or []
    if callable(attachments):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            files = attachments(user, organisation)
    return Notification(
        recipient=user,
        organisation=organisation,
        kind=kind,
        params=params,
        url=url(organisation) if callable(url) else url,
        event_key=event_key,
        by_email=channel == Channel.EMAIL and bool(user.email),
        attachments=files if channel == Channel.EMAIL else [],
    )


def _send_emails_later(event_key: str) -> None:
    from .tasks import send_notification_emails  # the tasks module imports the app's services

    send_notification_emails.delay(event_key)


# --- Reading ------------------------------------------------------------------------------
def notification_open(*, user: User, notification: Notification) -> str:
    """Mark the person's notification read; where its link leads."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.read_at = timezone.now()
    return notification.url


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# --- Choices --------------------------------------------------------------------------------
def preferences_of(user: User) -> dict[str, str]:
    """The person's channel for every kind, defaults included."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {key: chosen.get(key, kind.channel) for key, kind in KINDS.items()}


@transaction.atomic
def preference_set(*, user: User, kind: str, channel: str) -> None:
    get_kind(kind)
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"channel": Channel(channel)}
    )


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed token naming one person and one kind: it turns that kind off without signing
    in (the e-mail's ``List-Unsubscribe`` link)."""
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token names, or None when it was not signed here."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(user_id, int):
        return None
    return user_id, kind
