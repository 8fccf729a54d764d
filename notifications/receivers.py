"""Events of the organisations app, told to the people concerned (organisations sends signals:
it knows nothing of notifications)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from organisations.signals import member_invited

from .kinds import MEMBER_INVITED
from .services import Recipient, notify


@receiver(member_invited, dispatch_uid="notifications.member_invited")
def tell_the_person_invited(sender, invitation, **kwargs) -> None:
    """The account invited hears of it, about itself (it is no member yet)."""
    if invitation.invitee_id is None:
        return  # invited by address: the join link is e-mailed by organisations itself
    notify(
        MEMBER_INVITED.key,
        [Recipient(invitation.invitee)],
        event_key=f"member_invited:{invitation.pk}",
        url=reverse("member-invitations"),
        params={"organisation": invitation.organisation.name},
    )
