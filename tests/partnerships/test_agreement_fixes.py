"""Regressions found in review of the agreements: what deleting, bulk writes, parties leaving
and the dashboard did to approved or pending versions."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.exceptions import AgreementFrozen, AgreementStateError, StateConflict
from partnerships.models import Agreement, AgreementApproval, Partnership
from partnerships.reads.health import health_signals, with_health
from partnerships.services import agreements as services
from partnerships.services.audit import audited_update, recorded_bulk_write
from partnerships.services.partnerships import invitation_respond, partnership_delete, party_invite
from tests.factories import MembershipFactory, OrganisationFactory, PartyFactory, UserFactory
from tests.partnerships.test_agreements import approve, draft, in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def carla(org_c):
    """Administrator of the partner organisation C."""
    user = UserFactory(username="carla", first_name="Carla", last_name="Costa")
    MembershipFactory(user=user, organisation=org_c, role="admin")
    return user


def delete_url(partnership):
    return reverse(
        "partnerships:delete",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


# --- 1. Deleting a partnership never takes an approved agreement with it ------------------------
def test_a_partnership_with_an_approved_agreement_is_not_deleted(
    editor,
    owner,
    carla,
    org_a,
    org_c,
    partnership,
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    with pytest.raises(StateConflict):
        partnership_delete(actor=owner, organisation=org_a, partnership=partnership)
    assert Agreement.objects.filter(pk=agreement.pk, state="in_force").exists()
    assert AgreementApproval.objects.filter(agreement=agreement).count() == 2


def test_the_delete_page_says_why_and_deletes_nothing(
    client,
    editor,
    owner,
    carla,
    org_a,
    org_c,
    partnership,
):
    in_force(editor, owner, carla, org_a, org_c, partnership)
    client.force_login(owner)
    response = client.post(delete_url(partnership))
    assert response.status_code == 409
    assert "Passez plutôt son statut à « Terminé »" in html.unescape(response.content.decode())
    assert Partnership.objects.filter(pk=partnership.pk).exists()
    assert Agreement.objects.filter(partnership=partnership).count() == 1


def test_the_api_answers_409_and_deletes_nothing(
    editor,
    owner,
    carla,
    org_a,
    org_c,
    partnership,
):
    in_force(editor, owner, carla, org_a, org_c, partnership)
    api = APIClient()
    api.force_authenticate(owner)
    response = api.delete(f"/api/v1/partnerships/{partnership.pk}/")
    assert response.status_code == 409
    assert Agreement.objects.filter(partnership=partnership).count() == 1


def test_a_partnership_with_only_a_draft_is_deleted_with_it(
    client, editor, owner, org_a, partnership
):
    draft(editor, org_a, partnership)
    client.force_login(owner)
    assert client.post(delete_url(partnership)).status_code == 302
    assert not Partnership.objects.filter(pk=partnership.pk).exists()
    assert not Agreement.objects.exists()


def test_no_other_path_cascades_to_agreement_versions(editor, org_a, partnership):
    """The foreign key protects them: the admin or the shell cannot delete them by the way."""
    draft(editor, org_a, partnership)
    with pytest.raises(ProtectedError):
        Partnership.objects.filter(pk=partnership.pk).delete()


# --- 2. Bulk writes keep the approved versions frozen; a draft does not skip its approvals ------
def test_update_refuses_to_change_an_approved_version(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership, purpose="Agreed")
    versions = Agreement.objects.filter(pk=agreement.pk)
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        versions.update(purpose="Rewritten")
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        versions.update(state="draft")
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        Agreement.objects.all().update(ends_on=datetime.date(2030, 1, 1))
    agreement.refresh_from_db()
    assert (agreement.purpose, agreement.state, agreement.ends_on) == ("Agreed", "in_force", None)


def test_bulk_update_refuses_to_change_an_approved_version(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership, purpose="Agreed")
    agreement.purpose = "Rewritten"
    with pytest.raises(AgreementFrozen), recorded_bulk_write():
        Agreement.objects.bulk_update([agreement], ["purpose"])
    assert Agreement.objects.get(pk=agreement.pk).purpose == "Agreed"


def test_a_state_move_of_versions_in_force_still_goes_through(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    with recorded_bulk_write():
        assert Agreement.objects.filter(pk=agreement.pk).update(state="ended") == 1
    with pytest.raises(AgreementFrozen), recorded_bulk_write():  # ended is final
        Agreement.objects.filter(pk=agreement.pk).update(state="in_force")
    assert Agreement.objects.get(pk=agreement.pk).state == "ended"


def test_a_stored_draft_cannot_jump_into_force_or_to_ended(editor, org_a, partnership):
    agreement = draft(editor, org_a, partnership)
    for state in ("in_force", "ended", "superseded"):
        agreement.state, agreement.in_force_at = state, timezone.now()
        with pytest.raises(AgreementStateError):
            agreement.save()
    assert Agreement.objects.get(pk=agreement.pk).state == "draft"


# --- 3. A submitted version does not get stuck when the last party yet to decide leaves --------
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


# --- 4. The dashboard keeps saying an agreement ended while nothing replaced it ---------------
def test_an_ended_agreement_stays_signalled_until_a_new_version_is_in_force(
    editor, owner, carla, org_a, org_c, partnership
):
    def ending_signals():
        annotated = with_health(Partnership.objects.filter(pk=partnership.pk), org_a).get()
        return [s.message for s in health_signals(annotated) if s.code == "agreement_ending"]

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    starts_on = yesterday - datetime.timedelta(days=365)
    in_force(
        editor, owner, carla, org_a, org_c, partnership, starts_on=starts_on, ends_on=yesterday
    )
    assert len(ending_signals()) == 1
    assert services.agreements_end_expired(timezone.localdate()) == 1  # the daily task
    assert len(ending_signals()) == 1  # still there once the version is marked ended
    in_force(editor, owner, carla, org_a, org_c, partnership, ends_on=None)  # a renewal
    assert ending_signals() == []


# --- 5. A party that has left no longer writes on the agreement --------------------------------
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


# --- 7. A submitted version lists the parties who approve it, also one accepted afterwards ------
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


def test_a_submitted_version_keeps_the_rest_of_its_snapshot(editor, org_a, partnership):
    agreement = services.agreement_submit(
        actor=editor, organisation=org_a, agreement=draft(editor, org_a, partnership)
    )
    agreement.snapshot = {**agreement.snapshot, "agreed_level": 6}
    with pytest.raises(AgreementStateError):
        agreement.save()


def test_a_bulk_delete_never_takes_an_approved_version(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    with pytest.raises(AgreementFrozen):
        Agreement.objects.filter(partnership=partnership).delete()
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def test_audited_update_keeps_an_approved_version_frozen_too(
    editor, owner, carla, org_a, org_c, partnership
):
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership, purpose="Agreed")
    with pytest.raises(AgreementFrozen):
        audited_update(
            Agreement.objects.filter(pk=agreement.pk), actor=owner, reason="test", purpose="x"
        )
    assert Agreement.objects.get(pk=agreement.pk).purpose == "Agreed"


def test_deleting_the_user_who_drafted_an_approved_version_still_works(
    editor, owner, carla, org_a, org_c, partnership
):
    """Django empties ``created_by`` with an update on the base manager: not a change of the
    agreement's content, and not refused."""
    agreement = in_force(editor, owner, carla, org_a, org_c, partnership)
    editor.delete()
    assert Agreement.objects.get(pk=agreement.pk).created_by is None
