"""How django-allauth fits this project: client addresses, e-mails and where sign-in leads.

allauth runs the account flows (sign-up, e-mail verification, sign-in, password reset, e-mail
change, two-factor authentication); this adapter only adjusts what differs here.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation

from .lockout import client_address
from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # The same reading of X-Forwarded-For as the sign-in lockout (PROXY_COUNT).
        return client_address(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Sent in the recipient's language, as text and as HTML in the project's e-mail look.

        The recipient is the account the message is about, or the one owning the address; a
        stranger (an address no account has) gets the language of the request.
        """
        user = context.get("user") or recipient(email)
        language = user.language if user else translation.get_language()
        with translation.override(language or settings.LANGUAGE_CODE):
            super().send_mail(template_prefix, email, {"user": user, **context})

    def render_mail(self, template_prefix, email, context, headers=None) -> EmailMessage:
        context = {"site_url": settings.SITE_URL, **context}
        message = super().render_mail(template_prefix, email, context, headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            # allauth's messages are text templates: the same content, rendered once more
            # without the greeting and signature, goes into templates/emails/base.html.
            content = render_to_string(
                f"{template_prefix}_message.txt", {**context, "html_part": True}
            ).strip()
            html = render_to_string("emails/account.html", {**context, "content": content})
            message.attach_alternative(html, "text/html")
        return message


def recipient(email: str) -> User | None:
    """The account an address belongs to, if exactly one has it."""
    owners = list(User.objects.filter(emailaddress__email__iexact=email).distinct()[:2])
    if not owners:
        owners = list(User.objects.filter(email__iexact=email)[:2])
    return owners[0] if len(owners) == 1 else None
