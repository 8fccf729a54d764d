"""Production settings, security headers, sign-in lockout and the token endpoint's throttle."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from organisations.lockout import client_address

BASE = settings.BASE_DIR


def test_the_deploy_check_is_clean_with_the_production_environment():
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests for their own process only.
        if key
        not in {
            "DATABASE_URL",
            "DEBUG",
            "SECURE_HSTS_PRELOAD",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="partenariats.example.org",
        SITE_URL="https://partenariats.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_cache_url_gives_every_process_one_shared_cache_for_the_limits():
    environment = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/11"}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.CACHES)"],
        cwd=BASE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout, result.stderr
    assert "redis://127.0.0.1:6379/11" in result.stdout


# --- Headers ------------------------------------------------------------------------------
def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_html_pages_carry_the_security_headers(client, owner, superuser, partnership, org_a):
    pages = [reverse("account_login")]
    responses = [client.get(reverse("account_login"))]
    client.force_login(owner)
    workspace = reverse("partnerships:workspace", args=[org_a.slug, partnership.pk])
    pages += [
        reverse("partnerships:dashboard", args=[org_a.slug]),
        workspace,
        reverse("partnerships:list", args=[org_a.slug]),
    ]
    responses += [client.get(url) for url in pages[1:]]
    tab = reverse("partnerships:tab-commitments", args=[org_a.slug, partnership.pk])
    partial = client.get(tab, headers={"HX-Request": "true", "HX-Target": "tab-panel"})
    assert "<html" not in partial.content.decode()  # a partial indeed
    responses.append(partial)
    client.force_login(superuser)
    responses += [client.get(reverse("admin:index")), client.get(reverse("api-docs"))]
    for response in responses:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert response["Content-Type"].startswith("text/html")
        assert_secure_headers(response)
        assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client, owner, partnership, org_a):
    client.force_login(owner)
    for url in (
        reverse("partnerships:dashboard", args=[org_a.slug]),
        reverse("partnerships:workspace", args=[org_a.slug, partnership.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        # htmx is told not to inject its indicator <style> nor evaluate anything.
        assert '"includeIndicatorStyles": false' in html and '"allowEval": false' in html


@pytest.mark.django_db
def test_chart_svgs_may_style_themselves_but_never_run_scripts(client, owner, org_a):
    client.force_login(owner)
    response = client.get(reverse("partnerships:chart-levels", args=[org_a.slug]))
    assert response["Content-Type"] == "image/svg+xml"
    directives = policy(response)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]  # pygal's inline <script> stays blocked


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_a_url(client, owner):
    client.force_login(owner)
    html = client.get(reverse("api-docs")).content.decode()
    assert "<script>" not in html and "<style>" not in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
@pytest.mark.django_db
def test_hsts_is_sent_over_https(client):
    response = client.get(reverse("account_login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# --- Sign-in lockout ----------------------------------------------------------------------
def fail_to_sign_in(client, username: str, times: int):
    response = None
    for _ in range(times):
        response = client.post(reverse("account_login"), {"login": username, "password": "wrong"})
    return response


@pytest.mark.django_db
def test_repeated_failures_lock_the_username_out_with_a_clear_page(client, editor):
    limit = settings.AXES_FAILURE_LIMIT
    response = fail_to_sign_in(client, "bob", limit - 1)
    assert response.status_code == 200  # the form again, with its error
    response = fail_to_sign_in(client, "bob", 1)
    assert response.status_code == 429
    assert "registration/lockout.html" in [t.name for t in response.templates]
    assert "15" in response.content.decode()
    # Locked: even the right password is refused until the cool-off ends.
    response = client.post(reverse("account_login"), {"login": "bob", "password": "password"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_page_speaks_the_visitors_language(client, editor):
    fail_to_sign_in(client, "bob", settings.AXES_FAILURE_LIMIT)
    english = client.post(
        reverse("account_login"),
        {"login": "bob", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    french = client.post(
        reverse("account_login"),
        {"login": "bob", "password": "x"},
        headers={"Accept-Language": "fr"},
    )
    assert "Sign-in locked for a while" in english.content.decode()
    assert "Connexion bloquée" in french.content.decode()


@pytest.mark.django_db
def test_the_lockout_is_per_username_and_address(client, editor, viewer):
    fail_to_sign_in(client, "bob", settings.AXES_FAILURE_LIMIT)
    # Another username from the same address, and bob from another address, still get in.
    response = client.post(reverse("account_login"), {"login": "victor", "password": "password"})
    assert response.status_code == 302
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "bob", "password": "password"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_unlock_through_the_admin_and_the_user_signs_in_again(client, editor, superuser):
    fail_to_sign_in(client, "bob", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="bob")

    admin = type(client)()
    admin.force_login(superuser)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "bob" in listing.content.decode()
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(delete_url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(username="bob").exists()

    response = client.post(reverse("account_login"), {"login": "bob", "password": "password"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_count(client, editor):
    fail_to_sign_in(client, "bob", settings.AXES_FAILURE_LIMIT - 1)
    signed_in = client.post(reverse("account_login"), {"login": "bob", "password": "password"})
    assert signed_in.status_code == 302
    client.logout()
    response = fail_to_sign_in(client, "bob", settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200


# --- API token endpoint -------------------------------------------------------------------
@pytest.mark.django_db
def test_the_token_endpoint_throttles_password_guessing(client, editor):
    url = reverse("api:auth-token")
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth-token"].split("/")[0])
    statuses = [
        client.post(
            url, {"username": f"nobody{i}", "password": "x"}, content_type="application/json"
        ).status_code
        for i in range(rate + 1)
    ]
    assert statuses[:rate] == [400] * rate
    assert statuses[rate] == 429
    response = client.post(
        url, {"username": "bob", "password": "password"}, content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["detail"]
    assert "Retry-After" in response


@pytest.mark.django_db
def test_a_made_up_forwarded_address_does_not_reset_the_token_throttle(client, editor):
    url = reverse("api:auth-token")
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth-token"].split("/")[0])
    statuses = [
        client.post(
            url,
            {"username": f"nobody{i}", "password": "x"},
            content_type="application/json",
            headers={"X-Forwarded-For": f"9.9.9.{i}"},
        ).status_code
        for i in range(rate + 1)
    ]
    assert statuses[rate] == 429


def test_the_token_endpoint_answers_a_lockout_in_the_api_shape(client, editor):
    url = reverse("api:auth-token")
    body = {"username": "bob", "password": "wrong"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, body, content_type="application/json")
    response = client.post(
        url, body, content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Too many failed sign-ins" in response.json()["detail"]


# --- Client address -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy: the header is the client's, ignored
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # what our proxy appended
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_ignores_what_the_client_forwards(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(PROXY_COUNT=proxies):
        assert client_address(request) == expected


@pytest.mark.django_db
def test_a_very_long_username_is_counted_not_a_server_error(client):
    # A 255-character column holds the username; Django's form does not cut it (PostgreSQL
    # refused the row: found by tests/test_form_fuzz.py).
    username = "u" * 5000
    response = fail_to_sign_in(client, username, 1)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == username[:255]
    api = client.post(
        reverse("api:auth-token"),
        {"username": username, "password": "x"},
        content_type="application/json",
    )
    assert api.status_code == 400


@pytest.mark.django_db
def test_password_reset_requests_are_capped_per_address(client, editor, mailoutbox):
    url = reverse("account_reset_password")
    limit = settings.PASSWORD_RESET_LIMIT
    for _ in range(limit):
        assert client.post(url, {"email": editor.email}).status_code == 302
    response = client.post(url, {"email": editor.email}, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert "sent too often from your address" in response.content.decode()
    assert len(mailoutbox) == limit
    other = client.post(url, {"email": editor.email}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_sign_in_attempts_are_capped_per_address_whatever_the_username(client, editor, settings):
    settings.SIGN_IN_LIMIT = 3
    url = reverse("account_login")
    for i in range(3):  # spraying: one try on each of many usernames, under axes' radar
        assert client.post(url, {"login": f"user{i}", "password": "x"}).status_code == 200
    assert client.post(url, {"login": "bob", "password": "password"}).status_code == 429
    other = client.post(url, {"login": "bob", "password": "password"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
