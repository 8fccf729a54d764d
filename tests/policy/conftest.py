"""Doors of the matrix: a page client and an API client for the acting person."""

from __future__ import annotations

from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from .routes import Op
from .world import ACTING_SLUG


def url_of(op: Op, w) -> str:
    kwargs = {}
    for name, source in op.args.items():
        kwargs[name] = ACTING_SLUG if source == "acting_slug" else w.obj[source].pk
    if not op.is_api:
        kwargs["org_slug"] = ACTING_SLUG
    url = reverse(op.route, kwargs=kwargs)
    if op.is_api:
        url += f"?organisation={ACTING_SLUG}"
    return url


def classify(status: int) -> str:
    """allowed: the request passed the gates (2xx, a redirect after a page POST, or 400 for an
    invalid body); otherwise the refusal's status."""
    if status in (403, 404, 405, 409):
        return str(status)
    if 200 <= status < 400 or status == 400:
        return "allowed"
    return f"error {status}"


def send(op: Op, w) -> tuple[str, int]:
    """The request of ``op`` by the acting person, rolled back afterwards; (class, status).

    A page route that does not exist answers 405: the pages do not offer the method."""
    try:
        url = url_of(op, w)
    except NoReverseMatch:
        return "405", 0
    body = op.body(w) if op.body else {}
    with transaction.atomic():
        if op.is_api:
            client = APIClient()
            client.force_authenticate(w.user)
            call = getattr(client, op.method.lower())
            response = call(url, body, format="json") if op.method != "GET" else call(url)
        else:
            client = Client(raise_request_exception=False)
            client.force_login(w.user)
            call = getattr(client, op.method.lower())
            response = call(url, body) if op.method == "POST" else call(url)
        transaction.set_rollback(True)
    return classify(response.status_code), response.status_code
