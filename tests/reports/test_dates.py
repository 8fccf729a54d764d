"""A report period is typed in the address: outside 1900-2200 it is explained on its field
(a start after 9994 once made every report page, file and chart answer 500)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from partnerships.views.reports import PAGES

pytestmark = pytest.mark.django_db
REFUSAL = "Give a date between the years 1900 and 2200."
SLUGS = [page.slug for page in PAGES]
CHARTS = [name for page in PAGES for name in page.charts]
PERIODS = [
    {"start": "9995-01-01", "end": "9995-06-01"},
    {"start": "2200-06-01", "end": "9999-12-31"},
    {"start": "1899-12-31", "end": "1900-06-01"},
]


@pytest.fixture
def member_client(viewer):
    viewer.language = "en"
    viewer.save()
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def staff_client(superuser):
    superuser.language = "en"
    superuser.save()
    client = Client()
    client.force_login(superuser)
    return client


def org_url(name: str) -> str:
    return reverse(f"partnerships:{name}", args=["association-a"])


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("slug", SLUGS)
def test_a_period_outside_the_bounds_is_explained_on_every_page_and_file(
    member_client, staff_client, partnership, slug, period
):
    for client, url in (
        (member_client, org_url(f"report-{slug}")),
        (staff_client, reverse(f"admin:report-{slug}")),
    ):
        page = client.get(url, period)
        assert page.status_code == 400, url
        assert REFUSAL in page.content.decode()
        assert page.context["form"].errors.keys() & {"start", "end"}
        for export in ("csv", "xlsx"):
            download = client.get(url, {**period, "format": export})
            assert download.status_code == 400, (url, export)
            assert REFUSAL in download.content.decode()


@pytest.mark.parametrize("name", CHARTS)
def test_a_period_outside_the_bounds_is_refused_by_every_chart(
    member_client, staff_client, partnership, name
):
    period = PERIODS[0]
    for client, url in (
        (member_client, org_url(f"report-chart-{name}")),
        (staff_client, reverse(f"admin:report-chart-{name}")),
    ):
        response = client.get(url, period)
        assert response.status_code == 400, url
        assert REFUSAL in response.content.decode()


def test_the_last_months_of_the_bounds_are_reported(member_client, partnership):
    period = {"start": "2200-01-01", "end": "2200-12-31"}
    for slug in SLUGS:
        assert member_client.get(org_url(f"report-{slug}"), period).status_code == 200, slug
    for name in CHARTS:
        assert member_client.get(org_url(f"report-chart-{name}"), period).status_code == 200
