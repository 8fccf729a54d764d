"""Parties joining or leaving while an agreement is being approved: who is asked to approve,
when the version comes into force, and that a party that left no longer writes on it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.models import Agreement, AgreementApproval
from partnerships.services import agreements as services
from partnerships.services.partnerships import invitation_respond, party_invite
from tests.factories import MembershipFactory, OrganisationFactory, PartyFactory, UserFactory
from tests.partnerships.test_agreements import approve, draft, in_force

pytestmark = pytest.mark.django_db


def delete_url(partnership):
    return reverse(
        "partnerships:delete",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


# --- A submitted version does not get stuck when the last party yet to decide leaves --------
def test_the_last_undecided_party_leaving_brings_the_version_into_force(
    editor, owner, carla, org_a, org_c, partnership
):
    first = in_force(editor, owner, carla, org_a, org_c, partnership)
    second = services.agreement_submit(
        actor=editor, organisation=org_a, agreement=draft(editor, org_a, partnership)
    )
    approve(owner, org_a, second)
    party_c = partnership.parties.get(organisation=org_c)
    party_c.left_on = timezone.localdate()
    party_c._history_user = owner
    party_c.save()
    second.refresh_from_db()
    assert second.state == "in_force" and second.in_force_at is not None
    assert second.history.latest().history_user == owner
    assert Agreement.objects.get(pk=first.pk).state == "superseded"


def test_a_party_leaving_leaves_a_version_alone_while_another_has_not_decided(
    editor, owner, carla, org_a, org_c, partnership
):
    newcomer = OrganisationFactory(name="Newcomer")
    PartyFactory(partnership=partnership, organisation=newcomer, invitation="accepted")
    agreement = services.agreement_submit(
        actor=editor, organisation=org_a, agreement=draft(editor, org_a, partnership)
    )
    approve(owner, org_a, agreement)
    partnership.parties.filter(organisation=org_c).get().delete()  # C goes; the newcomer stays
    assert Agreement.objects.get(pk=agreement.pk).state == "pending"


# --- A party that has left no longer writes on the agreement --------------------------------
def leave(partnership, organisation):
    party = partnership.parties.get(organisation=organisation)
    party.left_on = max(party.joined_on or timezone.localdate(), timezone.localdate())
    party.save()


def test_a_party_that_left_no_longer_drafts_changes_submits_or_signs(
    editor, owner, carla, org_a, org_c, partnership
):
    first = in_force(editor, owner, carla, org_a, org_c, partnership)
    leave(partnership, org_a)
    with pytest.raises(PermissionDenied):
        draft(editor, org_a, partnership)
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", "application/pdf")
    with pytest.raises(PermissionDenied):
        services.agreement_attach_scan(actor=editor, organisation=org_a, agreement=first, scan=scan)
    second = draft(carla, org_c, partnership)  # the party that stays goes on
    with pytest.raises(PermissionDenied):
        services.agreement_update(actor=editor, organisation=org_a, agreement=second, exit="x")
    with pytest.raises(PermissionDenied):
        services.agreement_submit(actor=editor, organisation=org_a, agreement=second)
    assert Agreement.objects.get(pk=second.pk).state == "draft"
    assert not Agreement.objects.get(pk=first.pk).signed_scan


def test_a_party_that_left_reads_the_tab_without_the_writing_forms(
    client, editor, owner, carla, org_a, org_c, partnership
):
    in_force(editor, owner, carla, org_a, org_c, partnership)
    tab = reverse(
        "partnerships:tab-agreement",
        kwargs={"org_slug": org_a.slug, "partnership_id": partnership.pk},
    )
    client.force_login(editor)
    before = client.get(tab).content.decode()
    assert "/agreements/add/" in before and "/scan/" in before
    leave(partnership, org_a)
    after = client.get(tab).content.decode()
    assert "/agreements/add/" not in after and '/scan/"' not in after
    assert "/print/" in after  # the record stays readable


def test_the_api_decides_for_a_current_party_not_one_that_left(
    editor, owner, org_a, org_c, partnership
):
    maison = OrganisationFactory(name="Maison D", slug="maison-d")
    PartyFactory(partnership=partnership, organisation=maison, invitation="accepted")
    dana = UserFactory(username="dana")
    MembershipFactory(user=dana, organisation=org_c, role="admin")  # Fondation C, first by name
    MembershipFactory(user=dana, organisation=maison, role="admin")
    agreement = services.agreement_submit(
        actor=editor, organisation=org_a, agreement=draft(editor, org_a, partnership)
    )
    approve(owner, org_a, agreement)
    leave(partnership, org_c)
    api = APIClient()
    api.force_authenticate(dana)
    url = f"/api/v1/partnerships/{partnership.pk}/agreements/{agreement.pk}/approve/"
    response = api.post(url, {}, format="json")
    assert response.status_code == 200, response.content
    assert AgreementApproval.objects.get(agreement=agreement, user=dana).organisation == maison
    assert Agreement.objects.get(pk=agreement.pk).state == "in_force"


# --- A submitted version lists the parties who approve it, also one accepted afterwards ------
def test_a_party_accepted_while_pending_is_listed_and_asked_to_approve(
    client, editor, owner, carla, org_a, org_c, partnership
):
    agreement = services.agreement_submit(
        actor=editor, organisation=org_a, agreement=draft(editor, org_a, partnership)
    )
    maison = OrganisationFactory(name="Maison D", slug="maison-d")
    dana = UserFactory(username="dana")
    MembershipFactory(user=dana, organisation=maison, role="admin")
    party = party_invite(
        actor=owner, acting=org_a, partnership=partnership, organisation=maison, role="partner"
    )
    invitation_respond(actor=dana, party=party, accept=True)
    agreement.refresh_from_db()
    assert [p["organisation"] for p in agreement.snapshot["parties"]] == [
        org_a.slug,
        org_c.slug,
        maison.slug,
    ]
    assert agreement.history.latest().history_user == dana
    client.force_login(owner)
    print_url = reverse(
        "partnerships:agreement-print",
        kwargs={
            "org_slug": "association-a",
            "partnership_id": partnership.pk,
            "agreement_id": agreement.pk,
        },
    )
    assert "Maison D" in client.get(print_url).content.decode()
    approve(owner, org_a, agreement)
    approve(carla, org_c, agreement)
    assert Agreement.objects.get(pk=agreement.pk).state == "pending"  # D has not decided
    approve(dana, maison, agreement)
    assert Agreement.objects.get(pk=agreement.pk).state == "in_force"
