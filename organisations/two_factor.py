"""Two-factor authentication (allauth.mfa) where this project adds to it.

- Platform staff must turn it on (``MFA_REQUIRED_FOR_STAFF``): until they have, every page
  sends them to set up an authenticator app.
- A wrong code counts as a failed sign-in for django-axes, like a wrong password, so one
  lockout covers both steps (allauth's own failure count is off: ``ACCOUNT_RATE_LIMITS``).
- The API token endpoint asks for the code of an account that has it on (``code_is_valid``).
"""

from __future__ import annotations

from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .lockout import lockout_message
from .models import User
from .permissions import must_set_up_two_factor

# What a staff member without two-factor authentication may still reach: setting it up (the
# app, then the recovery codes, after confirming the password if asked), signing out, the
# language.
SETUP_URL_NAMES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_reauthenticate",
    "account_logout",
    "set_language",
}


def has_two_factor(user: User) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


class StaffTwoFactorMiddleware:
    """Sends platform staff without two-factor authentication to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        match = request.resolver_match
        if match and match.url_name in SETUP_URL_NAMES:
            return None
        if must_set_up_two_factor(user, has_two_factor):
            messages.warning(
                request,
                _(
                    "As platform staff, you sign in with a second factor: set up an "
                    "authenticator app to go on."
                ),
            )
            return redirect("mfa_activate_totp")
        return None


class LockedOutAuthenticateForm(AuthenticateForm):
    """allauth's code form, refused while django-axes has the account locked out."""

    def clean_code(self) -> str:
        request = _django_request()
        credentials = {"username": self.user.get_username()}
        if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True  # AxesMiddleware answers with the lockout page
            raise ValidationError(lockout_message())
        return super().clean_code()

    def _emit_authentication_failed(self, authenticator: Authenticator) -> None:
        super()._emit_authentication_failed(authenticator)
        request = _django_request()
        # Counted by django-axes under the account, as a wrong password would be.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.user.get_username()},
            request=request,
        )


def _django_request() -> HttpRequest | None:
    from allauth.core import context

    request = getattr(context, "request", None)
    return getattr(request, "_request", request)


def code_is_valid(user: User, code: str) -> bool:
    """Whether ``code`` (from the authenticator app, or a recovery code) is the user's.

    A wrong code is counted by django-axes; a good one is recorded as used.
    """
    form = LockedOutAuthenticateForm(user=user, data={"code": code})
    if not form.is_valid():
        return False
    form.authenticator.record_usage()
    return True
