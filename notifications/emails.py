"""E-mails to one person: in their language, with a plain-text and an HTML part, absolute links.

Background tasks have no request, so links are built from ``settings.SITE_URL`` and the
language comes from the recipient's profile, never from whoever triggered the task.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

if TYPE_CHECKING:
    from organisations.models import User


# Line breaks and runs of ordinary spaces; not the no-break spaces of French typography.
BREAKABLE_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


def one_line(text: str) -> str:
    """A subject on one line, keeping the no-break space French puts before ``: ; ? !``."""
    return BREAKABLE_SPACE.sub(" ", text).strip(" ")


def absolute_url(viewname: str, **kwargs) -> str:
    """The full address of a page, for a link that is read outside the site."""
    return settings.SITE_URL + reverse(viewname, kwargs=kwargs or None)


def send_to_user(
    *,
    user: User,
    template: str,
    context: dict,
    headers: dict | None = None,
    attachments: list[dict] | None = None,
) -> None:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` for ``user``, send them.

    Everything is rendered under the user's language, dates and numbers included. Each of
    ``attachments`` is a dict with ``filename``, ``content`` (text) and ``mimetype``.
    """
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "site_url": settings.SITE_URL,
            "profile_url": absolute_url("profile"),
            **context,
        }
        subject = one_line(render_to_string(f"emails/{template}_subject.txt", context))
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email], headers=headers)
    message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    message.send()
