"""Two people edit the same commitment, concern or review: the second save is refused.

Each edit carries the version it read (a hidden field in the pages, ``version`` in the API);
a save over a newer version answers 409 with a message, keeps what the person typed, and
changes nothing.
"""

from __future__ import annotations

import html
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.models import Commitment, Concern, Review
from partnerships.services.records import record_save, review_save
from partnerships.services.reviews import review_hold
from partnerships.services.versions import StaleVersion
from tests.factories import CommitmentFactory, ConcernFactory, ReviewFactory
from tests.forms import form_data

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def page(name, partnership, **kwargs):
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk, **kwargs},
    )


def api_url(partnership, path):
    return f"/api/v1/partnerships/{partnership.pk}/{path}"


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def commitment(partnership, org_a):
    return CommitmentFactory(party=partnership.parties.get(organisation=org_a))


@pytest.fixture
def concern(partnership, org_a):
    return ConcernFactory(raised_by=partnership.parties.get(organisation=org_a))


@pytest.fixture
def review(partnership):
    return ReviewFactory(partnership=partnership)


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- Services -----------------------------------------------------------------------------
def test_a_commitment_saved_at_its_version_moves_to_the_next(editor, org_a, commitment):
    commitment.title = "Envoyer le calendrier"
    record_save(actor=editor, organisation=org_a, record=commitment, version=1)
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Envoyer le calendrier", 2)
    assert commitment.history.first().history_user == editor


def test_a_stale_commitment_save_changes_nothing_and_leaves_no_history(editor, org_a, commitment):
    first = Commitment.objects.get(pk=commitment.pk)
    first.title = "Premier"
    record_save(actor=editor, organisation=org_a, record=first, version=1)
    second = Commitment.objects.get(pk=commitment.pk)
    second.title = "Second"
    with pytest.raises(StaleVersion) as refused:
        record_save(actor=editor, organisation=org_a, record=second, version=1)
    assert refused.value.current_version == 2
    assert "cet engagement" in str(refused.value)
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Premier", 2)
    assert commitment.history.count() == 2  # created, then the first save only


def test_a_record_loaded_before_another_save_is_refused_without_an_explicit_version(
    editor, org_a, concern
):
    loaded_early = Concern.objects.get(pk=concern.pk)
    concern.response = "Un point mensuel"
    record_save(actor=editor, organisation=org_a, record=concern)
    loaded_early.status = "resolved"
    with pytest.raises(StaleVersion):
        record_save(actor=editor, organisation=org_a, record=loaded_early)
    assert Concern.objects.get(pk=concern.pk).status == "open"


