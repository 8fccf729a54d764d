"""Erasing a person: their identity replaced everywhere by one pseudonym, in one transaction.

What they recorded in shared partnerships stays part of the partnerships' history (it is the
organisations' record, not theirs), but nothing says any more who they were: the account keeps
only a pseudonym ("Ancien membre 3fa2c1d4"), and every text column of every table — change
history, frozen review records, agreement approvals and representatives, notifications,
invitations — has their name, username and e-mail addresses replaced by it. What served only
them (sessions, tokens, e-mail addresses, two-factor keys, sign-in attempts, notifications
addressed to them, memberships) is deleted.

The sweep goes through every model Django knows, historical ones included, so a model added
later is covered without anyone remembering to list it here. Writes go through a plain
``QuerySet``: frozen records refuse changes made by people (``save`` and their querysets), and
erasure is the one change the law asks of them.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from organisations.models import MemberInvitation, Membership, User
from partnerships.services.audit import is_audited, recorded_bulk_write

from .policy import require_erasable

logger = logging.getLogger(__name__)

PSEUDONYM_USERNAME_PREFIX = "former-member-"

# Tables whose rows are Django's own bookkeeping: never personal, never rewritten.
ERASURE_REASON = "erasure"
SKIPPED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


@dataclass(frozen=True)
class Identity:
    """What names a person: every form it took, so old names in the history go too."""

    names: tuple[str, ...]  # full names, e-mail addresses: replaced wherever they appear
    usernames: tuple[str, ...]  # replaced as whole words only ("paul" is not in "Pauline")

    def pattern(self) -> re.Pattern:
        anywhere = [re.escape(t) for t in sorted(self.names, key=len, reverse=True)]
        words = [
            rf"(?<![\w.@+-]){re.escape(t)}(?![\w@+-])"
            for t in sorted(self.usernames, key=len, reverse=True)
        ]
        return re.compile("|".join(anywhere + words), re.IGNORECASE)

    @property
    def terms(self) -> tuple[str, ...]:
        return self.names + self.usernames


def identity_of(user: User) -> Identity:
    """The person's current and former names, usernames and e-mail addresses."""
    from allauth.account.models import EmailAddress

    names: set[str] = set()
    usernames: set[str] = {user.username}
    rows = [(user.username, user.email, user.first_name, user.last_name)]
    rows += list(user.history.values_list("username", "email", "first_name", "last_name"))
    for username, email, first, last in rows:
        usernames.add(username or "")
        names.add(email or "")
        names.add(f"{first or ''} {last or ''}".strip())
        names.add(f"{last or ''} {first or ''}".strip())
    names.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    names.update(MemberInvitation.objects.filter(invitee=user).values_list("email", flat=True))
    # A one-word name ("Camille") is too common to chase through others' text: the full name
    # and the e-mail addresses are what identify the person there.
    return Identity(
        names=tuple(sorted(n for n in names if (len(n) >= 3 and " " in n) or "@" in n)),
        usernames=tuple(sorted(u for u in usernames if len(u) >= 2)),
    )


def new_pseudonym() -> tuple[str, str]:
    """(username, display name): one code, the words in the platform's language."""
    code = secrets.token_hex(4)
    with translation.override(settings.LANGUAGE_CODE):
        return f"{PSEUDONYM_USERNAME_PREFIX}{code}", f"{_('Former member')} {code}"


def is_erased(user: User) -> bool:
    return user.username.startswith(PSEUDONYM_USERNAME_PREFIX) and not user.has_usable_password()


