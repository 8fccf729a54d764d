"""The style guide is for staff: everybody else gets 404, anonymous visitors sign in first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_every_component(client):
    client.force_login(UserFactory(is_staff=True))
    content = client.get(reverse("styleguide")).content.decode()
    for marker in ('class="tabs"', 'class="primary"', "empty-state"):
        assert marker in content
    assert "required-hint" in content and "errorlist" in content


def test_others_get_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("styleguide")).status_code == 404


def test_anonymous_visitors_sign_in_first(client):
    response = client.get(reverse("styleguide"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
