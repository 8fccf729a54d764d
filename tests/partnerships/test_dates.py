"""Dates typed in the pages are kept between 1 January 1900 and 31 December 2200, and a date
stored before they were (a year 9999) no longer makes a review's page or agenda answer 500."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from partnerships.models import Review
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
HTMX = {"HTTP_HX_REQUEST": "true"}
REFUSAL = "Give a date between the years 1900 and 2200."


@pytest.fixture
def signed_in(client, editor):
    editor.language = "en"
    editor.save()
    client.force_login(editor)
    return client


def review_url(name, review, org_slug="association-a"):
    return reverse(
        f"partnerships:{name}",
        kwargs={
            "org_slug": org_slug,
            "partnership_id": review.partnership_id,
            "review_id": review.pk,
        },
    )


def edit_url(partnership):
    return reverse(
        "partnerships:edit",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )


def test_the_review_plan_form_refuses_a_year_9999_on_its_field(signed_in, editor, partnership):
    review = Review.objects.create(partnership=partnership, scheduled_on=D(2026, 3, 10))
    response = signed_in.post(
        review_url("review-plan", review),
        {"scheduled_on": "9999-12-15", "location": "Salle C", "version": review.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    review.refresh_from_db()
    assert (review.scheduled_on, review.location, review.version) == (D(2026, 3, 10), "", 1)


@pytest.mark.parametrize("field", ["starts_on", "ends_on", "next_review_on"])
def test_the_partnership_edit_form_refuses_a_year_9999_on_its_field(signed_in, partnership, field):
    form = {"title": "Titre", "status": "active", "review_cadence": 3, "version": 1}
    response = signed_in.post(edit_url(partnership), {**form, field: "9999-12-15"})
    assert response.status_code == 200
    assert response.context["form"].has_error(field, "date_out_of_range")
    assert REFUSAL in response.content.decode()
    partnership.refresh_from_db()
    assert (getattr(partnership, field), partnership.version) == (None, 1)


def test_the_date_pickers_offer_only_the_accepted_dates(signed_in, partnership):
    content = signed_in.get(edit_url(partnership)).content.decode()
    assert content.count('min="1900-01-01"') == 3
    assert content.count('max="2200-12-31"') == 3


@pytest.mark.parametrize("name", ["review", "review-agenda", "review-ics"])
def test_a_review_stored_in_year_9999_still_shows(client, editor, org_c, partnership, name):
    # Stored before the dates were bounded: create() skips the validation.
    review = Review.objects.create(partnership=partnership, scheduled_on=D(9999, 12, 15))
    partner = UserFactory(username="carla")
    MembershipFactory(user=partner, organisation=org_c, role="editor")
    for user, org_slug in ((editor, "association-a"), (partner, "fondation-c")):
        client.force_login(user)
        assert client.get(review_url(name, review, org_slug)).status_code == 200
        tab = reverse(
            "partnerships:tab-reviews",
            kwargs={"org_slug": org_slug, "partnership_id": partnership.pk},
        )
        assert client.get(tab).status_code == 200
