"""Errors: a message per field in the caller's language; nothing partial is stored."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from partnerships.api.records import RecordsMixin
from partnerships.models import Commitment

pytestmark = pytest.mark.django_db


def commitments_url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/commitments/"


def test_each_bad_field_gets_its_message_in_french_by_default(api, editor, partnership):
    response = api(editor).post(commitments_url(partnership), {"due_on": "demain"})
    assert response.status_code == 400
    assert response.json() == {
        "party": ["Ce champ est obligatoire."],
        "title": ["Ce champ est obligatoire."],
        "due_on": [
            "La date n'a pas le bon format. Utilisez un des formats suivants\u00a0: YYYY-MM-DD."
        ],
    }


def test_messages_are_in_english_when_asked(api, editor, partnership):
    response = api(editor).post(
        commitments_url(partnership), {"party": "association-a"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json() == {"title": ["This field is required."]}


def test_messages_of_the_services_are_translated_too(api, editor, partnership):
    url = f"/api/v1/partnerships/{partnership.pk}/"
    body = {"version": 1, "starts_on": "2025-05-01", "ends_on": "2025-04-01"}
    response = api(editor).patch(url, body)
    assert response.json() == {
        "non_field_errors": ["La date de fin ne peut pas précéder la date de début."]
    }


def test_a_body_that_is_not_json_is_refused(api, editor, partnership):
    response = api(editor).generic(
        "POST", commitments_url(partnership), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_write_that_fails_after_the_service_ran_leaves_nothing(
    api, editor, partnership, monkeypatch
):
    def fail(*args, **kwargs):
        raise serializers.ValidationError({"title": ["refused after the write"]})

    monkeypatch.setattr(RecordsMixin, "answer", fail)
    response = api(editor).post(
        commitments_url(partnership), {"party": "association-a", "title": "Écrit puis annulé"}
    )
    assert response.status_code == 400
    assert not Commitment.objects.exists()


def test_unknown_objects_get_a_plain_404(api, editor, partnership):
    response = api(editor).get(f"{commitments_url(partnership)}999999/")
    assert response.json() == {"detail": "Non trouvé."}


def test_options_describes_a_partnership_route(api, editor, partnership):
    """Found by fuzzing: DRF's metadata asked for an object the view could not give (500)."""
    response = api(editor).options(f"/api/v1/partnerships/{partnership.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("slug", ["pas un slug", "nul\x00"])
def test_a_malformed_organisation_slug_is_refused_before_any_query(api, editor, partnership, slug):
    """Found by fuzzing: a NUL character in ?organisation= made PostgreSQL fail (500)."""
    client = api(editor)
    summary = client.get("/api/v1/reports/summary/", {"organisation": slug})
    create = client.post("/api/v1/partnerships/", {"title": "x", "organisation": slug})
    change = client.patch(
        f"/api/v1/partnerships/{partnership.pk}/?organisation={slug}", {"version": 1}
    )
    assert [summary.status_code, create.status_code, change.status_code] == [400, 400, 400]
    assert list(create.json()) == ["organisation"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("benefits/", {"category": "other", "party": "a\x00b", "description": "x"}),
        (
            "concerns/",
            {"kind": "fear", "category": "power", "description": "x", "raised_by": "a\x00b"},
        ),
    ],
)
def test_a_nul_character_in_a_slug_is_a_400_on_every_database(api, editor, partnership, path, body):
    """Found by fuzzing on PostgreSQL, which fails a query comparing a string holding NUL."""
    response = api(editor).post(f"/api/v1/partnerships/{partnership.pk}/{path}", body)
    assert response.status_code == 400


def test_a_nul_character_in_a_username_is_a_400(api, owner):
    response = api(owner).post(
        "/api/v1/organisations/association-a/members/", {"username": "x\x00y", "role": "viewer"}
    )
    assert response.status_code == 400
