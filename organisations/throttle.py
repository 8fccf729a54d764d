"""Caps on how often one address may post a form: the password reset (it sends e-mail) and
the sign-in (against password spraying across many usernames)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .lockout import client_address


def limit_posts(scope: str, limit: Callable[[], int], period: int = 3600):
    """At most ``limit()`` POSTs per client address and ``period`` seconds; then 429."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST" and _count(scope, request, period) > limit():
                context = {"minutes": max(1, period // 60)}
                return render(request, "registration/too_many_requests.html", context, status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _count(scope: str, request: HttpRequest, period: int) -> int:
    key = f"limit-posts:{scope}:{client_address(request)}"
    cache.add(key, 0, period)  # starts the period on the first post only
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, period)
        return 1


def password_reset_limit() -> int:
    return settings.PASSWORD_RESET_LIMIT


def sign_in_limit() -> int:
    return settings.SIGN_IN_LIMIT
