"""Signing in to the API: tokens, sessions, anonymous callers; the schema and its docs."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_a_token_is_given_for_a_username_and_password(api, owner):
    response = api().post(TOKEN, {"username": "alice", "password": "password"})
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=owner).key}


def test_wrong_credentials_are_refused_in_the_callers_language(api, owner):
    french = api().post(TOKEN, {"username": "alice", "password": "nope"})
    english = api().post(
        TOKEN, {"username": "alice", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert french.status_code == english.status_code == 400
    assert french.json()["non_field_errors"] == [
        "Impossible de se connecter avec les informations d'identification fournies."
    ]
    assert english.json()["non_field_errors"] == ["Unable to log in with provided credentials."]


def test_the_token_authenticates_requests(owner, partnership):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    assert client.get("/api/v1/partnerships/").json()["count"] == 1


def test_a_signed_in_session_works_too(client, owner, partnership):
    client.force_login(owner)
    assert client.get("/api/v1/partnerships/").json()["count"] == 1


def test_anonymous_callers_are_asked_for_a_token(api):
    response = api().get("/api/v1/partnerships/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")


def test_the_schema_is_served_in_the_callers_language(client):
    response = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Partenariats API"
    assert "/api/v1/partnerships/{partnership_id}/" in schema["paths"]


def test_the_docs_load_swagger_ui_from_our_own_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html
    bundle = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    assert client.get(bundle).status_code == 200
