"""The reports' monthly roll-ups give the figures the logs give, and follow every write."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest

from partnerships.choices import Visibility
from partnerships.models import ConcernCheck, ConcernCheckMonth, ConcernCheckTotal, Partnership
from partnerships.reports import figures as reports
from partnerships.reports.figures import CATEGORY_ORDER, Period, Selection
from partnerships.services import rollups
from partnerships.services.state import drift, rebuild, refresh
from tests.factories import ConcernCheckFactory
from tests.reports.conftest import END, START, TODAY

D = datetime.date

pytestmark = pytest.mark.django_db

PERIODS = [
    Period(START, END),  # whole months: the roll-ups alone
    Period(D(2025, 1, 10), D(2025, 5, 20)),  # a month begun and one ended in part
    Period(D(2025, 2, 3), D(2025, 2, 20)),  # a few days of one month
    Period(D(2024, 7, 1), TODAY),  # twelve months to today
]


def trend_from_checks(viewer, partnerships, period) -> dict:
    """The mean intensity of each quarter's checks, worked out one check at a time."""
    found = defaultdict(list)
    for check in ConcernCheck.objects.select_related("concern__raised_by"):
        concern = check.concern
        if concern.partnership_id not in partnerships:
            continue
        if viewer is not None and not (
            concern.visibility == Visibility.SHARED
            or concern.raised_by.organisation_id == viewer.pk
        ):
            continue
        if not period.start <= check.checked_on <= period.end:
            continue
        quarter = check.checked_on.replace(month=(check.checked_on.month - 1) // 3 * 3 + 1, day=1)
        found[(concern.kind, concern.category)].append((quarter, check.intensity))
    trend = {}
    for kind, category in CATEGORY_ORDER:
        if (kind, category) in found:
            by_quarter = defaultdict(list)
            for quarter, intensity in found[(kind, category)]:
                by_quarter[quarter].append(intensity)
            trend[str(category.label)] = [
                round(sum(by_quarter[q]) / len(by_quarter[q]), 1) if by_quarter[q] else None
                for q in period.quarters()
            ]
    return trend


@pytest.mark.parametrize("period", PERIODS, ids=str)
@pytest.mark.parametrize("whole", [True, False])
def test_trend_from_the_roll_ups_is_the_trend_of_the_checks(world, org_a, org_c, period, whole):
    for viewer in (None, org_a, org_c):
        base = (
            Partnership.objects.all()
            if viewer is None
            else Partnership.objects.for_organisation(viewer)
        )
        if not whole:  # a filter narrowing the partnerships: each partnership's share is read
            base = reports.partnerships_matching(base, scope="external")
        selection = Selection(base, viewer, period, TODAY, whole=whole)
        chart = reports.concern_trend_by_quarter(selection)["concerns-trend"]
        expected = trend_from_checks(viewer, set(base.values_list("pk", flat=True)), period)
        assert dict(chart.series) == expected, viewer


def test_a_private_concern_stays_out_of_other_organisations_trend(world, org_a, org_c):
    private = {
        c.concern.category
        for c in ConcernCheck.objects.filter(concern__visibility=Visibility.PRIVATE)
        .exclude(concern__raised_by__organisation=org_a)
        .select_related("concern")
    }
    assert private, "the world holds another organisation's private concern"
    for whole in (True, False):
        selection = Selection(
            Partnership.objects.for_organisation(org_a),
            org_a,
            Period(START, END),
            TODAY,
            whole=whole,
        )
        chart = reports.concern_trend_by_quarter(selection)["concerns-trend"]
        expected = trend_from_checks(
            org_a,
            set(Partnership.objects.for_organisation(org_a).values_list("pk", flat=True)),
            Period(START, END),
        )
        assert dict(chart.series) == expected


def totals() -> dict:
    return {
        (row.month, row.kind, row.category): (row.total, row.checks)
        for row in ConcernCheckTotal.objects.exclude(total=0, checks=0)
    }


def test_roll_ups_follow_each_write_and_a_rebuild_makes_the_same_rows(world):
    check = ConcernCheck.objects.order_by("pk").first()
    month = check.checked_on.replace(day=1)
    key = (month, check.concern.kind, check.concern.category)
    before = totals()[key]

    ConcernCheckFactory(concern=check.concern, checked_on=check.checked_on, intensity=5)
    assert totals()[key] == (before[0] + 5, before[1] + 1)
    check.concern.category = "tradition" if check.concern.category != "tradition" else "power"
    check.concern.kind = "resistance" if check.concern.category == "tradition" else "fear"
    check.concern.save()
    assert key not in totals() or totals()[key] != (before[0] + 5, before[1] + 1)
    ConcernCheck.objects.filter(pk=check.pk).delete()  # a queryset delete: no signal per row
    rollups.refresh([check.concern.partnership_id])
    assert drift() == []

    Partnership.objects.get(pk=check.concern.partnership_id).delete()
    assert not ConcernCheckMonth.objects.filter(partnership_id=check.concern.partnership_id)
    assert drift() == []
    kept = totals(), set(ConcernCheckMonth.objects.values_list(*rollups.KEY, "total", "checks"))
    rebuild()
    assert (
        totals(),
        set(ConcernCheckMonth.objects.values_list(*rollups.KEY, "total", "checks")),
    ) == kept


def test_drift_names_a_roll_up_that_no_longer_adds_up(world):
    row = ConcernCheckMonth.objects.order_by("pk").first()
    ConcernCheckMonth.objects.filter(pk=row.pk).update(total=row.total + 1)
    found = rollups.drift([row.partnership_id])
    assert any(f"partnership {row.partnership_id}" in line for line in found)
    assert any("every partnership" in line for line in found)


def test_a_category_whose_checks_are_all_deleted_leaves_the_trend(world, org_a):
    check = ConcernCheck.objects.filter(concern__visibility=Visibility.SHARED).first()
    ConcernCheck.objects.filter(
        concern__kind=check.concern.kind, concern__category=check.concern.category
    ).delete()
    refresh(Partnership.objects.values_list("pk", flat=True))  # no signal per check deleted
    for viewer in (None, org_a):
        base = (
            Partnership.objects.all()
            if viewer is None
            else Partnership.objects.for_organisation(viewer)
        )
        selection = Selection(base, viewer, Period(START, END), TODAY, whole=True)
        chart = reports.concern_trend_by_quarter(selection)["concerns-trend"]
        expected = trend_from_checks(
            viewer, set(base.values_list("pk", flat=True)), Period(START, END)
        )
        assert dict(chart.series) == expected
        label = next(
            str(category.label)
            for kind, category in CATEGORY_ORDER
            if (kind, category) == (check.concern.kind, check.concern.category)
        )
        assert label not in dict(chart.series)
