from __future__ import annotations

from .models import Membership


def memberships(request) -> dict:
    """The active organisations the user can act for, for the switcher in the header (lazy)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        return list(
            Membership.objects.filter(user=user, organisation__active=True)
            .select_related("organisation")
            .order_by("organisation__name")
        )

    return {"user_memberships": load}
