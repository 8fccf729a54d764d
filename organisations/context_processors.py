from __future__ import annotations

from .access import active_memberships


def memberships(request) -> dict:
    """The active organisations the user can act for, for the switcher in the header (lazy:
    an organisation's page has them from its gate already)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        found = getattr(request, "active_memberships", None)
        return active_memberships(user) if found is None else found

    return {"user_memberships": load}
