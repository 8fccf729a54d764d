"""Error pages in the app's look and the visitor's language; JSON under /api/."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils import translation

from core.error_pages import server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_apps_404_in_the_visitors_language(client):
    response = client.get("/nowhere/at/all/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert '<html lang="en">' in content and "Page not found" in content
    assert 'href="/static/css/app.css"' in content


def test_the_404_page_is_french_by_default(client):
    response = client.get("/nowhere/at/all/")
    assert '<html lang="fr">' in response.content.decode()


def test_a_signed_in_members_404_keeps_the_site_header(client, editor):
    client.force_login(editor)
    response = client.get("/o/association-a/partnerships/999999/")
    assert response.status_code == 404
    assert 'action="/accounts/logout/"' in response.content.decode()


def test_the_500_page_is_drawn_without_the_database(django_assert_num_queries):
    request = RequestFactory().get("/o/association-a/")
    with translation.override("en"), django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    content = response.content.decode()
    assert '<html lang="en">' in content and "Something went wrong on our side" in content


def test_a_server_error_under_api_is_json():
    response = server_error(RequestFactory().get("/api/v1/partnerships/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "detail" in json.loads(response.content)


def test_a_refusal_outside_a_view_is_json_under_api(client, settings):
    """A CSRF refusal is answered by Django itself (handler403), not by the API's views."""
    from django.core.exceptions import PermissionDenied

    from core.error_pages import permission_denied

    response = permission_denied(RequestFactory().post("/api/v1/x/"), PermissionDenied())
    assert response.status_code == 403 and "detail" in json.loads(response.content)
