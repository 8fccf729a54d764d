"""What a locked-out sign-in gets (django-axes calls ``lockout_response``).

A page in the visitor's language on the sign-in form, the API's error shape on the token
endpoint; both 429, as for any other throttling.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

STATUS = 429


def client_address(request: HttpRequest) -> str:
    """The client's address, as seen by the outermost of our PROXY_COUNT reverse proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the
    last PROXY_COUNT entries are ours; anything to their left is whatever the client sent, and
    trusting it would let an attacker dodge the lockout by varying it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.PROXY_COUNT:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote
    return forwarded[-settings.PROXY_COUNT]


# django-axes keeps the username in a 255-character column. Django's sign-in form does not
# enforce the username's max_length (only its widget does) and the API takes any length, so a
# longer one would fail to be stored on PostgreSQL (found by tests/test_form_fuzz.py).
USERNAME_STORED = 255


# Where the typed username or e-mail address is found: allauth passes ``username`` or ``email``
# to authenticate(), its form posts ``login``; the API token endpoint posts ``username``.
CREDENTIAL_FIELDS = ("username", "email", "login")


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt is counted under: its username, cut to what the table stores.

    A username and the account's e-mail address are one account, so failures with either add
    up; what matches no account is counted as typed (lower-cased, as e-mail addresses are).
    """
    source = credentials or getattr(request, "data", request.POST)
    typed = next((source.get(f) for f in CREDENTIAL_FIELDS if source.get(f)), None)
    if not isinstance(typed, str):
        return typed
    username = account_username(typed[:USERNAME_STORED])
    return username[:USERNAME_STORED]


def account_username(typed: str) -> str:
    from allauth.account.models import EmailAddress

    from .models import User

    if "@" in typed:
        owners = {
            *EmailAddress.objects.filter(email__iexact=typed).values_list("user_id", flat=True)[:2],
            *User.objects.filter(email__iexact=typed).values_list("pk", flat=True)[:2],
        }
        if len(owners) == 1:
            return User.objects.get(pk=owners.pop()).username
        return typed.lower()
    users = list(User.objects.filter(username__iexact=typed).values_list("username", flat=True)[:2])
    return users[0] if len(users) == 1 else typed


def cooloff_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return ngettext(
        "Too many failed sign-ins for this username from your address. Try again in "
        "%(minutes)d minute, or ask an administrator to unlock it.",
        "Too many failed sign-ins for this username from your address. Try again in "
        "%(minutes)d minutes, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=STATUS)
    context = {"minutes": cooloff_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/lockout.html", context, status=STATUS)
