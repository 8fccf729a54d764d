"""/api/v1/organisations/: my organisations, the directory, creation, members."""

from __future__ import annotations

import pytest

from organisations.models import Membership, Organisation
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
    message = "Personne ne se connecte avec l'identifiant « nobody »."
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
