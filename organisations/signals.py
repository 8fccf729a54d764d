"""What a person is told as they sign in, and the events of organisations that other apps tell
people about (``member_invited``: an account was invited to join an organisation)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Organisation

# Sent inside the transaction that records the invitation, with ``invitation``.
member_invited = Signal()


@receiver(user_logged_in, dispatch_uid="organisations.deactivated_organisations_notice")
def tell_about_deactivated_organisations(sender, request, user, **kwargs) -> None:
    """Members of a deactivated organisation learn why its pages are gone (they answer 404)."""
    if request is None:
        return
    names = list(
        Organisation.objects.filter(memberships__user=user, active=False)
        .order_by("name")
        .values_list("name", flat=True)
    )
    # The page after signing in speaks the person's language, not the sign-in form's.
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        for name in names:
            messages.warning(
                request,
                _(
                    "The organisation %(organisation)s has been deactivated by the platform staff: "
                    "its pages are no longer available."
                )
                % {"organisation": name},
                fail_silently=True,
            )


# Events of the organisations app that other apps (notifications) listen to; this app imports
# none of them. Each is sent once the change is committed.
#: A person asks to join an organisation, or an organisation to belong to a system.
#: Arguments: ``join_request`` (a JoinRequest).
organisation_join_requested = Signal()
#: The organisation's administrators approved or refused a request to join.
#: Arguments: ``join_request`` (a JoinRequest, its ``state`` says the answer), ``actor``.
organisation_join_answered = Signal()
