from __future__ import annotations

from functools import cache

from .models import Notification


def unread_notifications(request) -> dict:
    """The header badge's count: one query, run only by a page that shows it, once."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return Notification.objects.for_user(user).unread().count()

    return {"unread_notifications": count}
