"""The API's record files: members of an active organisation only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CommitmentFactory, ConcernFactory

pytestmark = pytest.mark.django_db


def path(kind: str, slug: str = "association-a") -> str:
    return reverse(f"api:export-{kind}", kwargs={"org_slug": slug})


@pytest.fixture
def records(partnership, org_a, org_c):
    CommitmentFactory(party=partnership.parties.get(organisation=org_a), title="Réserver")
    ConcernFactory(raised_by=partnership.parties.get(organisation=org_c), visibility="private")


def test_a_member_gets_the_commitments_as_csv(api, viewer, records):
    response = api(viewer).get(path("commitments"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert [row[1] for row in rows[1:]] == ["Réserver"]


def test_a_member_gets_the_concerns_as_xlsx_without_another_party_s_private_one(
    api, viewer, records
):
    response = api(viewer).get(path("concerns"), {"file_format": "xlsx"})
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active.max_row == 1


def test_an_unknown_format_is_a_bad_request(api, viewer, records):
    response = api(viewer).get(path("concerns"), {"file_format": "pdf"})
    assert response.status_code == 400
    assert "file_format" in response.json()


@pytest.mark.parametrize("kind", ["commitments", "concerns"])
def test_outsiders_and_inactive_organisations_get_404(api, viewer, outsider, org_a, kind):
    assert api(outsider).get(path(kind)).status_code == 404
    assert api(viewer).get(path(kind, "nowhere")).status_code == 404
    org_a.active = False
    org_a.save()
    assert api(viewer).get(path(kind)).status_code == 404


def test_anonymous_callers_get_401(api):
    assert api().get(path("commitments")).status_code == 401
