"""Chart data read from the database, drawn server-side as SVG with pygal.

Each chart is one ``Chart``: the same object feeds the SVG image and the data table printed
beneath it, so what is drawn and what is read out never differ. A ``HeatMap`` has no image: it
is a table whose cells carry their number and a shade class, so colour never speaks alone.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

import pygal
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pygal.style import Style

from core.dates import add_months
from partnerships.choices import AssessmentKind, Level, concern_category_label
from partnerships.models import ConcernCheck, ConcernMonth, LevelAssessment, Partnership

# Fonts are sized for the 720 px drawing shown about 540 px wide in a card: 16 px drawn reads
# as 12 px or more. Every colour passes 4.5:1 on white, and lines also differ by their dashes
# (see DASHES), so a series is never told by its colour alone.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#161b26",
    foreground_strong="#161b26",
    foreground_subtle="#4b5565",
    font_family="system-ui, sans-serif",
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    title_font_size=18,
    value_font_size=15,
    tooltip_font_size=15,
    guide_stroke_color="#c9d0db",
    major_guide_stroke_color="#8a94a6",
    opacity="1",
    opacity_hover=".85",
    stroke_opacity="1",
    stroke_width="3",
    stroke_width_hover="4",
    value_colors=("#ffffff",) * 8,  # a bar's number, written inside it
    colors=("#1b4fa0", "#a84300", "#1c6b38", "#6a1b9a", "#0b5d7a", "#b0261c", "#5d4037", "#3d4a5c"),
)
DASHES = (None, "10, 5", "3, 4", "12, 4, 3, 4", "6, 6", "2, 8", "16, 6", "4, 2")
# Part of every chart's ETag: raise it when the drawing changes for the same data.
DRAWING_VERSION = 2
LEGEND_ROW = 34  # px added to the drawing per line of legend, so the legend is never cut


DRAWINGS = {
    "bar": pygal.Bar,
    "stacked": pygal.StackedBar,
    "line": pygal.Line,
    "hbar": pygal.HorizontalBar,
    "hstacked": pygal.HorizontalStackedBar,
}
HORIZONTAL = ("hbar", "hstacked")


@dataclass
class Chart:
    title: str
    x_title: str
    y_title: str
    x_labels: list[str]
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)
    kind: str = "bar"
    y_max: int | None = None
    # Why the chart is empty, said in its place when it is (pygal's own words otherwise).
    empty_text: str = ""
    # Draw only this many series, the most intense (the table beneath still lists them all).
    max_drawn: int | None = None

    @property
    def drawn_series(self) -> list[tuple[str, list[float | None]]]:
        if not self.max_drawn or len(self.series) <= self.max_drawn:
            return self.series

        def weight(item):
            known = [v for v in item[1] if v is not None]
            return -(sum(known) / len(known)) if known else 0

        kept = {name for name, _v in sorted(self.series, key=weight)[: self.max_drawn]}
        return [item for item in self.series if item[0] in kept]

    @property
    def is_empty(self) -> bool:
        return not any(value for _name, values in self.series for value in values)

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The table beneath the chart: one row per x label, one column per series."""
        return [
            (label, [values[index] for _name, values in self.series])
            for index, label in enumerate(self.x_labels)
        ]

    @property
    def columns(self) -> list[str]:
        """The header of the table beneath the chart (and of its exports)."""
        return [self.x_title, *(name for name, _values in self.series)]

    @property
    def table_rows(self) -> list[list]:
        """The table beneath the chart as flat rows, the x label first (for exports)."""
        return [[label, *values] for label, values in self.rows]

    def _top(self) -> int:
        if self.y_max:
            return self.y_max
        if self.kind in ("stacked", "hstacked"):
            totals = [sum(v or 0 for v in values) for _label, values in self.rows]
        else:
            totals = [v for _name, values in self.series for v in values if v is not None]
        return max([math.ceil(v) for v in totals] or [1]) or 1

    def svg(self) -> bytes:
        drawn = self.drawn_series
        # Long names take a whole line of the legend each, so none is cut at the right edge.
        columns = 1 if any(len(name) > 26 for name, _values in drawn) else 2
        legend_rows = math.ceil(len(drawn) / columns) if len(drawn) > 1 else 0
        height = 400 + LEGEND_ROW * legend_rows
        if self.kind in HORIZONTAL:  # a bar per label, each tall enough for its name
            height = max(height, 120 + 44 * len(self.x_labels) + LEGEND_ROW * legend_rows)
        many = len(self.x_labels) > 6 and self.kind not in HORIZONTAL
        config = {
            "style": STYLE,
            "js": [],
            "width": 720,
            "height": height,
            # The page titles each chart (and the image's alt says it): no title in the drawing.
            "title": None,
            "x_title": self.x_title,
            "y_title": self.y_title,
            "show_legend": len(drawn) > 1,
            "legend_at_bottom": True,
            "truncate_legend": -1,
            "legend_at_bottom_columns": columns,
            "legend_box_size": 14,
            "x_label_rotation": 0,
            # Many dates: every other one is written, unrotated, the rest are ticks.
            "x_labels_major_every": 2 if many else None,
            "show_minor_x_labels": not many,
            "truncate_label": -1,
            "print_values": self.kind == "hbar",  # each bar says its number
            "dots_size": 4,
            "formatter": _count,
            # pygal leaves too little room under the plot for a legend of several rows
            "margin_bottom": 8 + (LEGEND_ROW - 8) * legend_rows,
            "no_data_text": self.empty_text or _("No data"),
        }
        top = self._top()
        config["range"] = (0, top)
        if drawn:  # pygal fails on y labels without any series; it says "No data"
            config["y_labels"] = list(range(0, top + 1, _label_step(top)))
        if self.kind in HORIZONTAL:  # long names read best down the side, unrotated
            config["x_label_rotation"] = 0
            # pygal keeps x_title under the chart: here that is the axis of the values
            config["x_title"], config["y_title"] = self.y_title, self.x_title
        chart = DRAWINGS[self.kind](**config)
        chart.x_labels = self.x_labels
        for index, (name, values) in enumerate(drawn):
            dash = DASHES[index % len(DASHES)]
            options = {"stroke_style": {"dasharray": dash}} if dash and self.kind == "line" else {}
            chart.add(name, values, **options)
        return chart.render()


