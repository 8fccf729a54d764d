from __future__ import annotations

from .models import MemberInvitation, Membership


def memberships(request) -> dict:
    """For the header: the active organisations the user can act for (the switcher) and how
    many invitations to join one wait for their answer. Both lazy."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def load():
        return list(
            Membership.objects.filter(user=user, organisation__active=True)
            .select_related("organisation")
            .order_by("organisation__name")
        )

    def pending():
        return MemberInvitation.objects.for_invitee(user).count()

    return {"user_memberships": load, "pending_member_invitations": pending}
