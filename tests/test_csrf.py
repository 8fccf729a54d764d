"""CSRF on every unsafe request, htmx included: without the token, 403 and nothing written;
with the token sent as the pages send it (the form field, or htmx's header from <body>), it works.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.models import Commitment, Partnership
from tests import test_isolation
from tests.forms import form_data
from tests.test_isolation import PATTERNS, database_state, fill, send

pytestmark = pytest.mark.django_db

# The same objects as the isolation walk, so every URL pattern can be filled in.
world = test_isolation.world

# Exempt on purpose: the API token endpoint takes no cookie, only the credentials in its body,
# so a forged cross-site request has nothing to ride on.
# The one-click unsubscribe of e-mails (RFC 8058) is posted by mail programs without any cookie:
# its signed token is the authority, and it can only turn one kind of notification off.
EXEMPT = {"api:auth-token", "notification-unsubscribe"}
UNSAFE = ("post", "put", "patch", "delete")


@pytest.fixture
def guarded():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize(("name", "arguments"), PATTERNS, ids=[n for n, _a in PATTERNS])
def test_every_unsafe_request_without_the_token_is_refused(guarded, world, owner, name, arguments):
    url = reverse(name, kwargs=fill(name, arguments, world))
    guarded.force_login(owner)
    before = database_state()
    for method in UNSAFE:
        status = send(guarded, method, url).status_code
        if name in EXEMPT:
            assert status != 403, f"{method} {url}"
        else:
            assert status == 403, f"{method} {url}: {status}"
    assert database_state() == before


ANONYMOUS_FORMS = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "set_language",
    "account_logout",
]


@pytest.mark.parametrize("name", ANONYMOUS_FORMS)
def test_anonymous_forms_need_the_token_too(guarded, name):
    assert guarded.post(reverse(name), {"login": "bob", "password": "x"}).status_code == 403


def test_the_admin_needs_the_token(guarded, superuser, partnership):
    guarded.force_login(superuser)
    url = reverse("admin:partnerships_partnership_delete", args=[partnership.pk])
    assert guarded.post(url, {"post": "yes"}).status_code == 403
    assert Partnership.objects.filter(pk=partnership.pk).exists()
    page = guarded.get(url)
    token = form_data(page.content.decode(), None)["csrfmiddlewaretoken"]
    assert guarded.post(url, {"post": "yes", "csrfmiddlewaretoken": token}).status_code == 302
    assert not Partnership.objects.filter(pk=partnership.pk).exists()


def test_signing_in_with_the_forms_token_works(guarded, editor):
    page = guarded.get(reverse("account_login"))
    data = form_data(page.content.decode())
    data.update(login="bob", password="password")
    assert guarded.post(reverse("account_login"), data).status_code == 302


def test_a_page_form_with_its_token_works(guarded, owner, org_a):
    guarded.force_login(owner)
    url = reverse("partnerships:new", args=[org_a.slug])
    page = guarded.get(url).content.decode()
    data = form_data(page[page.index("<main") :])  # the first form of the page's content
    before = Partnership.objects.count()
    assert guarded.post(url, {**data, "csrfmiddlewaretoken": ""}).status_code == 403
    data["title"] = "Jardin partagé"
    response = guarded.post(url, data)
    assert response.status_code == 302
    assert Partnership.objects.count() == before + 1


def htmx_headers(html: str) -> dict[str, str]:
    """The headers htmx adds to every request: those of ``hx-headers`` on <body>."""
    found = re.search(r"<body hx-headers='([^']*)'", html)
    assert found, "no hx-headers on <body>"
    return json.loads(found.group(1))


def test_an_htmx_post_carries_the_token_from_the_body(guarded, owner, org_a, partnership):
    guarded.force_login(owner)
    workspace = guarded.get(
        reverse("partnerships:tab-commitments", args=[org_a.slug, partnership.pk])
    ).content.decode()
    data = form_data(workspace, "commitment-form")
    data.pop("csrfmiddlewaretoken", None)  # htmx sends the header; the field is for no-JS posts
    party = partnership.parties.get(organisation=org_a).pk
    data.update(party=party, title="Prêter la salle", due_on="2030-01-31")
    url = reverse("partnerships:commitment-add", args=[org_a.slug, partnership.pk])
    htmx = {"HX-Request": "true", "HX-Target": "tab-panel"}

    refused = guarded.post(url, data, headers=htmx)
    assert refused.status_code == 403
    assert not Commitment.objects.filter(title="Prêter la salle").exists()

    response = guarded.post(url, data, headers={**htmx, **htmx_headers(workspace)})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "<html" not in response.content.decode()  # the partial
    assert Commitment.objects.filter(title="Prêter la salle").exists()
