"""Perception-gap reports: how far apart the parties see their partnership, and which
partnerships to clarify first (the widest gaps, a page at a time on screen, all in the files).

Split from ``figures.py``, whose conventions they follow: a ``Selection`` in, figures out, a
fixed number of queries whatever the data size.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from partnerships.choices import Level
from partnerships.reads.health import GAP_WARNING
from partnerships.reports.charts import Chart
from partnerships.reports.figures import Figures, Selection, Table, TablePage

# Rows of a per-partnership table shown on one page; the files hold every row.
TABLE_PAGE_SIZE = 50


def _levels_at_end(selection: Selection) -> QuerySet:
    """Partnerships running during the period, with their levels as they stood at its end."""
    period = selection.period
    return (
        selection.partnerships.alias(
            began=Coalesce("starts_on", TruncDate("created_at")), ended=F("ends_on")
        )
        .filter(Q(began__lte=period.end) & (Q(ended__isnull=True) | Q(ended__gte=period.start)))
        .with_levels(as_of=period.end)
    )


GAP_SIZES = range(Level.FUSION - Level.SERVICE + 1)


def _gap_counts(selection: Selection) -> dict[str, int]:
    """How many partnerships have each size of each gap, keyed ``perception_3``,
    ``agreement_none``... (1 query).

    Grouped by the pair of gaps, each computed once per partnership; the at most 8 by 8 groups
    are then added up by size. Sixteen filtered counts would compute the gaps sixteen times.
    """
    counts = dict.fromkeys(
        [f"{gap}_{size}" for gap in ("perception", "agreement") for size in [*GAP_SIZES, "none"]],
        0,
    )
    groups = (
        _levels_at_end(selection)
        .order_by()
        .values("perception_gap", "agreement_gap")
        .annotate(n=Count("pk"))
    )
    for group in groups:
        for gap in ("perception", "agreement"):
            size = group[f"{gap}_gap"]
            counts[f"{gap}_{'none' if size is None else size}"] += group["n"]
    return counts


def gap_sizes(selection: Selection, counts: dict[str, int] | None = None) -> Figures:
    """How many partnerships have each size of perception gap and of agreement gap (1 query,
    none when ``counts`` from ``_gap_counts`` are given)."""
    if counts is None:
        counts = _gap_counts(selection)
    keys = [*(str(size) for size in GAP_SIZES), "none"]
    return {
        "gaps-sizes": Chart(
            title=_("Partnerships by size of gap, at the end of the period"),
            x_title=_("Levels apart"),
            y_title=_("Partnerships"),
            x_labels=[*(str(size) for size in GAP_SIZES), _("Not measurable yet")],
            series=[
                (_("Between the parties' perceptions"), [counts[f"perception_{k}"] for k in keys]),
                (
                    _("Between a perception and the agreed level"),
                    [counts[f"agreement_{k}"] for k in keys],
                ),
            ],
        )
    }


def _page_of(
    selection: Selection, name: str, partnerships: QuerySet, gap: str, least: int, count: int
) -> tuple[list[int], TablePage]:
    """The keys of the partnerships on the page wanted of a table of those whose ``gap`` is
    ``least`` or more, widest first, and where that page stands (1 query).

    ``count`` (how many such partnerships, from the gap sizes) saves a ``WHERE`` on the gap:
    on SQLite each mention of a gap computes it again for every partnership, so the gap is
    only selected (ORDER BY then names its column) and the page's tail below ``least`` is
    dropped here. Only keys are read: the columns shown are computed for the page alone.
    """
    wanted = max(1, (selection.table_pages or {}).get(name, 1))
    page = TablePage(
        min(wanted, TablePage(1, TABLE_PAGE_SIZE, count).num_pages), TABLE_PAGE_SIZE, count
    )
    # Asked even when the table is empty: the same queries whatever the data.
    found = partnerships.order_by(F(gap).desc(nulls_last=True), "title", "pk").values_list(
        "pk", gap
    )[max(0, page.first_row - 1) : max(page.last_row, 1)]
    return [pk for pk, size in found if size is not None and size >= least], page


def gap_lists(selection: Selection, counts: dict[str, int] | None = None) -> Figures:
    """The partnerships to clarify: perceptions two levels apart or more, and perceptions that
    differ from the agreed level, widest gap first.

    On screen each table shows one page (the second one counts thousands of rows at 5,000
    partnerships, and drawing them was most of the page's time): the keys of each page (one
    query each; the gap sizes, from ``counts`` or one more query, tell how many rows each table
    has), then their rows (one query). The files hold every row (2 queries).
    """
    partnerships = _levels_at_end(selection)
    columns = [
        _("Partnership"),
        _("Agreed level"),
        _("Lowest perceived level"),
        _("Highest perceived level"),
    ]
    fields = ["title", "agreed_level", "perceived_min", "perceived_max"]
    with_range = {"as_of": selection.period.end}
    apart_page = differing_page = None
    if selection.table_pages is None:
        apart = partnerships.filter(perception_gap__gte=GAP_WARNING).order_by(
            "-perception_gap", "title", "pk"
        )
        differing = partnerships.filter(agreement_gap__gte=1).order_by(
            "-agreement_gap", "title", "pk"
        )
        apart_rows = [
            list(row)
            for row in apart.with_perceived_range(**with_range).values_list(
                *fields, "perception_gap"
            )
        ]
        differing_rows = [
            list(row)
            for row in differing.with_perceived_range(**with_range).values_list(
                *fields, "agreement_gap"
            )
        ]
    else:
        if counts is None:
            counts = _gap_counts(selection)
        apart_keys, apart_page = _page_of(
            selection,
            "gaps-apart",
            partnerships,
            "perception_gap",
            GAP_WARNING,
            sum(counts[f"perception_{size}"] for size in GAP_SIZES if size >= GAP_WARNING),
        )
        differing_keys, differing_page = _page_of(
            selection,
            "gaps-differing",
            partnerships,
            "agreement_gap",
            1,
            sum(counts[f"agreement_{size}"] for size in GAP_SIZES if size >= 1),
        )
        keys = [*apart_keys, *differing_keys]
        shown = {
            row[0]: row[1:]
            for row in partnerships.with_perceived_range(**with_range)
            # Asked even for no keys (Django skips an empty ``IN``): the same queries whatever
            # the data, as the pinned counts expect.
            .filter(Q(pk__in=keys) if keys else Q(pk__isnull=True))
            .values_list("pk", *fields, "perception_gap", "agreement_gap")
        }
        apart_rows = [[*shown[pk][:4], shown[pk][4]] for pk in apart_keys]
        differing_rows = [[*shown[pk][:4], shown[pk][5]] for pk in differing_keys]
    return {
        "gaps-apart": Table(
            title=_("Partnerships whose parties perceive it %(gap)s levels apart or more")
            % {"gap": GAP_WARNING},
            columns=[*columns, _("Perception gap")],
            table_rows=apart_rows,
            page=apart_page,
        ),
        "gaps-differing": Table(
            title=_("Partnerships where a party's perceived level differs from the agreed one"),
            columns=[*columns, _("Agreement gap")],
            table_rows=differing_rows,
            page=differing_page,
        ),
    }


def gaps(selection: Selection) -> Figures:
    """The gap report's page: the sizes, then the lists, sharing the one count of sizes."""
    counts = _gap_counts(selection)
    return {**gap_sizes(selection, counts), **gap_lists(selection, counts)}
