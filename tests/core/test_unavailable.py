"""A database that does not answer is a 503 with Retry-After, never a 500 (core/unavailable.py)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db
MESSAGE = "The service is briefly unavailable. Try again in a few seconds."


def database_down(error=None):
    return mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=error or OperationalError("server closed the connection unexpectedly"),
    )


def french(msgid: str) -> str:
    with translation.override("fr"):
        return translation.gettext(msgid)


def test_a_page_while_the_database_is_down_is_a_503(client, editor, org_a):
    client.raise_request_exception = False
    client.force_login(editor)
    with database_down():
        response = client.get(reverse("partnerships:dashboard", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert french(MESSAGE).replace("'", "&#x27;") in response.content.decode()


def test_an_api_call_while_the_database_is_down_is_a_503_in_json(client, editor):
    client.raise_request_exception = False
    client.force_login(editor)
    with database_down():
        response = client.get("/api/v1/notifications/")
    assert response.status_code == 503
    assert response.json() == {"detail": french(MESSAGE)}


def test_any_other_error_is_still_a_500(client, editor, org_a):
    client.raise_request_exception = False
    client.force_login(editor)
    with database_down(RuntimeError("a bug")):
        response = client.get(reverse("partnerships:dashboard", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 500
