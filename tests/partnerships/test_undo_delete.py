"""Deleting a responsibility, commitment or pleasure can be undone for a while: the record is
gone from every read at once, the party that deleted it brings it back within the window, and
a periodic task purges it for good afterwards."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships.models import Benefit, Commitment, Responsibility
from partnerships.reads.timeline import events
from partnerships.services.records import record_delete, records_purge
from partnerships.tasks import purge_deleted_records
from tests.factories import BenefitFactory, CommitmentFactory, ResponsibilityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def page(name: str, partnership, org: str = "association-a", **kwargs) -> str:
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": org, "partnership_id": partnership.pk, **kwargs},
    )


def api_url(partnership, path: str) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/{path}"


@pytest.fixture
def commitment(partnership, org_a):
    party = partnership.parties.get(organisation=org_a)
    return CommitmentFactory(party=party, title="Prêter les livres du CDI")


def delete_on_the_page(client, user, partnership, commitment, **headers):
    client.force_login(user)
    return client.post(page("commitment-delete", partnership, pk=commitment.pk), **headers)


# --- Gone from every read ------------------------------------------------------------------------
def test_a_deleted_commitment_is_gone_from_pages_api_and_exports(
    client, api, editor, viewer, partnership, commitment, org_a
):
    delete_on_the_page(client, editor, partnership, commitment)
    stored = Commitment.all_objects.get(pk=commitment.pk)
    assert stored.deleted_at is not None and stored.deleted_by == editor
    assert not Commitment.objects.filter(pk=commitment.pk).exists()

    client.force_login(viewer)
    tab = client.get(page("tab-commitments", partnership)).content.decode()
    assert commitment.title not in tab
    listed = api(viewer).get(api_url(partnership, "commitments/")).json()
    assert listed["count"] == 0
    assert api(viewer).get(api_url(partnership, f"commitments/{commitment.pk}/")).status_code == 404
    export = client.get(reverse("partnerships:export-commitments", args=[org_a.slug]))
    assert commitment.title not in b"".join(export).decode()
    # the edit and delete pages know it no more
    client.force_login(editor)
    assert client.get(page("commitment-edit", partnership, pk=commitment.pk)).status_code == 404
    assert client.get(page("commitment-delete", partnership, pk=commitment.pk)).status_code == 404


def test_the_timeline_tells_the_deletion_once(editor, org_a, partnership, commitment):
    record_delete(actor=editor, organisation=org_a, record=commitment)
    told = [event for event in events(partnership, org_a) if event.kind == "commitment"]
    assert len(told) == 2  # created, then deleted
    later = timezone.now() + datetime.timedelta(days=1)
    records_purge(later)
    told = [event for event in events(partnership, org_a) if event.kind == "commitment"]
    assert len(told) == 2  # the purge repeats nothing


# --- Undo on the pages ---------------------------------------------------------------------
def test_the_tab_after_deleting_offers_undo_and_undo_brings_it_back(
    client, editor, partnership, commitment
):
    response = delete_on_the_page(client, editor, partnership, commitment)
    assert response.status_code == 302
    restore_url = page("commitment-restore", partnership, pk=commitment.pk)
    tab = client.get(response["Location"]).content.decode()
    assert restore_url in tab  # the Undo button
    assert restore_url not in client.get(response["Location"]).content.decode()  # shown once

    assert client.post(restore_url).status_code == 302
    restored = Commitment.objects.get(pk=commitment.pk)
    assert (restored.deleted_at, restored.deleted_by, restored.deleted_by_party) == (None,) * 3
    assert commitment.title in client.get(page("tab-commitments", partnership)).content.decode()


def test_with_htmx_the_tab_comes_back_with_its_undo_button(client, editor, partnership, commitment):
    response = delete_on_the_page(client, editor, partnership, commitment, **HTMX)
    assert response.status_code == 200
    restore_url = page("commitment-restore", partnership, pk=commitment.pk)
    assert restore_url in response.content.decode()
    restored = client.post(restore_url, **HTMX)
    assert restored.status_code == 200
    assert commitment.title in restored.content.decode()


@pytest.mark.parametrize(
    ("factory", "name", "model"),
    [
        (ResponsibilityFactory, "responsibility", Responsibility),
        (BenefitFactory, "benefit", Benefit),
    ],
)
def test_responsibilities_and_pleasures_are_undone_alike(
    client, editor, org_a, partnership, factory, name, model
):
    record = factory(party=partnership.parties.get(organisation=org_a))
    client.force_login(editor)
    client.post(page(f"{name}-delete", partnership, pk=record.pk))
    assert not model.objects.filter(pk=record.pk).exists()
    client.post(page(f"{name}-restore", partnership, pk=record.pk))
    assert model.objects.filter(pk=record.pk).exists()


def test_undo_after_the_window_is_refused_with_409(
    client, editor, org_a, partnership, commitment, settings
):
    record_delete(actor=editor, organisation=org_a, record=commitment)
    settings.RECORD_UNDO_MINUTES = 0
    client.force_login(editor)
    response = client.post(page("commitment-restore", partnership, pk=commitment.pk))
    assert response.status_code == 409
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_an_outsider_gets_404_on_undo(client, editor, outsider, org_a, partnership, commitment):
    record_delete(actor=editor, organisation=org_a, record=commitment)
    client.force_login(outsider)
    url = page("commitment-restore", partnership, org="college-b", pk=commitment.pk)
    assert client.post(url).status_code == 404
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_the_other_party_cannot_undo_our_deletion(
    client, editor, carla, org_a, partnership, commitment
):
    record_delete(actor=editor, organisation=org_a, record=commitment)
    client.force_login(carla)
    url = page("commitment-restore", partnership, org="fondation-c", pk=commitment.pk)
    assert client.post(url).status_code == 403
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_a_viewer_of_the_deleting_party_cannot_undo(
    client, editor, viewer, org_a, partnership, commitment
):
    record_delete(actor=editor, organisation=org_a, record=commitment)
    client.force_login(viewer)
    assert client.post(page("commitment-restore", partnership, pk=commitment.pk)).status_code == 403


def test_undoing_a_record_that_was_not_deleted_is_a_409(client, editor, partnership, commitment):
    client.force_login(editor)
    response = client.post(page("commitment-restore", partnership, pk=commitment.pk))
    assert response.status_code == 409


# --- The API -----------------------------------------------------------------------------------
def test_the_api_delete_answers_204_and_restore_brings_it_back(
    api, editor, partnership, commitment
):
    client = api(editor)
    detail = api_url(partnership, f"commitments/{commitment.pk}/")
    assert client.delete(detail).status_code == 204
    assert client.get(api_url(partnership, "commitments/")).json()["count"] == 0
    restored = client.post(f"{detail}restore/")
    assert restored.status_code == 200, restored.content
    assert restored.json()["id"] == commitment.pk
    assert restored.json()["version"] == commitment.version + 2  # deleted, then restored
    assert client.get(api_url(partnership, "commitments/")).json()["count"] == 1


def test_the_api_answers_409_after_the_window_403_to_the_other_party_404_to_outsiders(
    api, editor, carla, outsider, org_a, partnership, commitment, settings
):
    record_delete(actor=editor, organisation=org_a, record=commitment)
    restore = api_url(partnership, f"commitments/{commitment.pk}/restore/")
    assert api(outsider).post(restore).status_code == 404
    assert api(carla).post(restore).status_code == 403
    settings.RECORD_UNDO_MINUTES = 0
    assert api(editor).post(restore).status_code == 409
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


# --- The purge ---------------------------------------------------------------------------------
def test_the_purge_deletes_for_good_only_what_the_window_no_longer_covers(
    editor, org_a, partnership, commitment
):
    recent = CommitmentFactory(party=commitment.party, title="Deleted just now")
    record_delete(actor=editor, organisation=org_a, record=commitment)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    stale = Commitment.all_objects.get(pk=commitment.pk)
    stale.deleted_at = long_ago
    stale.save(update_fields=["deleted_at"])
    record_delete(actor=editor, organisation=org_a, record=recent)

    assert purge_deleted_records() == 1
    assert not Commitment.all_objects.filter(pk=commitment.pk).exists()
    assert Commitment.all_objects.filter(pk=recent.pk).exists()  # still undoable
    assert purge_deleted_records() == 0  # idempotent
    last = Commitment.history.filter(id=commitment.pk).latest("history_date")
    assert last.history_type == "-"
    assert last.history_change_reason == "task:purge_deleted_records"


def test_the_history_names_who_deleted_and_who_undid(editor, org_a, partnership, commitment):
    from partnerships.services.records import record_restore

    record_delete(actor=editor, organisation=org_a, record=commitment)
    record_restore(actor=editor, organisation=org_a, record=commitment)
    rows = list(Commitment.history.filter(id=commitment.pk).order_by("history_date"))
    assert [(row.history_change_reason, row.history_user) for row in rows[-2:]] == [
        ("deleted", editor),
        ("restored", editor),
    ]
