"""Inviting an organisation that is not on the platform yet, by a contact's e-mail address:
the contact follows the link, creates an account, registers the organisation and answers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Notification
from organisations.models import Membership, Organisation
from partnerships.models import PartnerInvitation, Party
from partnerships.services.partner_invitations import partner_invite_by_email
from partnerships.signals import partner_invitation_withdrawn
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    """``api(user)``: an API client authenticated as ``user``."""

    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def expire(invitation, delta=timedelta(minutes=1)):
    """Freeze time the other way: the invitation's date is ``delta`` ago."""
    invitation.expires_at = timezone.now() - delta
    invitation.save()


@pytest.fixture
def invitation(owner, org_a, partnership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return partner_invite_by_email(
            actor=owner,
            acting=org_a,
            partnership=partnership,
            organisation_name="Centre social des Tilleuls",
            email="Contact@Tilleuls.example",
            role="partner",
        )


def landing(invitation) -> str:
    return reverse("partner-invitation", kwargs={"invitation_token": invitation.token})


def invite_url(partnership) -> str:
    return reverse(
        "partnerships:invite",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


def list_url(partnership) -> str:
    return reverse(
        "partnerships:partner-invitations",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


def step_url(invitation, step) -> str:
    return reverse(
        f"partnerships:partner-invitation-{step}",
        kwargs={
            "org_slug": "association-a",
            "partnership_id": invitation.partnership_id,
            "pk": invitation.pk,
        },
    )


def test_an_editor_invites_by_name_and_address_and_the_contact_gets_a_working_link(
    client, editor, partnership, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(partnership),
            {"organisation_name": "Maison des jeunes", "email": "mj@example.org", "role": "funder"},
        )
    assert response.status_code == 302
    invitation = PartnerInvitation.objects.get()
    assert invitation.state == "pending" and invitation.role == "funder"
    assert invitation.invited_by == editor
    assert invitation.expires_at > timezone.now() + timedelta(days=29)
    assert invitation.sent_at is not None
    [message] = mailoutbox
    assert message.to == ["mj@example.org"]
    assert partnership.title in message.subject
    link = re.search(r"http\S+/accounts/partner-invitations/\S+/", message.body).group(0)
    assert link.endswith(landing(invitation))
    assert "?language=en" in message.body  # the inviter writes French: a link to read it in English
    html = message.alternatives[0][0]
    assert landing(invitation) in html
    client.logout()
    page = client.get(landing(invitation))
    assert page.status_code == 200
    assert b"Maison des jeunes" in page.content


def test_the_invite_page_refuses_both_an_organisation_and_an_address(
    client, editor, partnership, org_b
):
    client.force_login(editor)
    response = client.post(
        invite_url(partnership),
        {"organisation": org_b.pk, "organisation_name": "X", "email": "x@example.org"},
    )
    assert response.status_code == 200
    assert not PartnerInvitation.objects.exists()
    assert not Party.objects.filter(organisation=org_b).exists()


def test_a_new_partnership_invites_by_address_too(
    client, editor, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    data = {
        "title": "Ateliers du mercredi",
        "purpose": "",
        "status": "proposed",
        "review_cadence": 3,
        "partners-TOTAL_FORMS": 1,
        "partners-INITIAL_FORMS": 0,
        "partners-0-organisation_name": "Maison des jeunes",
        "partners-0-email": "mj@example.org",
        "partners-0-role": "partner",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partnerships:new", kwargs={"org_slug": "association-a"}), data
        )
    assert response.status_code == 302, response.content
    invitation = PartnerInvitation.objects.get()
    assert invitation.partnership.title == "Ateliers du mercredi"
    assert len(mailoutbox) == 1


def test_the_landing_page_shows_only_what_an_invitee_may_see(client, invitation, partnership):
    page = client.get(landing(invitation))
    assert page.status_code == 200
    content = page.content.decode()
    assert partnership.title in content
    assert "Association A" in content  # the lead organisation
    assert "alice" in content  # who invites
    assert "Fondation C" not in content  # the other parties are not shown
    assert reverse("account_login") in content and "next=" in content


def test_an_unknown_token_is_404(client, invitation):
    assert (
        client.get(reverse("partner-invitation", kwargs={"invitation_token": "nope"})).status_code
        == 404
    )


def test_accepting_creates_the_account_the_organisation_and_an_accepted_party(
    client, invitation, partnership, settings
):
    settings.ORGANISATION_SIGNUP = "approval"  # an invited organisation is vouched for
    response = client.post(
        landing(invitation),
        {
            "username": "tilleuls",
            "first_name": "Tina",
            "last_name": "Tilleul",
            "language": "fr",
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
        },
    )
    assert response.status_code == 302
    page = client.get(landing(invitation))
    assert b'value="Centre social des Tilleuls"' in page.content  # the name pre-filled
    response = client.post(
        landing(invitation),
        {
            "answer": "accept",
            "new-name": "Centre social des Tilleuls",
            "new-kind": "association",
            "new-size_band": 2,
            "new-description": "",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Centre social des Tilleuls")
    assert organisation.active
    member = Membership.objects.get(organisation=organisation)
    assert member.user.username == "tilleuls" and member.user.email == "contact@tilleuls.example"
    party = Party.objects.get(partnership=partnership, organisation=organisation)
    assert party.invitation == "accepted" and party.role == "partner"
    invitation.refresh_from_db()
    assert invitation.state == "accepted" and invitation.organisation == organisation
    assert client.get(response["Location"]).status_code == 200  # the workspace


def test_accepting_tells_the_inviter_and_not_the_contact_of_an_invitation_already_answered(
    client, invitation, partnership, owner
):
    """Accepting once raised a TypeError (the inviting organisation was not passed on): the
    contact's party is made without a "you are invited" notification for them to answer."""
    client.force_login(UserFactory(username="tina", email="contact@tilleuls.example"))
    response = client.post(
        landing(invitation),
        {"answer": "accept", "new-name": "Tilleuls", "new-kind": "association", "new-size_band": 2},
    )
    assert response.status_code == 302
    told = set(Notification.objects.values_list("recipient__username", "kind"))
    assert told == {("alice", "invitation_accepted")}


def test_a_signed_in_administrator_accepts_for_an_organisation_they_administer(
    client, invitation, partnership, org_b, outsider
):
    client.force_login(outsider)
    response = client.post(landing(invitation), {"answer": "accept", "existing": org_b.pk})
    assert response.status_code == 302
    assert Party.objects.get(partnership=partnership, organisation=org_b).invitation == "accepted"
    assert Organisation.objects.count() == 3


def test_a_close_name_is_flagged_on_the_landing_page(client, invitation, org_b):
    OrganisationFactory(name="Centre Social Des Tilleuls!", slug="tilleuls")
    user = UserFactory(username="tina")
    client.force_login(user)
    response = client.post(
        landing(invitation),
        {
            "answer": "accept",
            "new-name": "centre  social des tilleuls",
            "new-kind": "association",
            "new-size_band": 2,
        },
    )
    assert response.status_code == 200
    assert reverse("organisation-join-request", kwargs={"org_slug": "tilleuls"}).encode() in (
        response.content
    )
    assert PartnerInvitation.objects.get().state == "pending"


def test_declining_asks_first_then_the_link_says_so(client, invitation):
    user = UserFactory(username="tina")
    client.force_login(user)
    asked = client.post(landing(invitation), {"answer": "decline"})
    assert asked.status_code == 200 and b'name="confirmed"' in asked.content
    assert PartnerInvitation.objects.get().state == "pending"
    client.post(landing(invitation), {"answer": "decline", "confirmed": "1"})
    assert PartnerInvitation.objects.get().state == "declined"
    assert (
        not Party.objects.filter(partnership=invitation.partnership)
        .exclude(organisation__slug__in=["association-a", "fondation-c"])
        .exists()
    )
    assert client.post(landing(invitation), {"answer": "accept"}).status_code == 409


def test_an_expired_invitation_reads_expired_and_cannot_be_accepted(client, invitation):
    expire(invitation, timedelta(minutes=1))
    page = client.get(landing(invitation))
    assert b'id="account-form"' not in page.content
    invitation.refresh_from_db()
    assert invitation.current_state == "expired"
    client.force_login(UserFactory(username="late"))
    response = client.post(landing(invitation), {"answer": "accept", "existing": ""})
    assert response.status_code == 409
    assert invitation.partnership.parties.count() == 2


def test_the_subject_keeps_the_narrow_no_break_spaces_of_french(
    owner, org_a, partnership, mailoutbox, django_capture_on_commit_callbacks
):
    """The subject is put on one line without turning French typography's U+202F (before
    « ! » and inside « ») into ordinary spaces, which wrap and read wrong."""
    partnership.title = "Lire ensemble\u202f!"
    partnership.save()
    with django_capture_on_commit_callbacks(execute=True):
        partner_invite_by_email(
            actor=owner,
            acting=org_a,
            partnership=partnership,
            organisation_name="Maison des jeunes",
            email="mj@example.org",
            role="partner",
        )
    [message] = mailoutbox
    assert "Lire ensemble\u202f!" in message.subject
    assert "\n" not in message.subject


def test_resending_gives_a_new_date_and_a_new_email(
    client, owner, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    expire(invitation, timedelta(days=1))
    client.force_login(owner)
    asked = client.post(step_url(invitation, "resend"))
    assert asked.status_code == 200 and b'name="confirmed"' in asked.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(step_url(invitation, "resend"), {"confirmed": "1"})
    invitation.refresh_from_db()
    assert invitation.current_state == "pending"
    assert invitation.expires_at > timezone.now() + timedelta(days=29)
    assert len(mailoutbox) == 2


def test_withdrawing_from_the_page_tells_the_listeners_and_the_link(
    client, owner, invitation, django_capture_on_commit_callbacks
):
    heard = []
    partner_invitation_withdrawn.connect(
        lambda sender, invitation, actor, **kw: heard.append((invitation.pk, actor.pk)),
        weak=False,
        dispatch_uid="test-withdrawn",
    )
    try:
        client.force_login(owner)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(step_url(invitation, "withdraw"), {"confirmed": "1"})
    finally:
        partner_invitation_withdrawn.disconnect(dispatch_uid="test-withdrawn")
    invitation.refresh_from_db()
    assert invitation.state == "withdrawn"
    assert heard == [(invitation.pk, owner.pk)]
    client.logout()
    # French wording (LANGUAGE_CODE is fr): "retirée par ceux qui l'avaient envoyée".
    assert "retirée".encode() in client.get(landing(invitation)).content
    # Withdrawing again: the state refuses it.
    client.force_login(owner)
    assert client.post(step_url(invitation, "withdraw"), {"confirmed": "1"}).status_code == 409


def test_viewers_and_outsiders_cannot_manage_invitations(client, viewer, outsider, invitation):
    client.force_login(viewer)
    listed = client.get(list_url(invitation.partnership))
    assert listed.status_code == 200 and b"withdraw" not in listed.content
    assert client.post(step_url(invitation, "withdraw"), {"confirmed": "1"}).status_code == 403
    client.force_login(outsider)
    assert client.get(list_url(invitation.partnership)).status_code == 404
    assert client.post(step_url(invitation, "withdraw"), {"confirmed": "1"}).status_code == 404
    assert PartnerInvitation.objects.get().state == "pending"


def test_the_list_page_costs_a_fixed_number_of_queries(
    client, owner, org_a, partnership, django_assert_max_num_queries
):
    for n in range(5):
        PartnerInvitation.objects.create(
            partnership=partnership,
            organisation_name=f"Org {n}",
            email=f"o{n}@example.org",
            invited_by=owner,
            expires_at=timezone.now() + timedelta(days=3),
        )
    client.force_login(owner)
    # session, user, membership, partnership with parties (2), role, the invitations,
    # the switcher's memberships, and the page's messages/session bookkeeping.
    with django_assert_max_num_queries(12):
        assert client.get(list_url(partnership)).status_code == 200


# --- API ---------------------------------------------------------------------------------------
def parties_api(partnership) -> str:
    return reverse("api:partnership-parties", kwargs={"partnership_id": partnership.pk})


def test_the_api_invites_by_address(
    api, editor, partnership, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(editor).post(
            parties_api(partnership),
            {
                "organisation_name": "Maison des jeunes",
                "email": "mj@example.org",
                "role": "partner",
            },
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "organisation_name", "email", "role", "state", "expires_at"}
    assert body["state"] == "pending"
    assert len(mailoutbox) == 1
    listed = api(editor).get(
        reverse("api:partnership-partner-invitations", kwargs={"partnership_id": partnership.pk})
    )
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


def test_the_api_refuses_a_bad_address(api, editor, partnership):
    response = api(editor).post(
        parties_api(partnership), {"organisation_name": "X", "email": "not an address"}
    )
    assert response.status_code == 400
    assert not PartnerInvitation.objects.exists()


def test_the_api_withdraws_then_says_409(api, owner, viewer, outsider, invitation):
    url = reverse("api:partner-invitation-detail", kwargs={"pk": invitation.pk})
    assert api(outsider).delete(url).status_code == 404
    assert api(viewer).delete(url).status_code == 403
    assert api(owner).delete(url).status_code == 204
    assert PartnerInvitation.objects.get().state == "withdrawn"
    assert api(owner).delete(url).status_code == 409


def test_the_admin_lists_partner_invitations(client, superuser, invitation):
    client.force_login(superuser)
    url = reverse("admin:partnerships_partnerinvitation_changelist")
    for query in ("", "?q=tilleuls", "?current_state=expired", "?current_state=pending"):
        assert client.get(url + query).status_code == 200


def test_the_api_list_costs_a_fixed_number_of_queries(
    api, owner, partnership, django_assert_max_num_queries
):
    for n in range(5):
        PartnerInvitation.objects.create(
            partnership=partnership,
            organisation_name=f"Org {n}",
            email=f"o{n}@example.org",
            expires_at=timezone.now() + timedelta(days=3),
        )
    url = reverse("api:partnership-partner-invitations", kwargs={"partnership_id": partnership.pk})
    # the partnership for this user, the count, the page of invitations
    with django_assert_max_num_queries(4):
        response = api(owner).get(url)
    assert response.json()["count"] == 5


def test_the_link_to_the_other_language_switches_the_page(client, invitation):
    page = client.get(landing(invitation) + "?language=en")
    assert page.status_code == 200
    assert page.cookies["django_language"].value == "en"
    assert b'lang="en"' in page.content
