"""The profile page: each person sets their own name, language and weekly digest."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.tasks import send_weekly_digest
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def test_the_weekly_digest_is_on_by_default(owner):
    assert owner.weekly_digest is True


def test_a_member_turns_the_weekly_digest_off_from_their_profile(
    client, owner, org_a, partnership, mailoutbox
):
    CommitmentFactory(party=partnership.parties.get(organisation=org_a), due_on="2000-01-01")
    client.force_login(owner)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="weekly_digest"' in page and "checked" in page
    response = client.post(reverse("profile"), {"language": "fr", "first_name": "Alice"})
    assert response["Location"] == reverse("profile")
    owner.refresh_from_db()
    assert (owner.weekly_digest, owner.first_name) == (False, "Alice")
    send_weekly_digest.delay()
    assert "alice@example.org" not in [m.to[0] for m in mailoutbox]


def test_the_profile_changes_only_the_signed_in_person(client, owner, editor):
    client.force_login(editor)
    client.post(reverse("profile"), {"language": "en", "weekly_digest": "on"})
    editor.refresh_from_db()
    owner.refresh_from_db()
    assert (editor.language, owner.language) == ("en", "fr")


def test_the_header_links_to_the_profile(client, owner, org_a):
    client.force_login(owner)
    page = client.get(reverse("partnerships:dashboard", args=[org_a.slug])).content.decode()
    assert f'href="{reverse("profile")}"' in page
