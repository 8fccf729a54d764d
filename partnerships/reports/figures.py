"""Cross-partnership reports: counted and averaged in the database, returned as plain data.

Each report function takes a ``Selection``: the partnerships to report on (every partnership
for staff, ``Partnership.objects.for_organisation(org)`` for an organisation, then narrowed by
the filters), the viewing organisation (None for staff), the period and today's date. It returns
its figures, ``Chart``, ``HeatMap`` or ``Table``, keyed by a stable name, and runs a fixed number
of queries whatever the data size.

What an organisation may see, and only that, is counted: another organisation's private
concerns never enter its numbers. Perception figures use only revealed ratings, for staff too:
a blind rating is not a fact anyone may act on until its review is held.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Lead
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.dates import add_months
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernKind,
    FearCategory,
    Invitation,
    Level,
    PleasureCategory,
    ResistanceCategory,
    ReviewStatus,
    Scope,
)
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    ConcernCheckMonth,
    ConcernCheckTotal,
    ConcernMonth,
    LevelAssessment,
    Partnership,
    PartnershipConcernMonth,
    Party,
    Review,
)
from partnerships.models.querysets import PENDING_COMMITMENT, latest_level, overdue_commitment
from partnerships.policy import joined
from partnerships.reads.attention import overdue_reviews
from partnerships.reports.charts import Chart, HeatMap
from partnerships.reports.dbfunctions import MonthStart, PlusDays, QuarterStart

if TYPE_CHECKING:
    from organisations.models import Organisation

# A review held up to a week after its planned date still counts as held on time.
REVIEW_TOLERANCE_DAYS = 7
# Past five years the monthly tables stop being readable.
MAX_PERIOD_MONTHS = 60

Figures = dict[str, "Chart | HeatMap | Table"]


@dataclass(frozen=True)
class Period:
    """The days a report looks at, both ends included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def twelve_months_to(cls, today: datetime.date) -> Period:
        """From the first day of the month eleven months back to today: twelve months."""
        return cls(add_months(today.replace(day=1), -11), today)

    def months(self) -> list[datetime.date]:
        """The first day of each month the period touches."""
        return self._steps(self.start.replace(day=1), 1)

    def quarters(self) -> list[datetime.date]:
        """The first day of each quarter the period touches."""
        first = self.start.replace(month=(self.start.month - 1) // 3 * 3 + 1, day=1)
        return self._steps(first, 3)

    def month_ends(self) -> list[datetime.date]:
        """The last day of each month, the period's own end for its last month."""
        return [
            min(add_months(month, 1) - datetime.timedelta(days=1), self.end)
            for month in self.months()
        ]

    def _steps(self, first: datetime.date, months: int) -> list[datetime.date]:
        steps = []
        while first <= self.end:
            steps.append(first)
            following = add_months(first, months)
            if following <= first:  # saturated at the calendar's end: no step further
                break
            first = following
        return steps


@dataclass(frozen=True)
class Selection:
    """What one report reads: whose partnerships, seen by whom, over which period."""

    partnerships: QuerySet
    organisation: Organisation | None
    period: Period
    today: datetime.date
    # The page wanted of each per-partnership table, by figure name (1 when not named); None
    # for every row of every table, as the CSV and XLSX files hold.
    table_pages: Mapping[str, int] | None = None
    # True when ``partnerships`` is every partnership the viewer reads, no filter narrowing
    # them: the roll-ups kept over a whole organisation (or over every partnership) answer.
    whole: bool = False


@dataclass(frozen=True)
class TablePage:
    """Which rows of a long table are shown: page ``number`` of ``size`` rows, of ``count``."""

    number: int
    size: int
    count: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.count else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.size, self.count)


@dataclass
class Table:
    """A plain table: a header and rows of values (None for a value that does not exist).

    ``page`` is set when only one page of the rows is held (on screen), None when all are.
    """

    title: str
    columns: list[str]
    table_rows: list[list]
    page: TablePage | None = None
    # The address of the list each row's figure counts (None: no link), on screen only.
    links: list[str | None] | None = None

    @property
    def linked_rows(self) -> list[tuple[list, str | None]]:
        links = self.links or []
        return [
            (row, links[index] if index < len(links) else None)
            for index, row in enumerate(self.table_rows)
        ]


