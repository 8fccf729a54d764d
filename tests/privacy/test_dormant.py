"""Organisations left unused are reported to staff in the admin; nothing is deleted."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from organisations.models import Organisation
from partnerships.models import Partnership, Party
from partnerships.services.audit import recorded_bulk_write
from privacy.dormant import dormant_organisations

pytestmark = pytest.mark.django_db

REPORT = "admin:privacy_dormantorganisation_changelist"


def age(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def old(org_a, org_b, org_c, owner, carla, outsider):
    """Every organisation registered three years ago, every member last seen long ago."""
    update(Organisation.objects, created_at=age(1100))
    update(get_user_model().objects, last_login=age(800))


def update(queryset, **values):
    """Set up the past directly (a test's shortcut, not a service)."""
    with recorded_bulk_write():
        queryset.update(**values)


def names():
    return [organisation.name for organisation in dormant_organisations()]


def test_only_organisations_with_ended_partnerships_and_no_recent_sign_in(
    old, settings, partnership, org_a, org_b, org_c, carla
):
    settings.RETENTION_INACTIVE_ORGANISATION_DAYS = 730
    # Org B has no partnership and nobody signed in since: dormant. A and C share a live one.
    assert names() == [org_b.name]
    update(Partnership.objects.filter(pk=partnership.pk), status="ended")
    assert set(names()) == {org_a.name, org_b.name, org_c.name}
    # A member of C signs in: C is no longer dormant.
    update(get_user_model().objects.filter(pk=carla.pk), last_login=age(3))
    assert set(names()) == {org_a.name, org_b.name}
    # A longer setting: nobody is.
    settings.RETENTION_INACTIVE_ORGANISATION_DAYS = 900
    assert names() == []


def test_a_party_that_left_does_not_keep_its_organisation_alive(old, partnership, org_a):
    update(
        Party.objects.filter(partnership=partnership, organisation=org_a),
        left_on=timezone.localdate(),
    )
    assert org_a.name in names()


def test_a_new_organisation_is_not_dormant(old, org_b):
    update(Organisation.objects.filter(pk=org_b.pk), created_at=age(10))
    assert org_b.name not in names()


def test_staff_read_the_report_and_nothing_is_deleted(
    client, old, superuser, owner, org_b, django_assert_max_num_queries
):
    client.force_login(superuser)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(REPORT))
    assert response.status_code == 200
    assert org_b.name in response.content.decode()
    assert Organisation.objects.filter(pk=org_b.pk).exists()
    client.force_login(owner)  # not staff
    assert client.get(reverse(REPORT)).status_code == 302  # to the admin's sign-in
