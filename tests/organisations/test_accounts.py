"""Accounts with django-allauth: signing up, verifying the address, signing in by username or
e-mail, resetting the password, two-factor authentication, the lockout and the old addresses."""

from __future__ import annotations

import importlib
import logging
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from organisations.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def sign_in(client, login: str, password: str = "password", **extra):
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def link_in(message) -> str:
    """The path of the first link to this site in an e-mail's text."""
    url = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert url, message.body
    return url.group(1)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed with allauth's own TOTP functions."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def setup_page(client):
    """The page to set up an authenticator app, after typing the password again as it asks."""
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(asked["Location"], {"password": "password"})
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    return page


def turn_on_two_factor(client, user) -> str:
    """Sign in, set up an authenticator app through allauth's pages; return its secret."""
    assert sign_in(client, user.username).status_code == 302
    secret = setup_page(client).context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    client.post(reverse("account_logout"))
    cache.clear()  # a code is taken once: the same one may be typed again in this test
    return secret


# --- Signing up and verifying the address ---------------------------------------------------
def test_sign_up_sends_a_verification_link_that_lets_the_person_sign_in(client, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "nora@example.org",
            "username": "nora",
            "password1": "Un-mot-de-passe-solide",
            "password2": "Un-mot-de-passe-solide",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session  # not before the address is verified
    user = User.objects.get(username="nora")
    assert not EmailAddress.objects.get(user=user).verified

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nora@example.org"]
    html = message.alternatives[0][0]
    assert "<html" in html and "/accounts/confirm-email/" in html  # templates/emails/base.html
    link = link_in(message)
    assert link.startswith("/accounts/confirm-email/")

    # Signing in before verifying only sends the link again.
    assert sign_in(client, "nora", "Un-mot-de-passe-solide")["Location"] == reverse(
        "account_email_verification_sent"
    )
    assert client.get(link).status_code == 200  # asks to confirm: a GET changes nothing
    assert client.post(link)["Location"] == reverse("account_login")
    assert EmailAddress.objects.get(user=user).verified

    by_email = sign_in(client, "NORA@example.org", "Un-mot-de-passe-solide")
    assert by_email.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    # With no organisation yet, home is the page that says what to do next.
    home = client.get(by_email["Location"], follow=True)
    assert "organisations/no_organisation.html" in [t.name for t in home.templates]

    client.post(reverse("account_logout"))
    assert sign_in(client, "nora", "Un-mot-de-passe-solide").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_password_fields_offer_the_reset_link_once_in_our_words(client, owner):
    """templates/account/password_reset_help_text.html, under allauth's password fields."""
    link = f'href="{reverse("account_reset_password")}"'
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count(link) == 1
    assert "Forgotten password?" in page and "Forgot your password?" not in page
    client.force_login(owner)
    page = client.get(reverse("account_change_password")).content.decode()
    assert page.count(link) == 1


def test_existing_accounts_sign_in_with_their_username_or_their_email(client, owner):
    assert sign_in(client, "alice").status_code == 302
    client.post(reverse("account_logout"))
    assert sign_in(client, "alice@example.org").status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_sign_in_page_is_the_apps_own(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="site-header"' in html and 'class="card narrow account"' in html
    assert 'name="login"' in html and 'name="password"' in html
    assert reverse("account_signup") in html and reverse("account_reset_password") in html
    assert "<style" not in html and " style=" not in html


# --- Password reset and e-mail change ----------------------------------------------------------
def test_password_reset_mails_a_link_in_the_users_language(client, owner, mailoutbox):
    owner.language = "en"
    owner.save()
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "Hello alice," in message.body  # English, as the account chose
    assert "Hello alice," in message.alternatives[0][0]
    link = link_in(message)
    assert link.startswith("/accounts/password/reset/key/")
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = {"password1": "Un-nouveau-mot-de-passe", "password2": "Un-nouveau-mot-de-passe"}
    assert client.post(form.redirect_chain[-1][0], new).status_code == 302
    assert sign_in(client, "alice", "Un-nouveau-mot-de-passe").status_code == 302


def test_changing_the_email_address_needs_the_new_one_verified(client, owner, mailoutbox):
    assert sign_in(client, "alice").status_code == 302
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "alice@nouvelle.example"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=owner, primary=True).email == "alice@example.org"
    assert mailoutbox[-1].to == ["alice@nouvelle.example"]
    page = client.get(reverse("account_email")).content.decode()
    assert "alice@nouvelle.example" in page and " style=" not in page
    client.post(link_in(mailoutbox[-1]))
    owner.refresh_from_db()
    assert owner.email == "alice@nouvelle.example"


# --- Two-factor authentication -----------------------------------------------------------------
def test_after_turning_on_two_factor_signing_in_asks_for_the_code(client, owner):
    secret = turn_on_two_factor(client, owner)
    response = sign_in(client, "alice")
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_setup_page_shows_the_qr_code_inline_for_the_csp(client, owner):
    sign_in(client, "alice")
    html = setup_page(client).content.decode()
    assert "<svg" in html and "data:image" not in html


@pytest.mark.parametrize("otp", [None, "", "000000"])
def test_the_api_token_needs_the_code_once_two_factor_is_on(client, owner, otp):
    turn_on_two_factor(client, owner)
    body = {"username": "alice", "password": "password"}
    if otp is not None:
        body["otp"] = otp
    response = APIClient().post(TOKEN, body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "otp" in response.json()
    assert "two-factor" in response.json()["otp"][0].lower()


def test_the_api_token_is_given_with_the_right_code(client, owner):
    secret = turn_on_two_factor(client, owner)
    body = {"username": "alice@example.org", "password": "password", "otp": totp_code(secret)}
    response = APIClient().post(TOKEN, body)
    assert response.status_code == 200
    assert "token" in response.json()


def test_accounts_without_two_factor_get_a_token_without_a_code(owner):
    assert APIClient().post(TOKEN, {"username": "alice", "password": "password"}).status_code == 200


def test_staff_must_set_up_two_factor_when_the_setting_asks(client, superuser, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert sign_in(client, "staff").status_code == 302
    for url in (reverse("admin:index"), reverse("home"), reverse("profile")):
        assert client.get(url)["Location"] == reverse("mfa_activate_totp"), url
    page = setup_page(client)
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(page.context["form"].secret)}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_are_not_asked_when_the_setting_is_off(client, superuser):
    assert not settings.MFA_REQUIRED_FOR_STAFF  # the embedded default and the tests
    sign_in(client, "staff")
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_signs_in_through_the_sites_sign_in(client, superuser):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=/admin/"
    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": "staff@example.org", "password": "password"}
    )
    assert response["Location"] == "/admin/"


def test_members_who_are_not_staff_are_refused_by_the_admin_not_looped(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


# --- One lockout, per account -----------------------------------------------------------------
def test_failures_with_the_username_and_the_email_add_up_to_one_lockout(client, editor):
    assert settings.AXES_FAILURE_LIMIT == 5
    for login in ("bob", "bob@example.org", "BOB@example.org", "bob", "Bob@Example.org"):
        response = sign_in(client, login, "wrong")
    assert response.status_code == 429
    assert "registration/lockout.html" in [t.name for t in response.templates]
    # Locked: the right password, by either name, is refused until the cool-off ends.
    assert sign_in(client, "bob@example.org").status_code == 429
    assert sign_in(client, "bob").status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_then_the_right_password_still_signs_in(client, editor):
    for login in ("bob", "bob@example.org", "bob", "bob@example.org"):
        assert sign_in(client, login, "wrong").status_code == 200
    assert sign_in(client, "bob@example.org").status_code == 302


def test_wrong_two_factor_codes_count_in_the_same_lockout(client, owner):
    secret = turn_on_two_factor(client, owner)
    assert sign_in(client, "alice")["Location"] == reverse("mfa_authenticate")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    locked = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert locked.status_code == 429
    # Locked: neither the right code nor, from a fresh start, the right password get in.
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 429
    assert "_auth_user_id" not in client.session
    assert sign_in(Client(), "alice@example.org").status_code == 429


# --- Old addresses and the header -------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/accounts/password_change/", "/accounts/password/change/"),
        ("/accounts/password_reset/", "/accounts/password/reset/"),
        ("/accounts/reset/MQ/old-token/", "/accounts/password/reset/"),
        ("/accounts/reset/done/", LOGIN),
    ],
)
def test_the_former_account_addresses_lead_to_the_new_pages(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_header_has_the_account_menu(client, owner):
    client.force_login(owner)
    html = client.get(reverse("profile")).content.decode()
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in html, name


# --- The data migration ----------------------------------------------------------------------
def test_the_migration_copies_addresses_and_reports_those_shared(caplog):
    migration = importlib.import_module("organisations.migrations.0005_account_emails")
    first = UserFactory(username="first", email="shared@example.org", verified_email=False)
    second = UserFactory(username="second", email="Shared@Example.org", verified_email=False)
    alone = UserFactory(username="alone", email="alone@example.org", verified_email=False)
    UserFactory(username="nomail", email="", verified_email=False)

    with caplog.at_level(logging.WARNING):
        shared = migration.copy_emails(apps)

    assert shared == {"shared@example.org": ["first", "second"]}
    assert "shared@example.org" in caplog.text and "first, second" in caplog.text
    copied = EmailAddress.objects.get(user=first)
    assert (copied.email, copied.verified, copied.primary) == ("shared@example.org", True, True)
    assert not EmailAddress.objects.filter(user=second).exists()
    assert EmailAddress.objects.get(user=alone).verified
    assert EmailAddress.objects.count() == 2
    # Run again, it changes nothing and reports the same.
    assert migration.copy_emails(apps) == shared
    assert EmailAddress.objects.count() == 2
