"""The agreements API: drafting, the state machine through its routes, who may decide, 409s."""

from __future__ import annotations

import pytest

from partnerships.models import Agreement

pytestmark = pytest.mark.django_db


def base(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/agreements/"


def create(api, user, partnership, **body):
    return api(user).post(base(partnership), body, format="json")


def step(api, user, partnership, agreement_id, name, body=None, query=""):
    url = f"{base(partnership)}{agreement_id}/{name}/{query}"
    return api(user).post(url, body or {}, format="json")


def test_an_editor_drafts_with_the_contract_fields(api, editor, partnership):
    response = create(
        api,
        editor,
        partnership,
        starts_on="2026-01-01",
        ends_on="2027-06-30",
        purpose="Lire ensemble",
        governance="Un comité",
        resources="Une salle",
        communication="Logos sur accord",
        confidentiality="Données protégées",
        conflict_resolution="Médiation",
        exit="Préavis de trois mois",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["version"], body["approvals"]) == ("draft", 1, [])
    assert body["exit"] == "Préavis de trois mois" and body["ends_on"] == "2027-06-30"
    assert [p["organisation"] for p in body["snapshot"]["parties"]] == [
        "association-a",
        "fondation-c",
    ]


def test_the_end_date_cannot_come_before_the_start(api, editor, partnership):
    response = create(api, editor, partnership, starts_on="2026-05-01", ends_on="2026-01-01")
    assert response.status_code == 400 and "ends_on" in response.json()


def test_patch_while_draft_then_409_once_submitted(api, editor, partnership):
    agreement_id = create(api, editor, partnership).json()["id"]
    url = f"{base(partnership)}{agreement_id}/"
    response = api(editor).patch(url, {"governance": "Comité trimestriel"}, format="json")
    assert response.status_code == 200 and response.json()["governance"] == "Comité trimestriel"
    assert step(api, editor, partnership, agreement_id, "submit").json()["state"] == "pending"
    response = api(editor).patch(url, {"governance": "Changé"}, format="json")
    assert response.status_code == 409
    assert Agreement.objects.get(pk=agreement_id).governance == "Comité trimestriel"
    assert step(api, editor, partnership, agreement_id, "submit").status_code == 409


def test_a_patch_from_an_older_revision_is_409_and_changes_nothing(api, editor, partnership):
    created = create(api, editor, partnership).json()
    url = f"{base(partnership)}{created['id']}/"
    read_at = created["revision"]
    first = api(editor).patch(url, {"exit": "Préavis de deux mois", "revision": read_at})
    assert first.status_code == 200 and first.json()["revision"] == read_at + 1
    second = api(editor).patch(url, {"exit": "Préavis d'un mois", "revision": read_at})
    assert second.status_code == 409
    assert second.json()["current_version"] == read_at + 1
    assert Agreement.objects.get(pk=created["id"]).exit == "Préavis de deux mois"


def test_a_second_draft_while_one_is_open_is_409(api, editor, partnership):
    create(api, editor, partnership)
    assert create(api, editor, partnership).status_code == 409


def test_every_party_approves_and_the_version_comes_into_force(
    api, editor, owner, carla, partnership
):
    agreement_id = create(api, editor, partnership).json()["id"]
    step(api, editor, partnership, agreement_id, "submit")
    first = step(api, owner, partnership, agreement_id, "approve").json()
    assert first["state"] == "pending"
    body = step(api, carla, partnership, agreement_id, "approve").json()
    assert body["state"] == "in_force"
    assert [(a["organisation"], a["decision"], a["name"]) for a in body["approvals"]] == [
        ("association-a", "approve", "alice"),
        ("fondation-c", "approve", "Carla Costa"),
    ]
    assert all(a["at"] for a in body["approvals"])
    # An approved version never changes, through any route.
    url = f"{base(partnership)}{agreement_id}/"
    assert api(editor).patch(url, {"exit": "x"}, format="json").status_code == 409
    assert step(api, owner, partnership, agreement_id, "refuse", {"reason": "x"}).status_code == 409


def test_a_refusal_with_its_reason_sends_it_back_to_draft(api, editor, carla, partnership):
    agreement_id = create(api, editor, partnership).json()["id"]
    step(api, editor, partnership, agreement_id, "submit")
    assert step(api, carla, partnership, agreement_id, "refuse").status_code == 400
    body = step(
        api, carla, partnership, agreement_id, "refuse", {"reason": "Il manque la sortie."}
    ).json()
    assert body["state"] == "draft"
    assert body["approvals"][0]["decision"] == "refuse"
    assert body["approvals"][0]["reason"] == "Il manque la sortie."


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_editors_and_viewers_cannot_approve(api, request, editor, partnership, who):
    agreement_id = create(api, editor, partnership).json()["id"]
    step(api, editor, partnership, agreement_id, "submit")
    user = request.getfixturevalue(who)
    assert step(api, user, partnership, agreement_id, "approve").status_code == 403
    assert step(api, user, partnership, agreement_id, "refuse", {"reason": "x"}).status_code == 403
    assert Agreement.objects.get(pk=agreement_id).approvals.count() == 0


def test_an_admin_of_a_cannot_approve_for_c(api, editor, owner, partnership):
    agreement_id = create(api, editor, partnership).json()["id"]
    step(api, editor, partnership, agreement_id, "submit")
    response = step(
        api, owner, partnership, agreement_id, "approve", query="?organisation=fondation-c"
    )
    assert response.status_code == 403
    assert Agreement.objects.get(pk=agreement_id).approvals.count() == 0


def test_outsiders_get_404_on_every_agreement_route(api, editor, outsider, partnership):
    agreement_id = create(api, editor, partnership).json()["id"]
    client = api(outsider)
    assert client.get(base(partnership)).status_code == 404
    assert client.post(base(partnership), {}, format="json").status_code == 404
    assert client.get(f"{base(partnership)}{agreement_id}/").status_code == 404
    for name in ("submit", "approve", "refuse"):
        assert step(api, outsider, partnership, agreement_id, name).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(
    api, editor, owner, carla, partnership, django_assert_num_queries
):
    for _ in range(2):
        agreement_id = create(api, editor, partnership).json()["id"]
        step(api, editor, partnership, agreement_id, "submit")
        step(api, owner, partnership, agreement_id, "approve")
        step(api, carla, partnership, agreement_id, "approve")
    # the partnership (scoping), the count, the page of versions, their approvals, their
    # representatives
    with django_assert_num_queries(5):
        response = api(editor).get(base(partnership))
    assert [v["state"] for v in response.json()["results"]] == ["in_force", "superseded"]
