"""Security e-mails: a person hears when their password, address or two-factor settings change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.organisations.test_accounts import link_in, sign_in, turn_on_two_factor

pytestmark = pytest.mark.django_db


def test_changing_the_password_sends_a_security_email(client, owner, mailoutbox):
    sign_in(client, "alice")
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "password", "password1": "n0uveau-Secret!", "password2": "n0uveau-Secret!"},
    )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]
    assert "mot de passe" in mailoutbox[0].subject.lower()


def test_changing_the_email_address_tells_the_former_one(client, owner, mailoutbox):
    sign_in(client, "alice")
    client.post(reverse("account_email"), {"action_add": "", "email": "alice@nouvelle.example"})
    client.post(link_in(mailoutbox[-1]))
    assert ["alice@example.org"] in [m.to for m in mailoutbox[1:]]


@pytest.mark.django_db(transaction=True)  # allauth sends it once committed, in the request
def test_turning_on_two_factor_sends_a_security_email(client, owner, mailoutbox):
    turn_on_two_factor(client, owner)
    assert any(m.to == ["alice@example.org"] for m in mailoutbox)
