"""Nobody becomes a member of an organisation without consenting to it.

An administrator who names an existing account invites it; the person invited accepts or
declines in the application, told by e-mail in their own language. Until then the organisation
sees nothing of them but what the administrator typed.
"""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from organisations.models import MemberInvitation, Membership
from organisations.services import invitation_accept, member_add, member_invite
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("member-add", kwargs={"org_slug": "association-a"})
MEMBERS = reverse("members", kwargs={"org_slug": "association-a"})
MINE = reverse("member-invitations")


@pytest.fixture
def dora(db):
    return UserFactory(
        username="dora", email="dora.secret@example.org", first_name="Dora", last_name="Dupin"
    )


def invite(owner, user, role="editor"):
    """The owner of organisation A invites ``user`` by their username."""
    organisation = owner.memberships.get().organisation
    return member_add(actor=owner, organisation=organisation, identifier=user.username, role=role)


def page(response) -> str:
    return unescape(response.content.decode())


def accept_url(invitation):
    return reverse("member-invitation-accept", kwargs={"pk": invitation.pk})


def decline_url(invitation):
    return reverse("member-invitation-decline", kwargs={"pk": invitation.pk})


def test_adding_an_existing_account_on_the_page_makes_no_member_until_they_accept(
    client, owner, org_a, dora
):
    client.force_login(owner)
    response = client.post(ADD, {"identifier": "dora", "role": "editor"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=dora, organisation=org_a).exists()
    assert MemberInvitation.objects.get(organisation=org_a).invitee == dora


def test_the_inviter_sees_only_what_they_typed_never_the_address_or_name(
    client, owner, org_a, dora
):
    client.force_login(owner)
    response = client.post(ADD, {"identifier": "dora", "role": "viewer"}, follow=True)
    page = response.content.decode()
    assert "dora" in page
    assert "dora.secret@example.org" not in page
    assert "Dupin" not in page


def test_the_superuser_cannot_be_made_a_member_without_consent(client, owner, org_a, superuser):
    client.force_login(owner)
    client.post(ADD, {"identifier": superuser.email, "role": "admin"})
    assert not Membership.objects.filter(user=superuser).exists()
    assert MemberInvitation.objects.get(organisation=org_a).invitee == superuser


def test_the_invitee_is_emailed_after_commit_in_their_own_language_with_the_page_link(
    owner, org_a, mailoutbox, django_capture_on_commit_callbacks
):
    english = UserFactory(username="emma", email="emma@example.org", language="en")
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = invite(owner, english)
    assert mailoutbox == []  # nothing leaves before the invitation is saved for good
    for callback in callbacks:
        callback()
    [message] = mailoutbox
    assert message.to == ["emma@example.org"]
    assert message.subject == ("Association A invites you to join it on the partnership tracker")
    assert settings.SITE_URL + MINE in message.body
    assert invitation.token not in message.body
    with translation.override("fr"):
        french_subject = gettext(
            "%(organisation)s invites you to join it on the partnership tracker"
        ) % {"organisation": "Association A"}
    mailoutbox.clear()
    french = UserFactory(username="fanny", email="fanny@example.org", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner, french)
    assert mailoutbox[0].subject == french_subject


def test_the_invitee_sees_and_accepts_the_invitation_and_lands_on_the_dashboard(
    client, owner, org_a, dora
):
    invitation = invite(owner, dora, role="editor")
    client.force_login(dora)
    listing = page(client.get(MINE))
    assert "Association A" in listing and accept_url(invitation) in listing
    assert decline_url(invitation) in listing and "csrfmiddlewaretoken" in listing
    assert reverse("member-invitations") in client.get(reverse("profile")).content.decode()
    response = client.post(accept_url(invitation))
    assert response["Location"] == reverse("partnerships:dashboard", args=["association-a"])
    assert Membership.objects.get(user=dora, organisation=org_a).role == "editor"
    assert accept_url(invitation) not in page(client.get(MINE))
    # Once a member, fellow members see the address: they consented.
    client.force_login(owner)
    assert "dora.secret@example.org" in client.get(MEMBERS).content.decode()


def test_the_invitee_declines_and_the_invitation_leaves_both_lists(client, owner, org_a, dora):
    invitation = invite(owner, dora)
    client.force_login(dora)
    response = client.post(decline_url(invitation))
    assert response["Location"] == MINE
    invitation.refresh_from_db()
    assert invitation.declined_at is not None and invitation.accepted_at is None
    assert not Membership.objects.filter(user=dora, organisation=org_a).exists()
    assert accept_url(invitation) not in page(client.get(MINE))
    client.force_login(owner)
    assert ">dora —" not in client.get(MEMBERS).content.decode().replace("\n", "")
    # Declined, the person may be invited again.
    assert invite(owner, dora).pk != invitation.pk


@pytest.mark.parametrize("who", ["owner", "outsider", "viewer"])
def test_nobody_but_the_invitee_answers_an_invitation(client, request, owner, org_a, dora, who):
    invitation = invite(owner, dora)
    client.force_login(request.getfixturevalue(who))
    assert client.post(accept_url(invitation)).status_code == 404
    assert client.post(decline_url(invitation)).status_code == 404
    assert accept_url(invitation) not in page(client.get(MINE))
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert not Membership.objects.filter(user=dora).exists()


def test_an_account_invitation_has_no_usable_join_link(client, owner, outsider, dora):
    invitation = invite(owner, dora)
    client.force_login(outsider)
    link = reverse("join", kwargs={"token": invitation.token})
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    with translation.override("en"), pytest.raises(Exception, match="somebody else"):
        invitation_accept(invitation=invitation, user=outsider)
    assert not Membership.objects.filter(user=outsider, organisation=invitation.organisation)


def test_a_second_pending_invitation_for_the_same_person_is_refused(client, owner, org_a, dora):
    invite(owner, dora)
    client.force_login(owner)
    response = client.post(ADD, {"identifier": dora.email, "role": "viewer"})
    assert response.status_code == 200
    assert gettext(
        "This person already has an invitation to this organisation waiting for their answer."
    ) in page(response)
    assert MemberInvitation.objects.filter(invitee=dora).count() == 1


def test_inviting_somebody_already_a_member_is_refused(client, owner, editor):
    client.force_login(owner)
    response = client.post(ADD, {"identifier": "bob", "role": "viewer"})
    assert response.status_code == 200
    expected = gettext("This person is already a member of the organisation.")
    assert expected in page(response)
    assert not MemberInvitation.objects.exists()


def test_a_deactivated_organisation_cannot_invite(owner, org_a, dora):
    org_a.active = False
    org_a.save()
    with pytest.raises(ValidationError):
        invite(owner, dora)
    with pytest.raises(ValidationError):
        member_add(actor=owner, organisation=org_a, identifier="new@example.org", role="viewer")
    assert not MemberInvitation.objects.exists()


def test_an_invitation_of_a_deactivated_organisation_cannot_be_accepted(client, owner, org_a, dora):
    invitation = invite(owner, dora)
    org_a.active = False
    org_a.save()
    client.force_login(dora)
    assert accept_url(invitation) not in page(client.get(MINE))
    response = client.post(accept_url(invitation), follow=True)
    assert response.redirect_chain[-1][0] == MINE
    assert "Association A" in page(response)  # the message says why
    assert not Membership.objects.filter(user=dora).exists()
    token = MemberInvitation.objects.create(organisation=org_a, email="new@example.org").token
    assert client.get(reverse("join", kwargs={"token": token})).status_code == 404


def test_a_person_without_organisation_is_pointed_to_their_invitations(client, owner, dora):
    client.force_login(dora)
    see_them = f'class="button primary" href="{MINE}"'
    assert see_them not in page(client.get(reverse("home")))
    invite(owner, dora)
    assert see_them in page(client.get(reverse("home")))


def test_members_signing_in_hear_of_waiting_invitations_with_a_link(client, owner, outsider):
    client.force_login(outsider)
    assert f'href="{MINE}"' not in page(client.get(reverse("home"), follow=True))
    invite(owner, outsider)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("partnerships:dashboard", args=["college-b"])
    assert f'href="{MINE}"' in page(response)


def test_service_member_invite_refuses_an_existing_member(owner, org_a, viewer):
    with pytest.raises(ValidationError):
        member_invite(actor=owner, organisation=org_a, user=viewer, role="admin")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_members_of_a_deactivated_organisation_are_told_on_sign_in(client, language, org_a):
    member = UserFactory(username="gus", language=language)
    MembershipFactory(user=member, organisation=org_a)
    MembershipFactory(user=member, organisation=OrganisationFactory(name="Toujours active"))
    org_a.active = False
    org_a.save()
    response = client.post(reverse("account_login"), {"login": "gus", "password": "password"})
    assert response.status_code == 302
    told = [str(m) for m in get_messages(response.wsgi_request)]
    with translation.override(language):
        expected = gettext(
            "The organisation %(organisation)s has been deactivated by the platform staff: "
            "its pages are no longer available."
        ) % {"organisation": "Association A"}
    assert told == [expected]
    if language == "en":
        assert told == [
            "The organisation Association A has been deactivated by the platform staff: "
            "its pages are no longer available."
        ]


def test_the_switcher_lists_only_active_organisations(client, owner, org_a):
    dormant = OrganisationFactory(name="Dormante", slug="dormante", active=False)
    MembershipFactory(user=owner, organisation=dormant)
    client.force_login(owner)
    page = client.get(reverse("partnerships:dashboard", args=["association-a"])).content.decode()
    assert "Dormante" not in page


def test_the_members_template_compares_no_role_itself():
    template = Path(settings.BASE_DIR, "templates", "organisations", "members.html").read_text()
    assert "role ==" not in template and "can_write" not in template
