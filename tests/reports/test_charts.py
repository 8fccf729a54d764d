"""Charts drawn whatever the data, and heat maps shaded by their numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partnerships.reports.charts import Chart, HeatMap

pytestmark = pytest.mark.django_db


def test_a_chart_without_any_series_still_draws():
    for kind in ("bar", "stacked", "line", "hbar", "hstacked"):
        chart = Chart(title="Empty", x_title="Month", y_title="Count", x_labels=["May"], kind=kind)
        assert b"<svg" in chart.svg()


def test_the_dashboard_concerns_chart_draws_before_any_check(client, owner, partnership):
    # failed before the fix: pygal raised on y labels without any series
    client.force_login(owner)
    response = client.get(reverse("partnerships:chart-concerns", args=["association-a"]))
    assert response.status_code == 200 and b"<svg" in response.content


def test_a_stacked_chart_makes_room_for_the_sum_of_its_series():
    chart = Chart(
        title="t", x_title="x", y_title="y", x_labels=["a"], series=[("p", [3]), ("q", [4])]
    )
    assert chart._top() == 4
    for kind in ("stacked", "hstacked"):
        chart.kind = kind
        assert chart._top() == 7


def test_heat_map_shades_grow_with_the_count_and_empty_cells_stay_blank():
    heat = HeatMap(
        title="t",
        row_title="r",
        row_labels=["a", "b"],
        column_labels=["x", "y"],
        values=[[0, 1], [2, 8]],
    )
    assert [[shade for _value, shade in cells] for _label, cells in heat.shaded_rows] == [
        [0, 1],
        [1, 4],
    ]
    assert heat.columns == ["r", "x", "y"]
    assert heat.table_rows == [["a", 0, 1], ["b", 2, 8]]


def test_value_labels_fall_on_round_numbers():
    from partnerships.reports.charts import _label_step

    assert [_label_step(top) for top in (1, 5, 8, 9, 16, 17, 100, 7000)] == [
        1,
        1,
        1,
        2,
        2,
        5,
        20,
        875,
    ]
