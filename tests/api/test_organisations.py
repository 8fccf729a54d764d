"""/api/v1/organisations/: my organisations, the directory, creation, members."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext

from organisations.models import MemberInvitation, Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"


def members_url(slug: str) -> str:
    return f"{ORGANISATIONS}{slug}/members/"


def test_members_see_their_organisations_with_their_role(api, editor, org_a, org_b):
    response = api(editor).get(ORGANISATIONS)
    assert response.status_code == 200
    [entry] = response.json()["results"]
    assert (entry["slug"], entry["role"]) == ("association-a", "editor")


def test_the_directory_lists_active_organisations_by_name_slug_and_kind(api, editor, org_a, org_b):
    OrganisationFactory(name="Dormante", slug="dormante", active=False)
    response = api(editor).get(ORGANISATIONS, {"directory": "1"})
    assert response.json()["results"] == [
        {"name": "Association A", "slug": "association-a", "kind": "association"},
        {"name": "Collège B", "slug": "college-b", "kind": "school"},
    ]


def test_the_directory_can_be_searched_by_name(api, editor, org_a, org_b):
    response = api(editor).get(ORGANISATIONS, {"directory": "true", "search": "coll"})
    assert [entry["slug"] for entry in response.json()["results"]] == ["college-b"]


def test_the_directory_flag_must_be_a_boolean(api, editor):
    response = api(editor).get(ORGANISATIONS, {"directory": "maybe"})
    assert response.status_code == 400
    assert "directory" in response.json()


def test_staff_creating_an_organisation_become_its_administrator(api, superuser):
    response = api(superuser).post(ORGANISATIONS, {"name": "Régie de quartier", "kind": "company"})
    assert response.status_code == 201
    assert (response.json()["slug"], response.json()["role"]) == ("regie-de-quartier", "admin")
    organisation = Organisation.objects.get(slug="regie-de-quartier")
    assert Membership.objects.get(organisation=organisation).user == superuser


def test_a_taken_slug_is_refused_on_its_field(api, superuser, org_a):
    response = api(superuser).post(
        ORGANISATIONS, {"name": "Autre", "kind": "association", "slug": "association-a"}
    )
    assert response.status_code == 400
    assert response.json() == {"slug": ["Ce nom court est déjà pris."]}


def test_an_organisation_is_shown_to_its_members_only(api, viewer, outsider, org_a):
    assert api(viewer).get(f"{ORGANISATIONS}association-a/").status_code == 200
    assert api(outsider).get(f"{ORGANISATIONS}association-a/").status_code == 404
    assert api(outsider).get(members_url("association-a")).status_code == 404


def test_only_administrators_change_an_organisation(api, owner, editor, org_a):
    url = f"{ORGANISATIONS}association-a/"
    assert api(editor).patch(url, {"description": "x"}).status_code == 403
    response = api(owner).patch(url, {"description": "Lecture et écriture", "slug": "hack"})
    assert response.status_code == 200
    org_a.refresh_from_db()
    assert (org_a.description, org_a.slug) == ("Lecture et écriture", "association-a")


def test_administrators_invite_members_by_username_who_are_not_members_yet(api, owner, org_a):
    diane = UserFactory(username="diane")
    response = api(owner).post(members_url("association-a"), {"username": "diane"})
    assert response.status_code == 201
    assert (response.json()["invited"], response.json()["role"]) == ("diane", "viewer")
    assert not Membership.objects.filter(user=diane, organisation=org_a).exists()


def test_an_unknown_username_is_refused_on_its_field(api, owner, org_a):
    response = api(owner).post(members_url("association-a"), {"username": "nobody"})
    assert response.status_code == 400
    message = "Personne ne se connecte avec l'identifiant «\u202fnobody\u202f»."
    assert response.json() == {"username": [message]}


def test_adding_someone_twice_is_refused(api, owner, editor, org_a):
    response = api(owner).post(members_url("association-a"), {"username": "bob"})
    assert response.status_code == 400


def test_editors_cannot_manage_members(api, editor, viewer, org_a):
    membership = Membership.objects.get(user=viewer)
    url = f"{members_url('association-a')}{membership.pk}/"
    assert api(editor).get(url).status_code == 200
    assert api(editor).patch(url, {"role": "admin"}).status_code == 403
    assert api(editor).delete(url).status_code == 403
    assert Membership.objects.get(user=viewer).role == "viewer"


def test_administrators_change_roles_and_remove_members(api, owner, viewer, org_a):
    membership = Membership.objects.get(user=viewer)
    url = f"{members_url('association-a')}{membership.pk}/"
    assert api(owner).put(url, {"role": "editor"}).json()["role"] == "editor"
    assert api(owner).delete(url).status_code == 204
    assert not Membership.objects.filter(user=viewer).exists()


def test_the_last_administrator_cannot_step_down_or_leave(api, owner, org_a):
    url = f"{members_url('association-a')}{Membership.objects.get(user=owner).pk}/"
    response = api(owner).patch(url, {"role": "viewer"})
    assert response.status_code == 400
    assert "role" in response.json()
    assert api(owner).delete(url).status_code == 400
    assert Membership.objects.get(user=owner).role == "admin"


def test_a_second_administrator_lets_the_first_step_down(api, owner, org_a):
    MembershipFactory(organisation=org_a, user=UserFactory(username="erin"), role="admin")
    url = f"{members_url('association-a')}{Membership.objects.get(user=owner).pk}/"
    assert api(owner).patch(url, {"role": "editor"}).status_code == 200


def test_members_of_other_organisations_are_not_reachable(api, owner, outsider, org_a, org_b):
    theirs = Membership.objects.get(user=outsider)
    assert api(owner).get(f"{members_url('association-a')}{theirs.pk}/").status_code == 404


# Consent: an account named by an administrator is invited, and answers for itself.

MY_INVITATIONS = "/api/v1/member-invitations/"


def test_someone_not_staff_cannot_create_an_organisation(api, viewer):
    response = api(viewer).post(ORGANISATIONS, {"name": "Coquille vide", "kind": "company"})
    assert response.status_code == 403
    assert response.json()["detail"] == gettext(
        "Only the platform staff can create organisations for the time being."
    )
    assert not Organisation.objects.filter(name="Coquille vide").exists()


def test_adding_an_account_through_the_api_makes_no_member_and_shows_nothing_of_them(
    api, owner, org_a
):
    UserFactory(username="dora", email="dora.secret@example.org", first_name="Dora")
    response = api(owner).post(members_url("association-a"), {"username": "dora"})
    assert response.status_code == 201
    assert set(response.json()) == {"id", "invited", "role", "invited_at"}
    assert "dora.secret" not in response.content.decode()
    assert "Dora" not in response.content.decode()
    assert not Membership.objects.filter(user__username="dora").exists()
    members = api(owner).get(members_url("association-a")).json()["results"]
    assert "dora" not in [member["username"] for member in members]


def test_the_superuser_cannot_be_added_through_the_api_without_consent(api, owner, superuser):
    response = api(owner).post(members_url("association-a"), {"username": "staff"})
    assert response.status_code == 201
    assert not Membership.objects.filter(user=superuser).exists()


def test_the_invitee_lists_and_accepts_through_the_api(api, owner, org_a):
    dora = UserFactory(username="dora")
    invitation_id = (
        api(owner)
        .post(members_url("association-a"), {"username": "dora", "role": "editor"})
        .json()["id"]
    )
    [entry] = api(dora).get(MY_INVITATIONS).json()["results"]
    assert entry["id"] == invitation_id
    assert (entry["organisation"]["slug"], entry["role"]) == ("association-a", "editor")
    response = api(dora).post(f"{MY_INVITATIONS}{invitation_id}/accept/")
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["role"]) == ("dora", "editor")
    assert Membership.objects.get(user=dora, organisation=org_a).role == "editor"
    assert api(dora).get(MY_INVITATIONS).json()["results"] == []
    assert api(dora).post(f"{MY_INVITATIONS}{invitation_id}/accept/").status_code == 404


def test_the_invitee_declines_through_the_api(api, owner, org_a):
    dora = UserFactory(username="dora")
    invitation_id = api(owner).post(members_url("association-a"), {"username": "dora"}).json()["id"]
    response = api(dora).post(f"{MY_INVITATIONS}{invitation_id}/decline/")
    assert response.status_code == 200
    assert not Membership.objects.filter(user=dora).exists()
    assert api(dora).get(MY_INVITATIONS).json()["results"] == []
    assert MemberInvitation.objects.get(pk=invitation_id).declined_at is not None


def test_nobody_else_answers_an_invitation_through_the_api(api, owner, outsider, org_a):
    dora = UserFactory(username="dora")
    invitation_id = api(owner).post(members_url("association-a"), {"username": "dora"}).json()["id"]
    for someone in (owner, outsider):
        assert api(someone).get(MY_INVITATIONS).json()["results"] == []
        for answer in ("accept", "decline"):
            url = f"{MY_INVITATIONS}{invitation_id}/{answer}/"
            assert api(someone).post(url).status_code == 404
    assert MemberInvitation.objects.get(pk=invitation_id).invitee == dora
    assert not Membership.objects.filter(user__in=[dora, outsider], organisation=org_a).exists()


def test_a_second_pending_invitation_through_the_api_is_refused(api, owner, org_a):
    UserFactory(username="dora")
    assert api(owner).post(members_url("association-a"), {"username": "dora"}).status_code == 201
    response = api(owner).post(members_url("association-a"), {"username": "dora"})
    assert response.status_code == 400
    assert MemberInvitation.objects.filter(invitee__username="dora").count() == 1


def test_a_deactivated_organisation_neither_invites_nor_sees_invitations_accepted(
    api, owner, org_a
):
    dora = UserFactory(username="dora")
    invitation_id = api(owner).post(members_url("association-a"), {"username": "dora"}).json()["id"]
    org_a.active = False
    org_a.save()
    UserFactory(username="emma")
    assert (
        api(owner).post(members_url("association-a"), {"username": "emma"}).status_code == 404
    )  # refused like an outsider
    response = api(dora).post(f"{MY_INVITATIONS}{invitation_id}/accept/")
    assert response.status_code == 400
    assert not Membership.objects.filter(user=dora).exists()


def test_a_deactivated_organisation_answers_404_to_its_own_members(api, owner, org_a):
    org_a.active = False
    org_a.save()
    client = api(owner)
    assert client.get("/api/v1/organisations/association-a/").status_code == 404
    assert client.get("/api/v1/organisations/association-a/members/").status_code == 404
    mine = client.get("/api/v1/organisations/").json()["results"]
    assert "association-a" not in [organisation["slug"] for organisation in mine]
