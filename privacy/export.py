"""A person's own data: everything the platform holds about them, as one JSON-ready dict.

The account, e-mail addresses, memberships, invitations and requests, notification choices and
notifications, then every record that names them — as its author, planner, inviter, approver,
attendee... — found by the links to the account, so a model added later is included without
anyone listing it here, and the list of changes they made (what and when, not the values: a
change to a shared record also shows what others wrote). Secrets (password hash, tokens,
two-factor keys) never leave.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.apps import apps
from django.db import models
from django.utils import timezone

from organisations.models import User

# Tables of secrets or of the platform's own bookkeeping: never exported.
SKIPPED_MODELS = {
    "authtoken.token",
    "authtoken.tokenproxy",
    "mfa.authenticator",
    "sessions.session",
    "admin.logentry",
    "account.emailaddress",
    "account.emailconfirmation",
    "organisations.user",
    "notifications.notification",
    "notifications.notificationpreference",
}
SECRET_FIELDS = {"token", "key", "password", "secret", "file", "signed_scan"}


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def _row(obj: models.Model) -> dict:
    data = {"id": obj.pk, "record": str(obj)}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in SECRET_FIELDS or isinstance(field, models.JSONField):
            continue
        data[field.name] = _plain(field.value_from_object(obj))
    return data


def _account(user: User) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "weekly_digest": user.weekly_digest,
        "date_joined": _plain(user.date_joined),
        "last_login": _plain(user.last_login),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor": sorted(
            Authenticator.objects.filter(user=user).values_list("type", flat=True)
        ),
    }


def _notifications(user: User) -> list[dict]:
    from notifications.api import NotificationSerializer
    from notifications.models import Notification

    rows = Notification.objects.for_user(user).order_by("-created_at", "-pk")
    return [dict(item) for item in NotificationSerializer(rows, many=True).data]


def _links_to_user(model: type[models.Model]) -> list[str]:
    """Names of the fields of ``model`` that point at an account (foreign keys and M2M)."""
    return [
        field.name
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.is_relation and field.related_model is User
    ]


def _records_naming(user: User) -> dict[str, list[dict]]:
    """Rows of every model that link to the person: a few queries per model, not per row."""
    found: dict[str, list[dict]] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_MODELS or label.split(".")[1].startswith("historical"):
            continue
        links = _links_to_user(model)
        if not links:
            continue
        roles: dict[int, list[str]] = {}
        for name in links:
            for pk in model._default_manager.filter(**{name: user}).values_list("pk", flat=True):
                roles.setdefault(pk, []).append(name)
        if not roles:
            continue
        rows = model._default_manager.filter(pk__in=roles).select_related().order_by("pk")
        found[label] = [{"named_as": roles[row.pk], **_row(row)} for row in rows]
    return found


def _changes_made(user: User) -> list[dict]:
    """Each change the person made to a record with a history: which, what kind, when."""
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    changes = []
    for model in apps.get_models():
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            continue
        history = getattr(model, model._meta.simple_history_manager_attribute)
        for row in history.filter(history_user=user).values("id", "history_date", "history_type"):
            changes.append(
                {
                    "record": model._meta.label_lower,
                    "id": row["id"],
                    "change": kinds.get(row["history_type"], row["history_type"]),
                    "at": _plain(row["history_date"]),
                }
            )
    return sorted(changes, key=lambda change: change["at"])


def personal_data(user: User) -> dict:
    """Everything about ``user``, for them to take away (JSON-ready)."""
    from notifications.models import NotificationPreference

    return {
        "generated_at": _plain(timezone.now()),
        "account": _account(user),
        "memberships": [
            {
                "organisation": m.organisation.name,
                "slug": m.organisation.slug,
                "role": m.role,
                "since": _plain(m.created_at),
            }
            for m in user.memberships.select_related("organisation").order_by("organisation__name")
        ],
        "notification_choices": list(
            NotificationPreference.objects.filter(user=user)
            .order_by("kind")
            .values("kind", "channel")
        ),
        "notifications": _notifications(user),
        "records": _records_naming(user),
        "changes_made": _changes_made(user),
    }
