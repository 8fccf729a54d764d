"""Dates a client sends are kept between 1 January 1900 and 31 December 2200, field by field:
a year 9999 once made the review's page and agenda answer 500 for every party."""

from __future__ import annotations

import pytest

from partnerships.models import Commitment, ConcernCheck, LevelAssessment, Review
from tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db

REFUSED = ["9999-12-15", "1899-12-31", "2201-01-01"]
ACCEPTED = ["1900-01-01", "2200-12-31"]


def url(partnership, path: str = "") -> str:
    return f"/api/v1/partnerships/{partnership.pk}/{path}"


def send(api, editor, partnership, what: str, day: str):
    """POST (or PATCH) one record with ``day`` in its date field; the answer and the field."""
    client = api(editor)
    if what == "review":
        return client.post(url(partnership, "reviews/"), {"scheduled_on": day}), "scheduled_on"
    if what == "commitment":
        body = {"party": "association-a", "title": "Envoyer le calendrier", "due_on": day}
        return client.post(url(partnership, "commitments/"), body), "due_on"
    if what == "level":
        body = {"kind": "target", "level": 4, "assessed_on": day}
        return client.post(url(partnership, "levels/"), body), "assessed_on"
    if what == "check":
        concern = ConcernFactory(raised_by=partnership.parties.get(role="lead"))
        checks = url(partnership, f"concerns/{concern.pk}/checks/")
        return client.post(checks, {"intensity": 3, "checked_on": day}), "checked_on"
    assert what == "partnership"
    body = {"starts_on": day, "version": partnership.version}
    return client.patch(url(partnership), body), "starts_on"


RECORDS = ["review", "commitment", "level", "check", "partnership"]
STORED = {
    "review": lambda: Review.objects.count(),
    "commitment": lambda: Commitment.objects.count(),
    "level": lambda: LevelAssessment.objects.count(),
    "check": lambda: ConcernCheck.objects.count(),
}


@pytest.mark.parametrize("day", REFUSED)
@pytest.mark.parametrize("what", RECORDS)
def test_a_date_outside_the_bounds_is_refused_on_its_field(api, editor, partnership, what, day):
    response, field = send(api, editor, partnership, what, day)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    if what in STORED:
        assert STORED[what]() == 0
    else:
        partnership.refresh_from_db()
        assert (partnership.starts_on, partnership.version) == (None, 1)


@pytest.mark.parametrize("day", ACCEPTED)
@pytest.mark.parametrize("what", RECORDS)
def test_the_first_and_last_days_of_the_bounds_are_accepted(api, editor, partnership, what, day):
    response, field = send(api, editor, partnership, what, day)
    assert response.status_code in (200, 201), response.content
    assert response.json().get(field, day) == day


def test_the_refusal_says_which_dates_are_accepted(api, editor, partnership):
    response, _ = send(api, editor, partnership, "review", "9999-12-15")
    assert response.json() == {
        "scheduled_on": ["Indiquez une date comprise entre les années 1900 et 2200."]
    }


@pytest.mark.parametrize("field", ["starts_on", "ends_on"])
def test_an_agreement_draft_refuses_a_year_9999(api, editor, partnership, field):
    agreements = url(partnership, "agreements/")
    response = api(editor).post(agreements, {field: "9999-12-15"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    created = api(editor).post(agreements, {field: "2200-12-31"}, format="json")
    assert created.status_code == 201 and created.json()[field] == "2200-12-31"
