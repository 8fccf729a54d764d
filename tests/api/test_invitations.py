"""Parties and invitations: inviting, what the invited organisation sees, accepting, declining."""

from __future__ import annotations

import pytest

from partnerships.models import Party
from tests.factories import MembershipFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITATIONS = "/api/v1/invitations/"


def parties_url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/parties/"


def answer_url(partnership, slug: str, answer: str) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/invitations/{slug}/{answer}/"


@pytest.fixture
def invitation(owner, org_b, partnership):
    """College B invited by Association A's administrator."""
    return PartyFactory(
        partnership=partnership, organisation=org_b, invitation="invited", invited_by=owner
    )


def test_administrators_of_a_party_invite_an_organisation(api, owner, org_b, partnership):
    response = api(owner).post(parties_url(partnership), {"organisation": "college-b"})
    assert response.status_code == 201
    assert (response.json()["organisation"], response.json()["invitation"]) == (
        "college-b",
        "invited",
    )


def test_editors_of_a_party_invite_too(api, editor, org_b, partnership):
    response = api(editor).post(parties_url(partnership), {"organisation": "college-b"})
    assert response.status_code == 201
    assert Party.objects.get(organisation=org_b).invitation == "invited"


def test_viewers_cannot_invite(api, viewer, org_b, partnership):
    response = api(viewer).post(parties_url(partnership), {"organisation": "college-b"})
    assert response.status_code == 403
    assert not Party.objects.filter(organisation=org_b).exists()


def test_an_organisation_is_invited_once(api, owner, partnership):
    response = api(owner).post(parties_url(partnership), {"organisation": "fondation-c"})
    assert response.status_code == 400
    assert list(response.json()) == ["organisation"]


def test_the_invited_administrators_see_what_they_are_asked_to_join(
    api, outsider, invitation, partnership
):
    partnership.purpose = "Lire avec les élèves de sixième"
    partnership.save()
    [entry] = api(outsider).get(INVITATIONS).json()["results"]
    assert entry["partnership"] == {
        "id": partnership.pk,
        "title": "Lecture au collège",
        "purpose": "Lire avec les élèves de sixième",
    }
    assert entry["organisation"] == "college-b"
    assert entry["role"] == "partner"
    assert entry["inviting_organisation"] == {"slug": "association-a", "name": "Association A"}


def test_invitations_are_listed_only_for_the_invited_administrators(api, owner, org_b, invitation):
    reader = UserFactory(username="rita")
    MembershipFactory(user=reader, organisation=org_b, role="viewer")
    assert api(reader).get(INVITATIONS).json()["results"] == []
    assert api(owner).get(INVITATIONS).json()["results"] == []


def test_accepting_makes_the_partnership_visible(api, outsider, invitation, partnership):
    response = api(outsider).post(answer_url(partnership, "college-b", "accept"))
    assert response.status_code == 200
    assert response.json()["invitation"] == "accepted"
    assert api(outsider).get(f"/api/v1/partnerships/{partnership.pk}/").status_code == 200
    assert api(outsider).get(INVITATIONS).json()["results"] == []


def test_declining_keeps_it_hidden(api, outsider, invitation, partnership):
    response = api(outsider).post(answer_url(partnership, "college-b", "decline"))
    assert response.json()["invitation"] == "declined"
    assert api(outsider).get(f"/api/v1/partnerships/{partnership.pk}/").status_code == 404


def test_an_invitation_is_answered_once(api, outsider, invitation, partnership):
    api(outsider).post(answer_url(partnership, "college-b", "accept"))
    response = api(outsider).post(answer_url(partnership, "college-b", "decline"))
    assert response.status_code == 409


def test_only_administrators_of_the_invited_organisation_answer(
    api, owner, org_b, invitation, partnership
):
    reader = UserFactory(username="rita")
    MembershipFactory(user=reader, organisation=org_b, role="editor")
    assert api(reader).post(answer_url(partnership, "college-b", "accept")).status_code == 403
    # A party sees the invitation but cannot answer it: it is no member of the invited one.
    assert api(owner).post(answer_url(partnership, "college-b", "accept")).status_code == 404
    invitation.refresh_from_db()
    assert invitation.invitation == "invited"


def test_strangers_to_the_partnership_get_404(api, invitation, partnership):
    stranger = UserFactory(username="sam")
    response = api(stranger).post(answer_url(partnership, "college-b", "accept"))
    assert response.status_code == 404
