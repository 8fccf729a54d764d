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


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a sign-in attempt is counted under, cut to what the table stores."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username[:USERNAME_STORED] if isinstance(username, str) else username


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
