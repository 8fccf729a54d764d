from __future__ import annotations

import datetime

import pytest

from partnerships.models import Concern
from tests.factories import ConcernCheckFactory, ConcernFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concerns(partnership, org_a, org_c):
    a = partnership.parties.get(organisation=org_a)
    c = partnership.parties.get(organisation=org_c)
    shared = ConcernFactory(raised_by=c, description="shared by C")
    private_c = ConcernFactory(raised_by=c, visibility="private", description="private to C")
    private_a = ConcernFactory(raised_by=a, visibility="private", description="private to A")
    resolved = ConcernFactory(raised_by=a, status="resolved", description="resolved")
    return shared, private_c, private_a, resolved


def test_latest_intensity_is_the_last_check(concerns):
    shared, *_ = concerns
    ConcernCheckFactory(concern=shared, intensity=2, checked_on=datetime.date(2025, 1, 1))
    ConcernCheckFactory(concern=shared, intensity=5, checked_on=datetime.date(2025, 4, 1))
    ConcernCheckFactory(concern=shared, intensity=1, checked_on=datetime.date(2025, 2, 1))
    row = Concern.objects.with_latest_intensity().get(pk=shared.pk)
    assert (row.latest_intensity, row.latest_checked_on) == (5, datetime.date(2025, 4, 1))


def test_open_excludes_resolved(concerns):
    assert "resolved" not in {c.description for c in Concern.objects.open()}


def test_private_concerns_are_seen_only_by_their_organisation(concerns, org_a, owner):
    seen = {c.description for c in Concern.objects.visible_to_organisation(org_a)}
    assert seen == {"shared by C", "private to A", "resolved"}
    assert {c.description for c in Concern.objects.visible_to(owner)} == seen


def test_outsiders_see_no_concern(concerns, org_b, outsider):
    assert not Concern.objects.visible_to_organisation(org_b).exists()
    assert not Concern.objects.visible_to(outsider).exists()