def _count(value) -> str:
    """A printed value: nothing for zero (no number floating beside an empty bar)."""
    if not value:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _label_step(top: int) -> int:
    """A round step giving at most about eight labels up to ``top``: 1, 2, 5, 10, 20, 25, 50…"""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500):
        if top / step <= 8:
            return step
    return max(1, top // 8)


@dataclass
class HeatMap:
    """A two-way table of counts, each cell shaded by its share of the largest count."""

    title: str
    row_title: str
    row_labels: list[str]
    column_labels: list[str]
    values: list[list[int]]
    shades: int = 4

    @property
    def columns(self) -> list[str]:
        return [self.row_title, *self.column_labels]

    @property
    def table_rows(self) -> list[list]:
        return [[label, *row] for label, row in zip(self.row_labels, self.values, strict=True)]

    def shade(self, value: int) -> int:
        """0 for an empty cell, then 1 to ``shades`` as the count nears the largest one."""
        top = max((v for row in self.values for v in row), default=0)
        return math.ceil(self.shades * value / top) if value and top else 0

    @property
    def shaded_rows(self) -> list[tuple[str, list[tuple[int, int]]]]:
        return [
            (label, [(value, self.shade(value)) for value in row])
            for label, row in zip(self.row_labels, self.values, strict=True)
        ]


def partnerships_by_level(partnerships: QuerySet[Partnership]) -> Chart:
    """How many partnerships sit at each agreed level (one query)."""
    counted = dict(
        partnerships.with_levels()
        .order_by()
        .values_list("agreed_level")
        .annotate(n=Count("pk"))
        .values_list("agreed_level", "n")
    )
    return by_level_chart(counted)


def level_counts() -> dict[str, Count]:
    """Counts of partnerships at each agreed level (``level_<n>``, and ``level_none`` for not
    agreed yet), for an aggregate that counts other things too (the read model's levels)."""
    return {
        f"level_{level}": Count("pk", filter=Q(state__agreed_level=level)) for level in Level.values
    } | {"level_none": Count("pk", filter=Q(state__agreed_level__isnull=True))}


def counted_by_level(totals: dict) -> dict[int | None, int]:
    """The counts of ``level_counts`` by level (None: not agreed yet), the empty ones left out."""
    counted = {level: totals[f"level_{level}"] for level in Level.values}
    counted[None] = totals["level_none"]
    return {level: n for level, n in counted.items() if n}


def by_level_chart(counted: dict[int | None, int]) -> Chart:
    """The chart of partnerships by agreed level, from their counts by level."""
    labels = [f"{level} · {label}" for level, label in Level.choices]
    return Chart(
        title=_("Partnerships by agreed level"),
        x_title=_("Agreed level"),
        y_title=_("Partnerships"),
        x_labels=[*labels, _("Not agreed yet")],
        series=[
            (
                _("Partnerships"),
                [counted.get(level, 0) for level in Level.values] + [counted.get(None, 0)],
            )
        ]
        if counted
        else [],
        kind="hbar",
        empty_text=_("No partnership yet: each one counts here at its agreed level."),
    )


def concern_intensity_by_category(organisation, today: datetime.date) -> Chart:
    """Mean intensity of the checks of each category, month by month, over twelve months, of
    the concerns the organisation sees."""

    first_month = add_months(today.replace(day=1), -11)
    months = [add_months(first_month, offset) for offset in range(12)]
    # The read model's monthly roll-up of what the organisation sees: a dozen rows a category.
    rows = ConcernMonth.objects.filter(
        organisation=organisation, month__gte=first_month, checks__gt=0
    ).values_list("month", "kind", "category", "total", "checks")
    series: dict[tuple[str, str], dict[datetime.date, float]] = {}
    for month, kind, category, total, checks in rows:
        series.setdefault((kind, category), {})[month] = round(total / checks, 1)
    return Chart(
        title=_("Intensity of fears and resistances, last twelve months"),
        x_title=_("Month"),
        y_title=_("Mean intensity (0 to 5)"),
        x_labels=[date_format(month, "M Y") for month in months],
        series=[
            (concern_category_label(kind, category), [values.get(m) for m in months])
            for (kind, category), values in sorted(series.items())
        ],
        kind="line",
        y_max=5,
        max_drawn=5,
        empty_text=_("No fear or resistance was rated in the last twelve months."),
    )


def partnership_concerns_over_time(partnership: Partnership, organisation) -> Chart:
    """Mean intensity by category at each date the partnership's concerns were checked."""
    from partnerships.reads.health import visible_concerns

    rows = list(
        ConcernCheck.objects.filter(
            concern__in=visible_concerns(organisation).filter(partnership=partnership)
        )
        .order_by()
        .values("checked_on", "concern__kind", "concern__category")
        .annotate(mean=Avg("intensity"))
    )
    dates = sorted({row["checked_on"] for row in rows})
    series: dict[tuple[str, str], dict[datetime.date, float]] = {}
    for row in rows:
        key = (row["concern__kind"], row["concern__category"])
        series.setdefault(key, {})[row["checked_on"]] = round(float(row["mean"]), 1)
    return Chart(
        title=_("Intensity of fears and resistances by category"),
        x_title=_("Date"),
        y_title=_("Mean intensity (0 to 5)"),
        x_labels=[date_format(day, "SHORT_DATE_FORMAT") for day in dates],
        series=[
            (concern_category_label(kind, category), [values.get(day) for day in dates])
            for (kind, category), values in sorted(series.items())
        ],
        kind="line",
        y_max=5,
    )


def levels_over_time(partnership: Partnership, organisation, entries=None) -> Chart:
    """Agreed, target and perceived levels at each date an entry was recorded.

    Only entries the organisation may see: revealed perceptions and its own blind ones
    (``entries``, oldest first, when the caller has read them already).
    """
    if entries is None:
        entries = list(
            LevelAssessment.objects.visible_to_organisation(organisation)
            .filter(partnership=partnership)
            .select_related("party__organisation")
            .order_by("assessed_on", "pk")
        )
    dates = sorted({entry.assessed_on for entry in entries})
    names: dict[tuple[str, int | None], str] = {}
    values: dict[tuple[str, int | None], dict[datetime.date, int]] = {}
    for entry in entries:
        key = (entry.kind, entry.party_id)
        if entry.kind == AssessmentKind.PERCEIVED:
            names[key] = _("Perceived by %(organisation)s") % {
                "organisation": entry.party.organisation.name
            }
        else:
            names[key] = str(AssessmentKind(entry.kind).label)
        values.setdefault(key, {})[entry.assessed_on] = entry.level
    order = {AssessmentKind.AGREED: 0, AssessmentKind.TARGET: 1, AssessmentKind.PERCEIVED: 2}
    keys = sorted(values, key=lambda key: (order[key[0]], names[key]))
    return Chart(
        title=_("Levels over time"),
        x_title=_("Date"),
        y_title=_("Level (1 to 7)"),
        x_labels=[date_format(day, "SHORT_DATE_FORMAT") for day in dates],
        series=[(names[key], [values[key].get(day) for day in dates]) for key in keys],
        kind="line",
        y_max=7,
    )
