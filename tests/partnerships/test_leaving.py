"""An organisation leaves a partnership (page and API); after the lead left, the others name
a new lead, and any of them acts as lead until then."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships import policy
from partnerships.models import Commitment, Party
from partnerships.reads.timeline import events
from partnerships.signals import party_left
from tests.factories import (
    CommitmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(name: str, partnership, slug: str = "association-a") -> str:
    return reverse(
        f"partnerships:{name}", kwargs={"org_slug": slug, "partnership_id": partnership.pk}
    )


def api_url(name: str, partnership, slug: str = "association-a") -> str:
    url = reverse(f"api:partnership-{name}", kwargs={"partnership_id": partnership.pk})
    return f"{url}?organisation={slug}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def party(partnership, organisation) -> Party:
    return Party.objects.get(partnership=partnership, organisation=organisation)


def test_an_administrator_leaves_after_confirming_with_a_reason(
    owner, partnership, org_a, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, party, reason, **kwargs):
        received.append((party.organisation.slug, reason))

    party_left.connect(listener)
    try:
        client = signed_in(owner)
        assert client.get(page("leave", partnership)).status_code == 200
        asked = client.post(page("leave", partnership), {"reason": "Plus de moyens"})
        assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
        assert party(partnership, org_a).left_on is None  # nothing happens before confirming
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(
                page("leave", partnership), {"reason": "Plus de moyens", "confirmed": "1"}
            )
    finally:
        party_left.disconnect(listener)
    assert done.status_code == 302
    gone = party(partnership, org_a)
    assert gone.left_on is not None and gone.left_reason == "Plus de moyens"
    assert policy.party_state(gone) == policy.LEFT
    assert received == [("association-a", "Plus de moyens")]
    # It still reads the partnership, read-only.
    assert client.get(page("workspace", partnership)).status_code == 200
    assert client.post(page("leave", partnership), {"confirmed": "1"}).status_code == 403


def test_what_the_party_recorded_stays_and_the_timeline_tells_it(
    owner, partnership, org_a, carla, org_c
):
    CommitmentFactory(party=party(partnership, org_a), title="Prêter la salle")
    api_as(owner).post(api_url("leave", partnership), {"reason": "Fin du projet"}, format="json")
    assert Commitment.objects.filter(title="Prêter la salle").exists()
    texts = [event.text for event in events(partnership, org_c)]
    assert any("Association A" in text and "(Fin du projet)" in text for text in texts)


@pytest.mark.parametrize("door", ["page", "api"])
def test_an_editor_gets_403_and_an_outsider_404(door, editor, outsider, partnership):
    if door == "page":
        assert signed_in(editor).post(page("leave", partnership)).status_code == 403
        outsiders = signed_in(outsider).post(page("leave", partnership, "college-b"))
    else:
        assert api_as(editor).post(api_url("leave", partnership)).status_code == 403
        outsiders = api_as(outsider).post(api_url("leave", partnership, "college-b"))
    assert outsiders.status_code == 404


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_last_party_cannot_leave(door, owner, carla, partnership, org_a, org_c):
    api_as(carla).post(api_url("leave", partnership, "fondation-c"), {}, format="json")
    assert policy.party_state(party(partnership, org_c)) == policy.LEFT
    if door == "page":
        response = signed_in(owner).post(page("leave", partnership), {"confirmed": "1"})
        # Said on the page, in its language (French once the catalog is merged).
        assert 'role="alert"' in response.content.decode()
    else:
        response = api_as(owner).post(api_url("leave", partnership), {}, format="json")
    assert response.status_code == 409
    assert party(partnership, org_a).left_on is None


def test_when_the_lead_leaves_the_others_name_a_new_lead(owner, carla, partnership, org_a, org_c):
    org_d = OrganisationFactory(name="Mairie D", slug="mairie-d")
    dora = UserFactory(username="dora")
    MembershipFactory(user=dora, organisation=org_d, role="admin")
    PartyFactory(partnership=partnership, organisation=org_d)
    api_as(owner).post(api_url("leave", partnership), {}, format="json")  # A was the lead
    assert not policy.has_lead(partnership)

    # Meanwhile any remaining party's administrator acts as lead (here: may delete it).
    actor = policy.Actor.of(carla, org_c)
    assert policy.permissions_for(actor, partnership).delete
    assert policy.permissions_for(policy.Actor.of(dora, org_d), partnership).name_lead
    # The to-do asks each remaining administrator to name one.
    todo = api_as(carla).get(reverse("api:todo"), {"organisation": "fondation-c"}).json()
    assert [item["kind"] for item in todo if item["kind"] == "name_lead"] == ["name_lead"]

    # A party that left cannot be named; the page offers only the parties taking part.
    form_page = signed_in(carla).get(page("name-lead", partnership, "fondation-c"))
    assert "Association A" not in form_page.content.decode()
    refused = api_as(carla).post(
        api_url("lead", partnership, "fondation-c"), {"organisation": "association-a"}
    )
    assert refused.status_code == 400

    named = signed_in(carla).post(
        page("name-lead", partnership, "fondation-c"), {"lead": party(partnership, org_d).pk}
    )
    assert named.status_code == 302
    assert party(partnership, org_d).role == "lead" and policy.has_lead(partnership)
    assert not policy.permissions_for(actor, partnership).delete  # C is no longer acting lead
    todo = api_as(carla).get(reverse("api:todo"), {"organisation": "fondation-c"}).json()
    assert "name_lead" not in [item["kind"] for item in todo]
    # Once named, naming again is a conflict.
    again = api_as(dora).post(
        api_url("lead", partnership, "mairie-d"), {"organisation": "fondation-c"}
    )
    assert again.status_code == 409
    texts = [event.text for event in events(partnership, org_c)]
    assert any("Mairie D" in text for text in texts)


def test_the_api_names_a_new_lead_by_slug(owner, carla, partnership, org_c):
    api_as(owner).post(api_url("leave", partnership), {}, format="json")
    response = api_as(carla).post(
        api_url("lead", partnership, "fondation-c"), {"organisation": "fondation-c"}
    )
    assert response.status_code == 200 and response.json()["role"] == "lead"
    assert party(partnership, org_c).role == "lead"


def test_an_editor_cannot_name_the_lead(owner, partnership, org_c):
    api_as(owner).post(api_url("leave", partnership), {}, format="json")
    editor_c = UserFactory(username="edith")
    MembershipFactory(user=editor_c, organisation=org_c, role="editor")
    response = api_as(editor_c).post(
        api_url("lead", partnership, "fondation-c"), {"organisation": "fondation-c"}
    )
    assert response.status_code == 403


def test_the_workspace_offers_leaving_to_administrators_only(owner, editor, partnership):
    leave = page("leave", partnership)
    assert leave in signed_in(owner).get(page("workspace", partnership)).content.decode()
    assert leave not in signed_in(editor).get(page("workspace", partnership)).content.decode()
