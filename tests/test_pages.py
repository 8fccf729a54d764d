from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_page_works_in_french_and_english(client):
    assert "Se connecter" in client.get(reverse("login")).content.decode()
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in english.content.decode()


def test_signing_in_through_the_form_leads_home(client, owner, partnership):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Lecture au collège" in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_home_lists_only_what_the_user_may_see(client, outsider, partnership):
    client.force_login(outsider)
    content = client.get(reverse("home")).content.decode()
    assert "Lecture au collège" not in content
    assert "Collège B" in content


def test_home_shows_levels_with_their_labels(client, owner, partnership):
    from tests.factories import LevelAssessmentFactory

    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=6)
    client.force_login(owner)
    assert "6 · Partenariat de réciprocité" in client.get(reverse("home")).content.decode()


def test_home_query_count_does_not_grow_with_partnerships(
    client, owner, org_a, django_assert_num_queries
):
    from tests.factories import PartyFactory

    client.force_login(owner)
    for _ in range(3):
        PartyFactory(organisation=org_a)
    # session, user, memberships, partnerships with levels, their parties
    with django_assert_num_queries(5):
        client.get(reverse("home"))
    for _ in range(10):
        PartyFactory(organisation=org_a)
    with django_assert_num_queries(5):
        client.get(reverse("home"))


def test_signing_out_needs_a_post(client, owner):
    client.force_login(owner)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302