@transaction.atomic
def person_erase(*, actor: User, user: User) -> str:
    """Replace ``user``'s identity by a pseudonym everywhere; answer the pseudonym.

    ``actor`` is the person themself (after re-authentication) or platform staff on request.
    Refused (``LastAdministrator``) while they are an organisation's only administrator.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    require_erasable(user)
    identity = identity_of(user)
    username, display = new_pseudonym()
    _delete_what_served_only_them(user, identity, actor)
    first, _space, last = display.rpartition(" ")
    user.username, user.first_name, user.last_name, user.email = username, first, last, ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.groups.clear()
    user.user_permissions.clear()
    user._history_user = actor
    user.save()
    replaced = scrub(identity, display, actor=actor)
    logger.info("Erased user %s as %s: %s rows rewritten", user.pk, username, replaced)
    return display


def _delete_what_served_only_them(user: User, identity: Identity, actor: User) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from rest_framework.authtoken.models import Token

    from notifications.models import Notification, NotificationPreference

    for membership in Membership.objects.filter(user=user):
        membership._history_user = actor
        membership.delete()
    MemberInvitation.objects.filter(Q(invitee=user) | Q(email__in=identity.names)).filter(
        accepted_at__isnull=True, declined_at__isnull=True
    ).delete()
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    attempts = Q()
    for term in identity.terms:
        attempts |= Q(username__iexact=term)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(attempts).delete()
    delete_sessions_of(user)
    # Their own copies of their data: files in the store, which no column sweep reaches. The
    # files go once the transaction commits, so a failed erasure keeps them.
    from .models import PersonalExport

    for export in PersonalExport.objects.filter(user=user):
        if export.file:
            name, storage = export.file.name, export.file.storage
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        export.delete()


def delete_sessions_of(user: User) -> int:
    """Sign the person out everywhere: sessions store the user id encoded, so each is read."""
    doomed = [
        session.pk
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """Columns that may hold free text: characters, text, e-mail addresses, JSON."""
    kept = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField) or (
            isinstance(field, (models.CharField, models.TextField))
            and not isinstance(field, models.SlugField)
            and not field.choices
            and field.name != "password"
        ):
            kept.append(field)
    return kept


def scanned_models() -> list[type[models.Model]]:
    """Every concrete model, historical tables included."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.label_lower not in SKIPPED_MODELS
    ]


def scrub(identity: Identity, replacement: str, *, actor: User | None = None) -> int:
    """Rewrite every text and JSON column holding one of ``identity``'s terms; the count.

    A live record of an audited model gets a history row saying it was rewritten for an
    erasure; the rows of the history itself are rewritten in place (that is the point)."""
    if not identity.terms:
        return 0
    pattern = identity.pattern()
    rewritten = 0
    with recorded_bulk_write():
        for model in scanned_models():
            changed = _scrub_model(model, identity, pattern, replacement)
            rewritten += len(changed)
            if changed and is_audited(model):
                objs = list(models.QuerySet(model=model).filter(pk__in=changed))
                model.history.bulk_history_create(
                    objs, update=True, default_user=actor, default_change_reason=ERASURE_REASON
                )
    return rewritten


def _scrub_model(model, identity: Identity, pattern: re.Pattern, replacement: str) -> set:
    plain = models.QuerySet(model=model)  # past frozen records' guards, on purpose
    changed = set()
    for field in text_fields(model):
        for pk, value in _candidates(plain, field, identity):
            new = _replace(value, pattern, replacement)
            if isinstance(new, str) and getattr(field, "max_length", None):
                new = new[: field.max_length]
            if new != value:
                plain.filter(pk=pk).update(**{field.attname: new})
                changed.add(pk)
    return changed


def _candidates(queryset: models.QuerySet, field: models.Field, identity: Identity):
    if isinstance(field, models.JSONField):
        # JSON text may be stored escaped (é as \u00e9 on SQLite): read it, do not LIKE it.
        return queryset.exclude(**{f"{field.attname}__isnull": True}).values_list(
            "pk", field.attname
        )
    matches = Q()
    for term in identity.terms:
        matches |= Q(**{f"{field.attname}__icontains": term})
    return queryset.filter(matches).values_list("pk", field.attname)


def _replace(value, pattern: re.Pattern, replacement: str):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {
            _replace(key, pattern, replacement): _replace(item, pattern, replacement)
            for key, item in value.items()
        }
    return value


def mentions(value, terms) -> bool:
    """Whether ``value`` (text or JSON) holds one of ``terms``, in any case."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.casefold()
    return any(term.casefold() in text for term in terms)
