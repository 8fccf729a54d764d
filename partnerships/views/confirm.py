"""Irreversible steps ask first, the same way for each of them.

The step's button posts without ``confirmed``; the view checks the policy (404, 403, 409) and
the object's state first, then answers this page (200): what will happen, in plain words, a
"Confirm" button that posts ``confirmed=1`` with what was posted, and "Cancel" back. Nothing
changes until that second POST, so a single forged POST never acts. It works alike with and
without JavaScript (the buttons are plain forms, not htmx).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


@dataclass
class Confirmation:
    """What the page says: a question, the consequences, and what the step needs again."""

    title: str
    consequences: list[str]
    cancel_url: str
    subject: str = ""  # what the step is about (a title, a reason…), shown as it is
    subject_label: str = ""
    carried: Iterable[str] = ()  # posted fields to post again with the confirmation
    question: str = ""  # asked before the step, with a box to tick (``tick_name``)
    tick_name: str = ""
    tick_label: str = ""
    error: str = ""


def render_confirmation(
    request: HttpRequest, membership, confirmation: Confirmation, partnership=None, may=None
) -> HttpResponse:
    carried = [(name, request.POST.get(name, "")) for name in confirmation.carried]
    return render(
        request,
        "partnerships/confirm.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "may": may,
            "confirmation": confirmation,
            "carried": carried,
        },
    )
