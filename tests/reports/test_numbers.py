"""Each report's numbers against the ones worked out by hand from the world of conftest.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from partnerships.models import Partnership
from partnerships.reports import figures as reports
from partnerships.reports import gaps as report_gaps
from partnerships.reports.figures import Period, Selection
from tests.factories import PartnershipFactory, PartyFactory, ReviewFactory
from tests.reports.conftest import END, START, TODAY

D = datetime.date

pytestmark = pytest.mark.django_db
MONTHS = ["January 2025", "February 2025", "March 2025", "April 2025", "May 2025", "June 2025"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def select(viewer=None, **filters) -> Selection:
    base = (
        Partnership.objects.all()
        if viewer is None
        else Partnership.objects.for_organisation(viewer)
    )
    return Selection(
        reports.partnerships_matching(base, **filters), viewer, Period(START, END), TODAY
    )


def series(chart) -> dict:
    return dict(chart.series)


def test_a_period_lists_its_months_and_quarters():
    period = Period(START, END)
    assert period.months()[0].isoformat() == "2025-01-01" and len(period.months()) == 6
    assert [q.month for q in period.quarters()] == [1, 4]
    assert period.month_ends()[1].isoformat() == "2025-02-28"
    assert Period(START, START.replace(day=15)).month_ends()[0] == START.replace(day=15)
    assert Period.twelve_months_to(TODAY) == Period(START.replace(year=2024, month=7), TODAY)


def test_staff_levels_by_month_follow_each_partnership_in_force(world):
    figures = reports.agreed_levels_by_month(select())
    by_level = figures["levels-by-level"]
    assert by_level.x_labels == MONTHS
    assert series(by_level) == {
        "1 · Service partnership": [0, 0, 0, 0, 0, 0],
        "2 · Mutual information": [1, 1, 1, 1, 0, 0],  # P3 until it ended on 30 April
        "3 · Consultation": [1, 1, 0, 0, 0, 0],  # P1 until 15 March
        "4 · Concertation": [0, 0, 0, 1, 1, 1],  # P2 from 20 April
        "5 · Cooperation": [0, 0, 1, 1, 1, 1],  # P1 from 15 March
        "6 · Reciprocity": [0, 0, 0, 0, 0, 0],
        "7 · Fusion": [0, 0, 0, 0, 0, 0],
        "Not agreed yet": [0, 1, 1, 0, 0, 0],  # P2, started 10 February
    }
    assert series(figures["levels-by-scope"]) == {
        "Internal (within one system)": [0, 1, 1, 1, 1, 1],
        "External (between systems)": [2, 2, 2, 2, 1, 1],
    }


def test_organisation_levels_by_month_count_its_own_partnerships(world, org_a):
    figures = reports.agreed_levels_by_month(select(org_a))
    counts = series(figures["levels-by-level"])
    assert counts["2 · Mutual information"] == [0] * 6  # P3 is not A's
    assert counts["5 · Cooperation"] == [0, 0, 1, 1, 1, 1]
    assert series(figures["levels-by-scope"])["External (between systems)"] == [1] * 6


def test_filters_narrow_the_partnerships(world, org_c):
    def titles(**filters):
        return sorted(select(**filters).partnerships.values_list("title", flat=True))

    assert titles(scope="internal") == ["Jardin partagé"]
    assert titles(organisation=org_c) == ["Festival", "Lecture au collège"]
    assert titles(kind="company") == ["Festival"]
    assert titles(kind="company", scope="internal") == []


def test_gap_sizes_use_the_levels_at_the_end_of_the_period(world):
    chart = report_gaps.gap_sizes(select())["gaps-sizes"]
    assert chart.x_labels == ["0", "1", "2", "3", "4", "5", "6", "Not measurable yet"]
    perception, agreement = (values for _name, values in chart.series)
    # P2 0, P3 1, P1 3: C's 5 of 5 July and A's blind 7 do not count
    assert perception == [1, 1, 0, 1, 0, 0, 0, 0]
    assert agreement == [1, 1, 0, 1, 0, 0, 0, 0]


def test_gap_lists_name_the_partnerships_to_clarify(world, org_a):
    staff = report_gaps.gap_lists(select())
    assert staff["gaps-apart"].table_rows == [["Lecture au collège", 5, 2, 5, 3]]
    assert staff["gaps-differing"].table_rows == [
        ["Lecture au collège", 5, 2, 5, 3],
        ["Festival", 2, 2, 3, 1],
    ]
    assert staff["gaps-apart"].columns[-1] == "Perception gap"
    own = report_gaps.gap_lists(select(org_a))
    assert own["gaps-differing"].table_rows == [["Lecture au collège", 5, 2, 5, 3]]


def concern_rows(figures) -> dict:
    raised, checked = (values for _name, values in figures["concerns-count"].series)
    ((_name, means),) = figures["concerns-intensity"].series
    labels = figures["concerns-count"].x_labels
    return {
        label: row
        for label, *row in zip(labels, raised, checked, means, strict=True)
        if row != [0, 0, None]
    }


def test_staff_concerns_by_category(world):
    assert concern_rows(reports.concerns_by_category(select())) == {
        "Loss of identity": [2, 1, 2.0],  # A's (latest 2 of 4 and 2) and D's, never checked
        "Sharing power": [1, 1, 5.0],  # C's private fear: staff see everything
        "Too much time or work": [1, 1, 1.0],
        "Weight of traditions": [1, 1, 3.0],  # the check of 10 July is after the period
    }


def test_organisation_concerns_leave_out_private_ones_of_others(world, org_a):
    assert concern_rows(reports.concerns_by_category(select(org_a))) == {
        "Loss of identity": [2, 1, 2.0],
        "Weight of traditions": [1, 1, 3.0],
    }


def test_concern_trend_is_the_mean_check_of_each_quarter(world, org_a):
    chart = reports.concern_trend_by_quarter(select())["concerns-trend"]
    assert chart.x_labels == ["Q1 2025", "Q2 2025"]
    assert series(chart) == {
        "Loss of identity": [4.0, 2.0],
        "Sharing power": [5.0, None],
        "Too much time or work": [1.0, None],
        "Weight of traditions": [None, 3.0],
    }
    own = reports.concern_trend_by_quarter(select(org_a))["concerns-trend"]
    assert series(own) == {"Loss of identity": [4.0, 2.0], "Weight of traditions": [None, 3.0]}


def test_heat_map_crosses_agreed_level_and_fear_category(world, org_a):
    heat = reports.fears_by_agreed_level(select())["concerns-heatmap"]
    assert heat.column_labels[:4] == [
        "Loss of identity",
        "Loss of status or recognition",
        "Too much time or work",
        "Sharing power",
    ]
    non_empty = {
        (row[0], heat.column_labels[index]): value
        for row in heat.table_rows
        for index, value in enumerate(row[1:])
        if value
    }
    assert non_empty == {
        ("2 · Mutual information", "Too much time or work"): 1,
        ("4 · Concertation", "Loss of identity"): 1,
        ("5 · Cooperation", "Loss of identity"): 1,
        ("5 · Cooperation", "Sharing power"): 1,
    }
    assert heat.shade(0) == 0 and heat.shade(1) == 4
    own = reports.fears_by_agreed_level(select(org_a))["concerns-heatmap"]
    assert sum(value for row in own.table_rows for value in row[1:]) == 2


def test_commitments_by_organisation(world, org_a):
    figures = reports.commitments_by_organisation(select())
    status = figures["commitments-status"]
    assert status.x_labels == ["Antenne Nord", "Association A", "Entreprise E", "Fondation C"]
    assert series(status) == {
        "Done": [0, 1, 1, 1],
        "Still to do, not yet due": [1, 0, 0, 0],  # due today
        "Overdue": [0, 1, 0, 0],
        "Dropped": [0, 1, 0, 0],
    }
    # done ÷ (not dropped): D 0 of 1, A 1 of 2, E 1 of 1, C 1 of 1 (its August one is not due)
    assert series(figures["commitments-rate"]) == {"Completion rate (%)": [0.0, 50.0, 100.0, 100.0]}
    own = reports.commitments_by_organisation(select(org_a))["commitments-status"]
    assert own.x_labels == ["Antenne Nord", "Association A", "Fondation C"]


def test_review_punctuality_by_organisation(world, org_a):
    assert reports.REVIEW_TOLERANCE_DAYS == 7
    chart = reports.review_punctuality_by_organisation(select())["reviews-punctuality"]
    assert chart.table_rows == [
        # organisation, on time, late, missing, not yet due
        ["Antenne Nord", 1, 0, 0, 1],
        ["Association A", 2, 1, 1, 1],
        ["Entreprise E", 1, 0, 0, 0],
        ["Fondation C", 2, 1, 1, 0],
    ]
    own = reports.review_punctuality_by_organisation(select(org_a))["reviews-punctuality"]
    assert own.table_rows[-1] == ["Fondation C", 1, 1, 1, 0]  # P3 is not A's


def test_a_cancelled_review_is_neither_due_nor_missing(world, org_a):
    ReviewFactory(
        partnership=world.p1, scheduled_on=D(2025, 5, 1), status="cancelled", cancel_reason="x"
    )
    chart = reports.review_punctuality_by_organisation(select())["reviews-punctuality"]
    assert chart.table_rows[1] == ["Association A", 2, 1, 1, 1]  # as without it


def test_each_review_counts_once_for_each_organisation_that_joined(org_a, org_c, org_e):
    shared, own = PartnershipFactory(), PartnershipFactory()
    PartyFactory(partnership=shared, organisation=org_a)
    PartyFactory(
        partnership=shared, organisation=org_c, joined_on=D(2024, 1, 1), left_on=D(2025, 5, 1)
    )  # gone since: still counted
    PartyFactory(partnership=shared, organisation=org_e, invitation="declined")
    PartyFactory(partnership=own, organisation=org_a)
    for partnership, scheduled, held in (
        (shared, D(2025, 2, 1), D(2025, 2, 3)),  # on time
        (shared, D(2025, 3, 1), None),  # missing
        (own, D(2025, 4, 1), D(2025, 4, 20)),  # late
        (own, D(2024, 12, 1), None),  # before the period
    ):
        ReviewFactory(
            partnership=partnership,
            scheduled_on=scheduled,
            held_on=held,
            status="held" if held else "planned",
        )
    chart = reports.review_punctuality_by_organisation(select())["reviews-punctuality"]
    assert chart.table_rows == [
        # organisation, on time, late, missing, not yet due
        ["Association A", 1, 1, 1, 0],
        ["Fondation C", 1, 0, 1, 0],
    ]


def test_pleasures_by_quarter_and_category(world, org_a):
    chart = reports.pleasures_by_quarter(select())["pleasures-by-quarter"]
    assert chart.columns == [
        "Quarter",
        "Participating and sharing",
        "The new and unexpected",
        "Building together with peers",
        "Learning together (1 + 1 = 3)",
        "Other pleasure",
    ]
    assert chart.table_rows == [["Q1 2025", 0, 0, 1, 1, 0], ["Q2 2025", 0, 1, 0, 1, 0]]
    own = reports.pleasures_by_quarter(select(org_a))["pleasures-by-quarter"]
    assert own.table_rows == [["Q1 2025", 0, 0, 0, 1, 0], ["Q2 2025", 0, 1, 0, 1, 0]]
