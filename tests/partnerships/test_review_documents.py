"""Review documents: start and end times, the .ics (TZID, all-day, SEQUENCE), cancelling,
the printable agenda with or without the organisation's private items."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from icalendar import Calendar
from rest_framework.test import APIClient

from tests.factories import ConcernFactory, ReviewFactory

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time
PRIVATE_MARK = "Privé — votre organisation seulement"  # pages are in French by default


def url(name, review):
    return reverse(
        f"partnerships:{name}",
        kwargs={
            "org_slug": "association-a",
            "partnership_id": review.partnership_id,
            "review_id": review.pk,
        },
    )


def api_url(name, review):
    kwargs = {"partnership_id": review.partnership_id, "pk": review.pk}
    return reverse(f"api:partnership-reviews-{name}", kwargs=kwargs)


@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def review(partnership):
    return ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10))


def event_of(client, review):
    response = client.get(url("review-ics", review))
    calendar = Calendar.from_ical(response.content)
    return calendar, calendar.walk("VEVENT")[0]


def plan(client, review, **changes):
    review.refresh_from_db()
    data = {
        "scheduled_on": review.scheduled_on.isoformat(),
        "starts_at_time": "",
        "ends_at_time": "",
        "location": "",
        "guests": "",
        "agenda": "",
        "version": review.version,
        **changes,
    }
    return client.post(url("review-plan", review), data)


def test_plan_form_saves_times_and_names_the_time_zone(client, editor, review):
    client.force_login(editor)
    page = client.get(url("review", review)).content.decode()
    assert 'name="starts_at_time"' in page and "Europe/Paris" in page
    plan(client, review, starts_at_time="09:30", ends_at_time="11:00")
    review.refresh_from_db()
    assert (review.starts_at_time, review.ends_at_time) == (T(9, 30), T(11, 0))


def test_plan_form_refuses_an_end_before_the_start(client, editor, review):
    client.force_login(editor)
    response = plan(client, review, starts_at_time="11:00", ends_at_time="10:00")
    assert response.status_code == 200
    with translation.override("fr"):
        message = str(_("The review must end after it starts."))
    assert escape(message) in response.content.decode()
    review.refresh_from_db()
    assert review.starts_at_time is None


def test_api_takes_and_documents_times(api, editor, review):
    client = api(editor)
    detail = reverse(
        "api:partnership-reviews-detail",
        kwargs={"partnership_id": review.partnership_id, "pk": review.pk},
    )
    answer = client.patch(
        detail, {"starts_at_time": "14:00", "ends_at_time": "15:30", "version": review.version}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["starts_at_time"] == "14:00"
    assert answer.json()["ical_sequence"] == 1
    wrong = client.patch(detail, {"ends_at_time": "13:00", "version": answer.json()["version"]})
    assert wrong.status_code == 400
    assert "ends_at_time" in wrong.json() or "must end" in wrong.content.decode()


def test_ics_without_times_is_an_all_day_event(client, editor, review):
    client.force_login(editor)
    _calendar, event = event_of(client, review)
    assert event.decoded("dtstart") == D(2026, 3, 10)
    assert b"DTSTART;VALUE=DATE:20260310" in event.to_ical()
    assert event.decoded("dtend") == D(2026, 3, 11)


def test_ics_with_times_uses_the_project_time_zone(client, editor, review):
    review.starts_at_time, review.ends_at_time = T(9, 30), T(11, 0)
    review.save()
    client.force_login(editor)
    calendar, event = event_of(client, review)
    ical = event.to_ical()
    assert b"DTSTART;TZID=Europe/Paris:20260310T093000" in ical
    assert b"DTEND;TZID=Europe/Paris:20260310T110000" in ical
    assert calendar.walk("VTIMEZONE")


def test_moving_the_review_raises_the_sequence_and_keeps_the_uid(client, editor, review):
    client.force_login(editor)
    _c, before = event_of(client, review)
    plan(client, review, location="Salle C")  # not moved
    _c, same = event_of(client, review)
    assert same["sequence"] == before["sequence"] == 0
    plan(client, review, scheduled_on="2026-03-12")
    plan(client, review, scheduled_on="2026-03-12", starts_at_time="10:00")
    _c, after = event_of(client, review)
    assert str(after["uid"]) == str(before["uid"]) == f"review-{review.pk}@partenariats"
    assert after["sequence"] == 2


def test_cancel_page_asks_first_then_cancels(client, editor, review):
    client.force_login(editor)
    asking = client.post(url("review-cancel", review), {"reason": "Strike"})
    assert asking.status_code == 200
    assert 'name="confirmed"' in asking.content.decode()
    review.refresh_from_db()
    assert review.status == "planned"
    done = client.post(url("review-cancel", review), {"reason": "Strike", "confirmed": "1"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.cancel_reason, review.ical_sequence) == ("cancelled", "Strike", 1)
    page = client.get(url("review", review)).content.decode()
    assert "Strike" in page and 'id="plan-form"' not in page
    # read-only: planning it again is refused
    assert plan(client, review, location="X").status_code == 409


def test_cancel_page_needs_a_reason(client, editor, review):
    client.force_login(editor)
    client.post(url("review-cancel", review), {"reason": "", "confirmed": "1"})
    review.refresh_from_db()
    assert review.status == "planned"


def test_cancel_api_and_the_ics_says_cancel(api, client, editor, review):
    answer = api(editor).post(api_url("cancel", review), {"reason": "Strike"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "cancelled"
    assert answer.json()["cancel_reason"] == "Strike"
    client.force_login(editor)
    calendar, event = event_of(client, review)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event["sequence"] == 1
    again = api(editor).post(api_url("cancel", review), {"reason": "x"}, format="json")
    assert again.status_code == 409


def test_cancel_api_refuses_a_held_review(api, editor, partnership):
    review = ReviewFactory(partnership=partnership, status="held", held_on=D(2026, 3, 10))
    answer = api(editor).post(api_url("cancel", review), {"reason": "late"}, format="json")
    assert answer.status_code == 409
    assert api(editor).post(api_url("cancel", review), {}, format="json").status_code in (400, 409)


@pytest.fixture
def concerns(partnership, org_a, org_c):
    own = partnership.parties.get(organisation=org_a)
    other = partnership.parties.get(organisation=org_c)
    return {
        "shared": ConcernFactory(raised_by=own, description="sharedworry"),
        "own": ConcernFactory(raised_by=own, description="ourprivate", visibility="private"),
        "other": ConcernFactory(raised_by=other, description="theirprivate", visibility="private"),
    }


def test_printable_agenda_leaves_out_own_private_items_by_default(client, editor, review, concerns):
    client.force_login(editor)
    page = client.get(url("review-agenda", review)).content.decode()
    assert "sharedworry" in page
    assert "ourprivate" not in page and "theirprivate" not in page
    assert 'name="include_private"' in page


def test_printable_agenda_with_own_private_items_marks_them(client, editor, review, concerns):
    client.force_login(editor)
    page = client.get(url("review-agenda", review), {"include_private": "1"}).content.decode()
    assert "ourprivate" in page and PRIVATE_MARK in page
    assert "theirprivate" not in page


def test_meeting_page_marks_own_private_items(client, editor, review, concerns):
    client.force_login(editor)
    page = client.get(url("review", review)).content.decode()
    assert "ourprivate" in page and PRIVATE_MARK in page and "theirprivate" not in page
