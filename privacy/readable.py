"""The personal export (``privacy.export``) labelled for the "My data" page: what the JSON file
keeps as codes and field names (it is meant to be read back by a program) is shown to the
person in their language — record kinds and the links naming them by their names, roles and
languages by their labels, dates as dates written the local way."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from organisations.choices import MemberRole


def _when(value: str | None):
    """An ISO date or time of the export back to a date or an aware time (None stays None)."""
    if not value:
        return None
    if "T" in value:
        return datetime.datetime.fromisoformat(value)
    return datetime.date.fromisoformat(value)


def _kind(label: str) -> tuple[str, object]:
    """A model's label (``app.model``) as its name in the plural, and the model (or None)."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return label, None
    return capfirst(model._meta.verbose_name_plural), model


def _link(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        return name


def readable(data: dict) -> dict:
    """A copy of ``data`` with labels in the active language, for the page (not the file)."""
    factors = {
        "totp": _("Authenticator app"),
        "recovery_codes": _("Recovery codes"),
        "webauthn": _("Security key"),
    }
    languages = {code: _(name) for code, name in settings.LANGUAGES}
    roles = dict(MemberRole.choices)
    account = data["account"]
    records = {}
    for label, rows in data["records"].items():
        name, model = _kind(label)
        records[name] = [
            {**row, "named_as": [_link(model, link) for link in row["named_as"]]} for row in rows
        ]
    return {
        **data,
        "account": {
            **account,
            "language": languages.get(account["language"], account["language"]),
            "date_joined": _when(account["date_joined"]),
            "last_login": _when(account["last_login"]),
            "two_factor": [factors.get(kind, kind) for kind in account["two_factor"]],
        },
        "memberships": [
            {**m, "role": roles.get(m["role"], m["role"]), "since": _when(m["since"])}
            for m in data["memberships"]
        ],
        "records": dict(sorted(records.items())),
        "notifications": [
            {**n, "created_at": _when(n.get("created_at"))} for n in data["notifications"]
        ],
    }