def test_a_stale_review_save_is_refused(editor, org_a, review):
    review_save(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    stale = Review.objects.get(pk=review.pk)
    stale.minutes = "Écrasé"
    with pytest.raises(StaleVersion):
        review_save(actor=editor, organisation=org_a, review=stale, version=1)
    assert Review.objects.get(pk=review.pk).minutes == ""


# --- Pages --------------------------------------------------------------------------------
def test_the_commitment_edit_form_carries_its_version(client, editor, commitment, partnership):
    client.force_login(editor)
    response = client.get(page("commitment-edit", partnership, pk=commitment.pk))
    assert form_data(text(response), "edit-form")["version"] == "1"


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_stale_commitment_edit_is_refused_and_keeps_what_was_typed(
    client, editor, commitment, partnership, htmx
):
    client.force_login(editor)
    edit = page("commitment-edit", partnership, pk=commitment.pk)
    data = form_data(text(client.get(edit)), "edit-form")
    first = client.post(edit, {**data, "title": "Version A"})
    assert first.status_code == 302
    headers = HTMX if htmx else {}
    second = client.post(edit, {**data, "title": "Ma version B tapée"}, **headers)
    assert second.status_code == 409
    body = text(second)
    assert "Quelqu'un d'autre a modifié cet engagement" in body
    assert 'value="Ma version B tapée"' in body
    if htmx:
        assert "<html" not in body  # the edit-form partial only, swapped in place
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Version A", 2)


def test_a_stale_concern_edit_is_refused_in_english_too(client, editor, concern, partnership):
    editor.language = "en"
    editor.save()
    client.force_login(editor)
    edit = page("concern-edit", partnership, pk=concern.pk)
    data = form_data(text(client.get(edit)), "edit-form")
    assert client.post(edit, {**data, "response": "Premier plan"}).status_code == 302
    second = client.post(edit, {**data, "response": "Second plan"}, **HTMX)
    assert second.status_code == 409
    assert "Someone else changed this fear or resistance" in text(second)
    concern.refresh_from_db()
    assert (concern.response, concern.version) == ("Premier plan", 2)


def test_a_stale_review_minutes_form_is_refused(client, editor, review, partnership, org_a):
    review = review_hold(actor=editor, organisation=org_a, review=review)  # version 2
    client.force_login(editor)
    minutes = page("review-minutes", partnership, review_id=review.pk)
    data = {"minutes": "Premier compte rendu", "version": 2}
    assert client.post(minutes, data).status_code == 302
    second = client.post(minutes, {**data, "minutes": "Second compte rendu"}, **HTMX)
    assert second.status_code == 409
    body = text(second)
    assert "Quelqu'un d'autre a modifié cette revue" in body
    assert "Second compte rendu" in body
    review.refresh_from_db()
    assert (review.minutes, review.version) == ("Premier compte rendu", 3)


# --- API ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("commitments/{pk}/", {"title": "Changé"}, "commitment"),
        ("concerns/{pk}/", {"response": "Changé"}, "concern"),
        ("reviews/{pk}/", {"minutes": "Changé"}, "review"),
    ],
)
def test_an_api_change_needs_the_version_and_a_stale_one_gets_409(
    api, editor, request, path, body, model
):
    record = request.getfixturevalue(model)
    client = api(editor)
    detail = api_url(record.partnership, path.format(pk=record.pk))
    missing = client.patch(detail, body)
    assert missing.status_code == 400
    assert list(missing.json()) == ["version"]
    assert client.get(detail).json()["version"] == 1
    saved = client.patch(detail, {**body, "version": 1})
    assert (saved.status_code, saved.json()["version"]) == (200, 2)
    stale = client.patch(detail, {**body, "version": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "Someone else changed this" in stale.json()["detail"]
    record.refresh_from_db()
    assert record.version == 2
    assert record.history.count() == 2  # nothing recorded for the refused change


def test_the_schema_documents_409_and_the_version_on_record_changes(api, editor):
    schema = api(editor).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/partnerships/{partnership_id}/commitments/{id}/",
        "/api/v1/partnerships/{partnership_id}/concerns/{id}/",
        "/api/v1/partnerships/{partnership_id}/reviews/{id}/",
    ):
        for method in ("put", "patch"):
            assert "409" in paths[path][method]["responses"], (path, method)
    components = schema["components"]["schemas"]
    for name in ("CommitmentUpdateRequest", "ConcernUpdateRequest", "ReviewUpdateRequest"):
        assert "version" in components[name]["required"], name
    assert "version" in components["Commitment"]["properties"]


def test_htmx_swaps_a_409_answer_so_the_refusal_is_seen(client, editor, commitment, partnership):
    # htmx 2 drops 4xx answers by default: the page's htmx-config makes it swap 409 in place.
    client.force_login(editor)
    response = client.get(page("commitment-edit", partnership, pk=commitment.pk))
    config_start = text(response).index('name="htmx-config" content=\'') + 28
    config = json.loads(text(response)[config_start : text(response).index("'>", config_start)])
    handling = config["responseHandling"]
    conflict = next(rule for rule in handling if rule["code"] == "409")
    assert handling.index(conflict) < handling.index(
        {"code": "[45]..", "swap": False, "error": True}
    )
    assert conflict["swap"] is True


@pytest.mark.parametrize(
    ("name", "fixture"), [("commitment-done", "commitment"), ("concern-resolve", "concern")]
)
def test_a_one_click_change_that_loses_a_race_answers_409(
    client, editor, partnership, request, monkeypatch, name, fixture
):
    record = request.getfixturevalue(fixture)

    def loses_the_race(**kwargs):  # someone saved between this request's read and its write
        raise StaleVersion(2, fixture)

    monkeypatch.setattr("partnerships.views.records.record_save", loses_the_race)
    client.force_login(editor)
    response = client.post(page(name, partnership, pk=record.pk), {"confirmed": "1"}, **HTMX)
    assert response.status_code == 409
    record.refresh_from_db()
    assert record.version == 1
