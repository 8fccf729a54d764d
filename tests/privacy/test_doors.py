"""The doors to erasure and to one's own data: the profile pages, the API and the admin."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organisations.models import User
from privacy.erasure import is_erased
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(org_a, owner):
    user = UserFactory(
        username="dana_w", first_name="Dana", last_name="Wexler", email="dana@exemple.fr"
    )
    MembershipFactory(user=user, organisation=org_a, role="editor")
    return user


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# --- Pages ----------------------------------------------------------------------------------
def test_the_profile_leads_to_my_data_the_notice_and_deleting_the_account(client, dana):
    client.force_login(dana)
    page = client.get(reverse("profile")).content.decode()
    for name in ("my-data", "privacy-notice", "account-delete"):
        assert reverse(name) in page


def test_deleting_the_account_asks_the_password_and_a_tick_first(client, dana):
    client.force_login(dana)
    url = reverse("account-delete")
    assert client.get(url).status_code == 200
    assert client.post(url, {"password": "password"}).status_code == 400  # no tick
    assert client.post(url, {"password": "wrong", "confirm": "on"}).status_code == 400
    dana.refresh_from_db()
    assert dana.is_active

    response = client.post(url, {"password": "password", "confirm": "on"})
    assert response.status_code == 302
    dana.refresh_from_db()
    assert is_erased(dana)
    assert "_auth_user_id" not in client.session


def test_the_last_administrator_is_told_to_hand_over_first(client, owner, org_a):
    client.force_login(owner)
    page = client.get(reverse("account-delete"))
    assert reverse("members", args=[org_a.slug]) in page.content.decode()
    refused = client.post(reverse("account-delete"), {"password": "password", "confirm": "on"})
    assert refused.status_code == 400
    owner.refresh_from_db()
    assert owner.is_active and not is_erased(owner)


def test_my_data_page_and_json(client, dana, partnership, carla):
    client.force_login(dana)
    page = client.get(reverse("my-data"))
    assert page.status_code == 200 and "dana_w" in page.content.decode()
    download = client.get(reverse("my-data"), {"format": "json"})
    assert download["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(download.content)
    assert data["account"]["email"] == "dana@exemple.fr"
    assert [m["slug"] for m in data["memberships"]] == ["association-a"]


def test_the_privacy_notice_is_open_to_all_and_linked_from_every_page(client, settings, dana):
    settings.PLATFORM_OPERATOR_NAME = "Fédération des centres sociaux"
    settings.PLATFORM_OPERATOR_EMAIL = "dpo@exemple.fr"
    notice = client.get(reverse("privacy-notice"), HTTP_ACCEPT_LANGUAGE="en")
    text = notice.content.decode()
    assert notice.status_code == 200
    assert "Fédération des centres sociaux" in text and "dpo@exemple.fr" in text
    assert "365" in text  # notifications, from RETENTION_DAYS
    assert reverse("privacy-notice") in client.get(reverse("account_signup")).content.decode()
    client.force_login(dana)
    assert reverse("privacy-notice") in client.get(reverse("profile")).content.decode()


# --- API ------------------------------------------------------------------------------------
def test_api_erasure_needs_the_password(dana):
    client = token_client(dana)
    assert client.delete(reverse("api:me"), {}, format="json").status_code == 400
    assert client.delete(reverse("api:me"), {"password": "no"}, format="json").status_code == 403
    dana.refresh_from_db()
    assert dana.is_active

    assert (
        client.delete(reverse("api:me"), {"password": "password"}, format="json").status_code == 204
    )
    dana.refresh_from_db()
    assert is_erased(dana)
    assert client.get(reverse("api:me-export")).status_code == 401  # the token went with it


def test_api_erasure_of_the_last_administrator_is_a_conflict(owner):
    response = token_client(owner).delete(
        reverse("api:me"), {"password": "password"}, format="json"
    )
    assert response.status_code == 409
    owner.refresh_from_db()
    assert owner.is_active


def test_api_export_is_the_callers_own(dana, owner):
    data = token_client(dana).get(reverse("api:me-export")).json()
    assert data["account"]["username"] == "dana_w"
    assert "alice" not in json.dumps(data)
    assert APIClient().get(reverse("api:me-export")).status_code == 401


# --- Admin ----------------------------------------------------------------------------------
def test_staff_erase_a_person_from_the_admin_after_a_confirmation(client, superuser, dana):
    client.force_login(superuser)
    url = reverse("admin:organisations_user_changelist")
    chosen = {"action": "erase_people", "_selected_action": [dana.pk]}
    confirm = client.post(url, chosen)
    assert confirm.status_code == 200 and "dana_w" in confirm.content.decode()
    dana.refresh_from_db()
    assert not is_erased(dana)

    client.post(url, {**chosen, "confirm": "yes"})
    dana.refresh_from_db()
    assert is_erased(dana)
    assert User.objects.get(pk=superuser.pk).is_active
