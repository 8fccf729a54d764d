from __future__ import annotations

import pytest
from django.urls import reverse

from organisations.models import MemberInvitation, Membership, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_url(name="members", **kwargs):
    return reverse(name, kwargs={"org_slug": "association-a", **kwargs})


def test_an_admin_invites_an_existing_user_by_username_or_email_without_making_them_a_member(
    client, owner, org_a
):
    dora = UserFactory(username="dora", email="dora@example.org")
    client.force_login(owner)
    client.post(members_url("member-add"), {"identifier": "DORA@example.org", "role": "editor"})
    assert not Membership.objects.filter(user=dora, organisation=org_a).exists()
    invitation = MemberInvitation.objects.get(invitee=dora, organisation=org_a)
    assert (invitation.role, invitation.invited) == ("editor", "dora@example.org")


def test_an_unknown_address_gets_an_invitation_by_email(
    client, owner, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(members_url("member-add"), {"identifier": "new@example.org", "role": "viewer"})
    invitation = MemberInvitation.objects.get(email="new@example.org")
    assert len(mailoutbox) == 1
    assert f"/accounts/join/{invitation.token}/" in mailoutbox[0].body
    assert "Association A" in mailoutbox[0].subject


def test_an_unknown_username_is_refused_with_a_hint(client, owner):
    client.force_login(owner)
    response = client.post(members_url("member-add"), {"identifier": "ghost", "role": "viewer"})
    assert "donnez son adresse e-mail" in response.content.decode()
    assert not MemberInvitation.objects.exists()


def test_an_invalid_address_is_refused_with_a_form_error(client, owner):
    # Found by tests/test_form_fuzz.py: the invitation's e-mail error crashed the view.
    client.force_login(owner)
    response = client.post(members_url("member-add"), {"identifier": "a@b@c", "role": "viewer"})
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    assert not MemberInvitation.objects.exists()


def test_the_invitation_link_creates_the_account_and_membership(client, owner, org_a):
    invitation = MemberInvitation.objects.create(
        organisation=org_a, email="new@example.org", role="editor", invited_by=owner
    )
    link = reverse("join", kwargs={"token": invitation.token})
    assert "Rejoindre Association A" in client.get(link).content.decode()
    response = client.post(
        link,
        {
            "username": "newbie",
            "first_name": "Noé",
            "last_name": "Nouveau",
            "language": "fr",
            "password1": "Un-mot-de-passe-solide-42",
            "password2": "Un-mot-de-passe-solide-42",
        },
    )
    assert response["Location"] == "/o/association-a/"
    user = User.objects.get(username="newbie")
    assert user.email == "new@example.org"
    assert Membership.objects.get(user=user).role == "editor"
    assert client.get(link).status_code == 404  # used once


def test_the_last_admin_cannot_be_demoted_or_removed(client, owner, org_a):
    client.force_login(owner)
    mine = Membership.objects.get(user=owner)
    client.post(members_url("member-role", pk=mine.pk), {"role": "viewer"})
    client.post(members_url("member-remove", pk=mine.pk))
    mine.refresh_from_db()
    assert mine.role == "admin"


def test_editors_see_members_but_cannot_manage(client, editor, viewer):
    client.force_login(editor)
    assert client.get(members_url()).status_code == 200
    target = Membership.objects.get(user=viewer)
    assert (
        client.post(members_url("member-role", pk=target.pk), {"role": "admin"}).status_code == 403
    )
    target.refresh_from_db()
    assert target.role == "viewer"


def test_the_last_admin_is_told_why_and_a_second_admin_lets_them_leave(client, owner, org_a):
    client.force_login(owner)
    mine = Membership.objects.get(user=owner)
    refused = client.post(members_url("member-remove", pk=mine.pk), follow=True)
    assert refused.status_code == 200
    assert [str(m) for m in refused.context["messages"]]  # the reason, in the page's language
    assert Membership.objects.filter(pk=mine.pk).exists()
    MembershipFactory(organisation=org_a, user=UserFactory(username="erin"), role="admin")
    client.post(members_url("member-role", pk=mine.pk), {"role": "editor"})
    mine.refresh_from_db()
    assert mine.role == "editor"
