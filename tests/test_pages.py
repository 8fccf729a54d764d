from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sign_in_page_works_in_french_and_english(client):
    assert "Se connecter" in client.get(reverse("account_login")).content.decode()
    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in english.content.decode()


def test_signing_in_through_the_form_leads_to_the_dashboard(client, owner, partnership):
    response = client.post(
        reverse("account_login"), {"login": "alice", "password": "password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/o/association-a/"
    assert "Lecture au collège" in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(reverse("account_login"), {"login": "alice", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_home_goes_to_the_organisation_last_acted_for(client, owner, org_c):
    MembershipFactory(user=owner, organisation=org_c, role="viewer")
    client.force_login(owner)
    assert client.get("/")["Location"] == "/o/association-a/"
    client.get(f"/o/{org_c.slug}/")
    assert client.get("/")["Location"] == f"/o/{org_c.slug}/"


def test_a_user_without_organisation_is_told_what_to_do(client, db):
    client.force_login(UserFactory(username="lonely"))
    response = client.get("/")
    assert response.status_code == 200
    assert "Vous n'êtes encore membre d'aucune organisation" in response.content.decode()


def test_the_switcher_lists_every_organisation_of_the_user(client, owner, org_c):
    MembershipFactory(user=owner, organisation=org_c, role="viewer")
    client.force_login(owner)
    content = client.get("/o/association-a/").content.decode()
    assert "Fondation C" in content and "Association A" in content


def test_language_choice_is_remembered_for_the_user(client, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "en"
    client.cookies.clear()  # another device: no cookie, a French browser
    client.force_login(owner)
    response = client.get("/o/association-a/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Dashboard" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_password_reset_sends_a_link(client, owner, mailoutbox):
    owner.email = "alice@example.org"
    owner.save()
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_password_change_needs_the_old_password(client, owner):
    client.force_login(owner)
    url = reverse("account_change_password")
    new = {"password1": "Tr3s-s3cret!", "password2": "Tr3s-s3cret!"}
    response = client.post(url, {"oldpassword": "wrong", **new})
    assert response.status_code == 200
    response = client.post(url, {"oldpassword": "password", **new})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Tr3s-s3cret!")


def test_signing_out_needs_a_post(client, owner):
    client.force_login(owner)
    assert client.get(reverse("account_logout")).status_code == 200  # asks to confirm
    assert client.get("/").status_code == 302  # still signed in: to the dashboard
    assert client.get("/")["Location"] != reverse("account_login")
    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("account_login")
    assert client.get("/")["Location"].startswith(reverse("account_login"))