def partnerships_matching(
    partnerships: QuerySet,
    *,
    organisation: Organisation | None = None,
    scope: str = "",
    kind: str = "",
) -> QuerySet:
    """Narrow to partnerships with ``organisation`` as an accepted party, of ``scope``, and with
    an accepted party of organisation ``kind`` (each only when given)."""
    accepted = Party.objects.filter(partnership=OuterRef("pk"), invitation=Invitation.ACCEPTED)
    if organisation is not None:
        partnerships = partnerships.filter(Exists(accepted.filter(organisation=organisation)))
    if scope:
        partnerships = partnerships.filter(scope=scope)
    if kind:
        partnerships = partnerships.filter(Exists(accepted.filter(organisation__kind=kind)))
    return partnerships


# --- Labels -------------------------------------------------------------------------------
def level_label(level: int | None) -> str:
    return f"{level} · {Level(level).label}" if level else _("Not agreed yet")


def month_label(month: datetime.date) -> str:
    return date_format(month, "F Y")


def quarter_label(quarter: datetime.date) -> str:
    return _("Q%(number)s %(year)s") % {
        "number": (quarter.month - 1) // 3 + 1,
        "year": quarter.year,
    }


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _rounded(mean) -> float | None:
    """A mean as shown and exported: one decimal (PostgreSQL returns a Decimal, SQLite a float)."""
    return None if mean is None else round(float(mean), 1)


# Every category of both kinds, fears first, in the order of the vocabulary.
CATEGORY_ORDER = [
    *((ConcernKind.FEAR, category) for category in FearCategory),
    *((ConcernKind.RESISTANCE, category) for category in ResistanceCategory),
]


def _visible_concerns(selection: Selection) -> QuerySet:
    """Concerns of the selected partnerships the viewer may see (all of them for staff)."""
    if selection.whole:  # every partnership the viewer reads: no list of them to match
        if selection.organisation is None:
            return Concern.objects.all()
        return Concern.objects.visible_to_organisation(selection.organisation)
    concerns = Concern.objects.filter(partnership__in=selection.partnerships)
    if selection.organisation is not None:
        concerns = concerns.filter(
            pk__in=Concern.objects.visible_to_organisation(selection.organisation)
        )
    return concerns


def _on_record_at_end(selection: Selection) -> QuerySet:
    """Visible concerns already raised on the period's last day."""
    # Before the next local midnight rather than ``created_at__date__lte``: the date cast is a
    # Python callback per row on SQLite (a third of the concerns report's time).
    return _visible_concerns(selection).filter(created_at__lt=_day_after(selection.period.end))


