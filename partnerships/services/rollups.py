"""Keeping the monthly roll-ups (``partnerships.models.rollups``) equal to what the logs say.

``refresh(ids)`` recomputes the rows of some partnerships from their checks and rewrites them
when they changed; ``partnerships.services.state.refresh`` calls it, so it runs in the same
transaction as every write the read model follows, and moves the totals over every
partnership by the difference (``removed`` does so before a partnership is deleted).
``clear()`` starts a rebuild afresh;
``drift(ids)`` compares stored rows with a recomputation without writing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum

from partnerships.models import ConcernCheck, ConcernCheckMonth, ConcernCheckTotal
from partnerships.reports.dbfunctions import MonthStart

KEY = ("partnership_id", "month", "kind", "category")


def check_months_from_logs(ids: Iterable[int]) -> dict[tuple, list[int]]:
    """Every check of these partnerships' concerns added up by month and category (one
    query): ``{(partnership, month, kind, category): [total, checks]}``."""
    rows = (
        ConcernCheck.objects.filter(concern__partnership_id__in=list(ids))
        .annotate(month=MonthStart("checked_on"))
        .order_by()
        .values_list("concern__partnership_id", "month", "concern__kind", "concern__category")
        .annotate(total=Sum("intensity"), n=Count("pk"))
    )
    found = {}
    for partnership_id, month, kind, category, total, checks in rows:
        if isinstance(month, datetime.datetime):
            month = month.date()
        found[(partnership_id, month, kind, category)] = [total, checks]
    return found


def _stored(ids: list[int]) -> dict[tuple, list[int]]:
    return {
        row[:4]: list(row[4:])
        for row in ConcernCheckMonth.objects.filter(partnership_id__in=ids).values_list(
            *KEY, "total", "checks"
        )
    }


def refresh(ids: Iterable[int]) -> None:
    """Recompute and store the roll-ups of these partnerships (two queries when nothing
    changed; their rows rewritten when something did)."""
    ids = list(ids)
    expected, stored = check_months_from_logs(ids), _stored(ids)
    if stored == expected:
        return
    _add_to_totals(stored, expected)
    ConcernCheckMonth.objects.filter(partnership_id__in=ids).delete()
    ConcernCheckMonth.objects.bulk_create(
        [
            ConcernCheckMonth(**dict(zip(KEY, key, strict=True)), total=total, checks=checks)
            for key, (total, checks) in expected.items()
        ],
        batch_size=500,
    )


def removed(partnership_id: int) -> None:
    """Before a partnership is deleted: take its share out of the totals (its own rows go
    with it)."""
    _add_to_totals(_stored([partnership_id]), {})


def move_roll_up(
    model, names: tuple[str, ...], old: dict[tuple, list[int]], new: dict[tuple, list[int]]
) -> None:
    """Move the roll-up rows of ``model`` (keyed by ``names``) by what changed between the
    ``old`` and ``new`` shares, whose keys are a partnership followed by those names: an
    update a row that moved, relative so concurrent writers add up; a row created the first
    time."""
    delta: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for sign, shares in ((-1, old), (1, new)):
        for key, (total, checks) in shares.items():
            delta[key[1:]][0] += sign * total
            delta[key[1:]][1] += sign * checks
    for key, (total, checks) in sorted(delta.items()):
        if not total and not checks:
            continue
        row = dict(zip(names, key, strict=True))
        moves = {"total": F("total") + total, "checks": F("checks") + checks}
        if not model.objects.filter(**row).update(**moves):
            try:
                with transaction.atomic():
                    model.objects.create(**row, total=total, checks=checks)
            except IntegrityError:  # created meanwhile by another writer: add to it
                model.objects.filter(**row).update(**moves)


def _add_to_totals(old: dict[tuple, list[int]], new: dict[tuple, list[int]]) -> None:
    """Move the totals over every partnership by what changed between the shares."""
    move_roll_up(ConcernCheckTotal, ("month", "kind", "category"), old, new)


def clear() -> None:
    """Before a rebuild: every row goes, each batch's ``refresh`` writes its own again."""
    ConcernCheckMonth.objects.all().delete()
    ConcernCheckTotal.objects.all().delete()


def drift(ids: Iterable[int]) -> list[str]:
    """Where the stored roll-ups of these partnerships differ from their logs (one line each)."""
    ids = list(ids)
    expected, stored = check_months_from_logs(ids), _stored(ids)
    found = [
        f"monthly checks of partnership {key[0]} in {key[1]} ({key[3]}): "
        f"stored {stored.get(key)}, logs say {expected.get(key)}"
        for key in sorted(expected.keys() | stored.keys(), key=str)
        if expected.get(key) != stored.get(key)
    ]
    return found + _total_drift({key[1] for key in expected.keys() | stored.keys()})


def _total_drift(months: set) -> list[str]:
    """Where the totals of these months differ from the sum of the partnerships' shares."""
    summed = {
        row[:3]: list(row[3:])
        for row in ConcernCheckMonth.objects.filter(month__in=months)
        .order_by()
        .values_list("month", "kind", "category")
        .annotate(Sum("total"), Sum("checks"))
    }
    stored = {
        row[:3]: list(row[3:])
        for row in ConcernCheckTotal.objects.filter(month__in=months)
        .exclude(total=0, checks=0)
        .values_list("month", "kind", "category", "total", "checks")
    }
    return [
        f"monthly checks of every partnership in {key[0]} ({key[2]}): "
        f"stored {stored.get(key)}, the partnerships add up to {summed.get(key)}"
        for key in sorted(summed.keys() | stored.keys(), key=str)
        if summed.get(key) != stored.get(key)
    ]