def _day_after(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` ends, in the current time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


# --- Partnerships by agreed level and scope, month by month --------------------------------
def agreed_levels_by_month(selection: Selection) -> Figures:
    """How many partnerships sat at each agreed level, and in each scope, at each month's end.

    One query of two parts. The selected partnerships' agreed entries up to the period's end,
    each with the date of the next one (``LEAD``, a window over its partnership's entries),
    are counted at each month's end by level where in force in a running partnership; the
    running partnerships are counted by scope. A running partnership with no entry in force on
    a day (none yet) is not agreed yet: the difference of the two.
    """
    days = selection.period.month_ends()
    by_level = {level: [0] * len(days) for level in [*Level.values, None]}
    by_scope = {scope: [0] * len(days) for scope in Scope.values}
    for level, scope, *counts in _count_by_month_end(selection, days):
        for index, count in enumerate(counts):
            if scope is not None:  # the running partnerships of the scope
                by_scope[scope][index] += count
                by_level[None][index] += count
            else:  # those of them with an entry of the level in force
                by_level[level][index] += count
                by_level[None][index] -= count
    months = [month_label(month) for month in selection.period.months()]
    return {
        "levels-by-level": Chart(
            title=_("Partnerships by agreed level, at the end of each month"),
            x_title=_("Month"),
            y_title=_("Partnerships"),
            x_labels=months,
            series=[(level_label(level), counts) for level, counts in by_level.items()],
            kind="stacked",
        ),
        "levels-by-scope": Chart(
            title=_("Partnerships by scope, at the end of each month"),
            x_title=_("Month"),
            y_title=_("Partnerships"),
            x_labels=months,
            series=[(str(Scope(scope).label), counts) for scope, counts in by_scope.items()],
            kind="stacked",
        ),
    }


def _agreed_entries(selection: Selection) -> QuerySet:
    """The selected partnerships' agreed entries recorded by the period's end: each entry's
    partnership, level and date, and the date of the next entry (None for the latest).

    The window runs over the entries alone, in the order of their partial index (partnership,
    date, id), so the database reads them in order instead of sorting a join with every
    partnership (three quarters of the report's time on SQLite).
    """
    entries = LevelAssessment.objects.filter(
        kind=AssessmentKind.AGREED, assessed_on__lte=selection.period.end
    )
    if not (selection.whole and selection.organisation is None):
        entries = entries.filter(partnership__in=selection.partnerships)
    return (
        entries.order_by()
        .annotate(
            replaced_on=Window(
                Lead("assessed_on"),
                partition_by=[F("partnership")],
                order_by=[F("assessed_on").asc(), F("pk").asc()],
            )
        )
        .values(
            entry_partnership=F("partnership"),
            entry_level=F("level"),
            entry_on=F("assessed_on"),
            replaced_on=F("replaced_on"),
        )
    )


def _count_by_month_end(selection: Selection, days: list[datetime.date]) -> list[tuple]:
    """``(level, None, count at each day…)`` rows, the entries of each level in force in a
    running partnership, then ``(None, scope, count at each day…)`` rows, the running
    partnerships of each scope.

    Written as SQL around the two querysets: SQL allows no aggregate over a window function in
    the same SELECT, and Django writes no query over a derived table.
    """
    quote = connection.ops.quote_name
    entries, entry_params = _agreed_entries(selection).query.sql_with_params()
    partnerships, partnership_params = (
        selection.partnerships.order_by()
        .values("id", "scope", "starts_on", "created_at", "ends_on")
        .query.sql_with_params()
    )
    entry_on, replaced_on = quote("entry_on"), quote("replaced_on")
    in_force = (
        f"entries.{entry_on} <= %s"
        f" AND (entries.{replaced_on} IS NULL OR entries.{replaced_on} > %s)"
    )
    in_force_counts, in_force_params = _counts_on(days, in_force)
    running_counts, running_params = _counts_on(days)
    first, last = days[0], days[-1]
    # Left out before counting: what counts on no day (an entry replaced, or a partnership
    # ended, before the first day; a partnership begun after the last).
    running_in_period, period_params = _running_sql("partnership", first, last)
    sql = (
        f"SELECT entries.{quote('entry_level')}, NULL, {in_force_counts}"
        # The entries are of the selected partnerships already: their own rows are joined.
        f" FROM ({entries}) entries INNER JOIN {quote(Partnership._meta.db_table)} partnership"
        f" ON partnership.{quote('id')} = entries.{quote('entry_partnership')}"
        f" WHERE (entries.{replaced_on} IS NULL OR entries.{replaced_on} > %s)"
        f" AND {running_in_period}"
        f" GROUP BY entries.{quote('entry_level')}"
        f" UNION ALL SELECT NULL, partnership.{quote('scope')}, {running_counts}"
        f" FROM ({partnerships}) partnership WHERE {running_in_period}"
        f" GROUP BY partnership.{quote('scope')}"
    )
    adapt = connection.ops.adapt_datefield_value
    params = [
        *in_force_params,
        *entry_params,
        adapt(first),
        *period_params,
        *running_params,
        *partnership_params,
        *period_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _counts_on(days: list[datetime.date], condition: str = "") -> tuple[str, list]:
    """One ``COUNT(*) FILTER`` a day: of the rows whose partnership runs that day and, when
    given, that meet ``condition`` (SQL with two placeholders, both for the day)."""
    adapt = connection.ops.adapt_datefield_value
    counts, params = [], []
    for day in days:
        where, where_params = _running_sql("partnership", day, day)
        if condition:  # first: it rules out most rows on the early days
            where = f"{condition} AND {where}"
            where_params = [adapt(day), adapt(day), *where_params]
        counts.append(f"COUNT(*) FILTER (WHERE {where})")
        params += where_params
    return ", ".join(counts), params


def _running_sql(table: str, first: datetime.date, last: datetime.date) -> tuple[str, list]:
    """SQL for "the partnership ``table`` runs on some day from ``first`` to ``last``": started
    (or, without a start date, recorded) by ``last``, not ended before ``first``.

    The day a partnership was recorded is compared through the moment the day after ``last``
    begins: a date cast of ``created_at`` is a Python callback per row on SQLite.
    """
    quote = connection.ops.quote_name
    starts_on, created_at, ends_on = (
        f"{table}.{quote(column)}" for column in ("starts_on", "created_at", "ends_on")
    )
    sql = (
        f"({starts_on} <= %s OR ({starts_on} IS NULL AND {created_at} < %s))"
        f" AND ({ends_on} IS NULL OR {ends_on} >= %s)"
    )
    adapt_date = connection.ops.adapt_datefield_value
    params = [
        adapt_date(last),
        connection.ops.adapt_datetimefield_value(_day_after(last)),
        adapt_date(first),
    ]
    return sql, params


# --- Fears and resistances -----------------------------------------------------------------
def concerns_by_category(selection: Selection) -> Figures:
    """Concerns on record at the period's end by category: how many, how many were checked,
    and the mean of their latest intensity then (1 query)."""
    rows = {
        (row["kind"], row["category"]): row
        for row in _on_record_at_end(selection)
        .with_latest_intensity(as_of=selection.period.end)
        .order_by()
        .values("kind", "category")
        .annotate(
            raised=Count("pk"),
            checked=Count("latest_intensity"),
            mean=Avg("latest_intensity"),
        )
    }
    empty = {"raised": 0, "checked": 0, "mean": None}
    found = [rows.get(key, empty) for key in CATEGORY_ORDER]
    labels = [str(category.label) for _kind, category in CATEGORY_ORDER]
    return {
        "concerns-count": Chart(
            title=_("Fears and resistances on record at the end of the period, by category"),
            x_title=_("Category"),
            y_title=_("Fears and resistances"),
            x_labels=labels,
            series=[
                (_("Raised"), [row["raised"] for row in found]),
                (_("Checked at least once"), [row["checked"] for row in found]),
            ],
            kind="hbar",
        ),
        "concerns-intensity": Chart(
            title=_("Mean latest intensity by category, at the end of the period"),
            x_title=_("Category"),
            y_title=_("Mean intensity (0 to 5)"),
            x_labels=labels,
            series=[
                (
                    _("Mean latest intensity"),
                    [_rounded(row["mean"]) for row in found],
                )
            ],
            kind="hbar",
            y_max=5,
        ),
    }


def concern_trend_by_quarter(selection: Selection) -> Figures:
    """Mean intensity of the checks made each quarter, by category (1 or 2 queries).

    The months the period covers whole are read from the monthly roll-ups of the checks the
    viewer sees (an organisation's: ``ConcernMonth``, or each partnership's share,
    ``PartnershipConcernMonth``, when filters narrow the partnerships; staff's:
    ``ConcernCheckTotal``, or ``ConcernCheckMonth``); the days of a month it covers in part,
    from the checks. The
    mean of a quarter is its checks' intensities added up over their number, as ``AVG`` makes.
    """
    quarters = selection.period.quarters()
    sums: dict[tuple[str, str], dict[datetime.date, list[int]]] = {}
    for kind, category, month, total, checks in _check_sums_by_month(selection):
        month = _as_date(month)
        quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        found = sums.setdefault((kind, category), {}).setdefault(quarter, [0, 0])
        found[0] += total
        found[1] += checks
    means = {
        key: {quarter: _rounded(total / checks) for quarter, (total, checks) in by_quarter.items()}
        for key, by_quarter in sums.items()
    }
    return {
        "concerns-trend": Chart(
            title=_("Mean intensity of the checks, quarter by quarter"),
            x_title=_("Quarter"),
            y_title=_("Mean intensity (0 to 5)"),
            x_labels=[quarter_label(quarter) for quarter in quarters],
            series=[
                (str(category.label), [means[(kind, category)].get(q) for q in quarters])
                for kind, category in CATEGORY_ORDER
                if (kind, category) in means
            ],
            kind="line",
            y_max=5,
        )
    }


def _whole_months(period: Period) -> list[datetime.date]:
    """The first day of each month the period covers from its first day to its last."""
    return [
        month
        for month, last in zip(period.months(), period.month_ends(), strict=True)
        if month >= period.start and last == add_months(month, 1) - datetime.timedelta(days=1)
    ]


def _check_sums_by_month(selection: Selection) -> list[tuple]:
    """``(kind, category, month, total, checks)`` of the checks the viewer sees in the
    period: whole months from the roll-ups, the days of a month covered in part from the
    checks (only when the period has such days)."""
    period = selection.period
    whole = _whole_months(period)
    if selection.organisation is None:
        rolled = ConcernCheckTotal.objects.all() if selection.whole else ConcernCheckMonth.objects
    elif selection.whole:
        rolled = ConcernMonth.objects.filter(organisation=selection.organisation)
    else:
        rolled = PartnershipConcernMonth.objects.filter(organisation=selection.organisation)
    if not selection.whole:
        rolled = rolled.filter(partnership__in=selection.partnerships)
    found = list(
        # A roll-up whose checks were all deleted stays behind at zero: it counts no check.
        rolled.filter(month__in=whole, checks__gt=0)
        .order_by()
        .values_list("kind", "category", "month")
        .annotate(Sum("total"), Sum("checks"))
    )
    in_part = Q()
    for month, last in zip(period.months(), period.month_ends(), strict=True):
        if month not in whole:
            in_part |= Q(checked_on__range=(max(month, period.start), last))
    if in_part:
        found += (
            ConcernCheck.objects.filter(in_part, concern__in=_visible_concerns(selection))
            .annotate(month=MonthStart("checked_on"))
            .order_by()
            .values_list("concern__kind", "concern__category", "month")
            .annotate(Sum("intensity"), Count("pk"))
        )
    return found


def fears_by_agreed_level(selection: Selection) -> Figures:
    """Fears on record at the period's end, by the partnership's agreed level then (1 query)."""
    counts = {
        (row["agreed"], row["category"]): row["n"]
        for row in _on_record_at_end(selection)
        .filter(kind=ConcernKind.FEAR)
        .annotate(
            # The read model's agreed level where no level was logged after the period's end.
            agreed=Case(
                When(
                    partnership__state__levels_dated_until__lte=selection.period.end,
                    then=F("partnership__state__agreed_level"),
                ),
                default=latest_level(AssessmentKind.AGREED, selection.period.end, "partnership"),
            )
        )
        .order_by()
        .values("agreed", "category")
        .annotate(n=Count("pk"))
    }
    levels = [*Level.values, None]
    return {
        "concerns-heatmap": HeatMap(
            title=_("Fears by agreed level and category, at the end of the period"),
            row_title=_("Agreed level"),
            row_labels=[level_label(level) for level in levels],
            column_labels=[str(category.label) for category in FearCategory],
            values=[[counts.get((level, c), 0) for c in FearCategory.values] for level in levels],
        )
    }


# --- Commitments ---------------------------------------------------------------------------
def commitments_by_organisation(selection: Selection) -> Figures:
    """Commitments due in the period, by the organisation that owns them: done, still to do,
    overdue, dropped, and the completion rate of those not dropped (1 query)."""
    period, today = selection.period, selection.today
    rows = list(
        Commitment.objects.filter(
            partnership__in=selection.partnerships,
            due_on__range=(period.start, period.end),
        )
        .order_by()
        .values("party__organisation", "party__organisation__name")
        .annotate(
            done=Count("pk", filter=Q(status=CommitmentStatus.DONE)),
            to_do=Count("pk", filter=PENDING_COMMITMENT & Q(due_on__gte=today)),
            overdue=Count("pk", filter=overdue_commitment(today)),
            dropped=Count("pk", filter=Q(status=CommitmentStatus.DROPPED)),
        )
        .order_by("party__organisation__name", "party__organisation")
    )
    names = [row["party__organisation__name"] for row in rows]

    def rate(row: dict) -> float | None:
        kept = row["done"] + row["to_do"] + row["overdue"]
        return round(100 * row["done"] / kept, 1) if kept else None

    return {
        "commitments-status": Chart(
            title=_("Commitments due in the period, by organisation"),
            x_title=_("Organisation"),
            y_title=_("Commitments"),
            x_labels=names,
            series=[
                (_("Done"), [row["done"] for row in rows]),
                (_("Still to do, not yet due"), [row["to_do"] for row in rows]),
                (_("Overdue"), [row["overdue"] for row in rows]),
                (_("Dropped"), [row["dropped"] for row in rows]),
            ],
            kind="hstacked",
        ),
        "commitments-rate": Chart(
            title=_("Completion rate of the commitments due in the period, by organisation"),
            x_title=_("Organisation"),
            y_title=_("Done, per hundred commitments not dropped"),
            x_labels=names,
            series=[(_("Completion rate (%)"), [rate(row) for row in rows])],
            kind="hbar",
            y_max=100,
        ),
    }


# --- Reviews -------------------------------------------------------------------------------
def review_punctuality_by_organisation(selection: Selection) -> Figures:
    """Reviews planned in the period, for each organisation that is a party: held on time
    (within the tolerance), late, missing (not held and past the tolerance), or not yet due
    (1 query)."""
    period = selection.period
    tolerance = datetime.timedelta(days=REVIEW_TOLERANCE_DAYS)
    deadline = PlusDays("scheduled_on", tolerance.days)
    not_held = Q(held_on__isnull=True)
    give_up_before = selection.today - tolerance
    counts = {
        "on_time": Q(held_on__lte=deadline),
        "late": Q(held_on__gt=deadline),
        "missing": not_held & Q(scheduled_on__lt=give_up_before),
        "not_due": not_held & Q(scheduled_on__gte=give_up_before),
    }
    # The period's reviews (cancelled ones are neither due nor missing) counted by
    # partnership, then added up for each organisation that joined it.
    planned = Review.objects.filter(scheduled_on__range=(period.start, period.end)).exclude(
        status=ReviewStatus.CANCELLED
    )
    if not (selection.whole and selection.organisation is None):
        planned = planned.filter(partnership__in=selection.partnerships)
    by_partnership = (
        planned.order_by()
        .values(reviewed=F("partnership"))
        .annotate(
            planned=Count("pk"),
            **{name: Count("pk", filter=condition) for name, condition in counts.items()},
        )
    )
    rows = _sum_by_organisation(by_partnership, ["planned", *counts])
    # A review due by the cadence in the period and already past, that nobody planned (no
    # review, cancelled ones aside, on or after the due date) nor held, is missing too: the
    # dashboard says so the day after the due date, and so does this report.
    unplanned = (
        Party.objects.filter(
            partnership__in=overdue_reviews(selection.partnerships, None, selection.today),
            partnership__next_review_on__range=(period.start, period.end),
            invitation=Invitation.ACCEPTED,
        )
        .exclude(
            Exists(
                Review.objects.filter(
                    partnership=OuterRef("partnership"),
                    scheduled_on__gte=OuterRef("partnership__next_review_on"),
                ).exclude(status=ReviewStatus.CANCELLED)
            )
        )
        .order_by()
        .values("organisation", "organisation__name")
        .annotate(unplanned=Count("partnership", distinct=True))
    )
    by_organisation = {row["organisation"]: row for row in rows}
    empty = dict.fromkeys(("planned", *counts), 0)
    for row in unplanned:
        merged = by_organisation.setdefault(row["organisation"], {**row, **empty})
        merged["unplanned"] = row["unplanned"]
    rows = sorted(
        by_organisation.values(), key=lambda row: (row["organisation__name"], row["organisation"])
    )
    for row in rows:
        row.setdefault("unplanned", 0)
        row["missed"] = row["missing"] + row["unplanned"]
    overdue_now = _overdue_reviews_now(selection)
    return {
        "reviews-punctuality": Chart(
            title=_("Reviews due in the period, by organisation"),
            x_title=_("Organisation"),
            y_title=_("Reviews"),
            x_labels=[row["organisation__name"] for row in rows],
            series=[
                (_("Held on time"), [row["on_time"] for row in rows]),
                (_("Held late"), [row["late"] for row in rows]),
                (_("Missing"), [row["missed"] for row in rows]),
                (_("Not yet due"), [row["not_due"] for row in rows]),
            ],
            kind="hstacked",
        ),
        "reviews-overdue": Table(
            title=_("Partnerships whose review is overdue today, by organisation"),
            columns=[_("Organisation"), _("Partnerships with an overdue review")],
            table_rows=[[name, count] for name, count, _link in overdue_now],
            links=[link for _name, _count, link in overdue_now],
        ),
    }


def _sum_by_organisation(by_partnership: QuerySet, names: list[str]) -> list[dict]:
    """The counts ``names`` of ``by_partnership`` (one row a partnership, keyed
    ``reviewed``) added up for each organisation that joined the partnership: dicts of
    ``organisation``, ``organisation__name`` and each sum.

    Counted by partnership first, then joined to the parties: joining each review to every
    party before counting made two or three rows of each review, and took three times as long.
    Written as SQL around the two querysets, since Django writes no join to a derived table.
    """
    counted, counted_params = by_partnership.query.sql_with_params()
    parties, party_params = (
        Party.objects.filter(joined())
        .order_by()
        .values(
            joined_partnership=F("partnership"),
            joined_organisation=F("organisation"),
            joined_name=F("organisation__name"),
        )
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    organisation, name = quote("joined_organisation"), quote("joined_name")
    sums = ", ".join(f"SUM(counted.{quote(column)})" for column in names)
    sql = (
        f"SELECT parties.{organisation}, parties.{name}, {sums}"
        f" FROM ({counted}) counted INNER JOIN ({parties}) parties"
        f" ON parties.{quote('joined_partnership')} = counted.{quote('reviewed')}"
        f" GROUP BY parties.{organisation}, parties.{name}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*counted_params, *party_params])
        return [
            {
                "organisation": row[0],
                "organisation__name": row[1],
                # int(): PostgreSQL adds up counts as numeric, read as Decimal
                **{column: int(total) for column, total in zip(names, row[2:], strict=True)},
            }
            for row in cursor.fetchall()
        ]


def _overdue_reviews_now(selection: Selection) -> list[tuple[str, int, str | None]]:
    """Running partnerships whose next review is past, counted per accepted party's
    organisation, each count with the link to the list it counts (an organisation's reports
    only: the viewer's list, narrowed to the partner for another organisation's row)."""
    rows = (
        Party.objects.filter(
            partnership__in=overdue_reviews(selection.partnerships, None, selection.today),
            invitation=Invitation.ACCEPTED,
        )
        .order_by()
        .values("organisation", "organisation__name", "organisation__slug")
        .annotate(n=Count("partnership", distinct=True))
        .order_by("organisation__name", "organisation")
    )
    viewer = selection.organisation
    result = []
    for row in rows:
        link = None
        if viewer is not None:
            link = reverse("partnerships:list", args=[viewer.slug]) + "?attention=overdue_reviews"
            if row["organisation"] != viewer.pk:
                link += "&partner=" + row["organisation__slug"]
        result.append((row["organisation__name"], row["n"], link))
    return result


# --- Pleasures -----------------------------------------------------------------------------
def pleasures_by_quarter(selection: Selection) -> Figures:
    """Pleasures demonstrated in the period, quarter by quarter and by category (1 query)."""
    period = selection.period
    quarters = period.quarters()
    counts = {
        (_as_date(row["quarter"]), row["category"]): row["n"]
        for row in Benefit.objects.filter(
            partnership__in=selection.partnerships,
            observed_on__range=(period.start, period.end),
        )
        .annotate(quarter=QuarterStart("observed_on"))
        .order_by()
        .values("quarter", "category")
        .annotate(n=Count("pk"))
    }
    return {
        "pleasures-by-quarter": Chart(
            title=_("Pleasures demonstrated, quarter by quarter"),
            x_title=_("Quarter"),
            y_title=_("Pleasures demonstrated"),
            x_labels=[quarter_label(quarter) for quarter in quarters],
            series=[
                (str(category.label), [counts.get((q, category.value), 0) for q in quarters])
                for category in PleasureCategory
            ],
            kind="stacked",
        )
    }
