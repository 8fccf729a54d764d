"""Keeping the read model (``partnerships.models.state``) equal to what the logs say.

``refresh(ids, parts)`` recomputes the rows of some partnerships from their logs and writes
them; it runs inside the transaction of the write that changed them (``partnerships.signals``
calls ``changed`` after every save or delete of a level entry, party, concern, check,
commitment, responsibility, agreement or review, whatever path made it: services, admin or
shell), so a reader never sees a state the logs do not hold. ``deferred()`` gathers the
refreshes of a block of writes (a seed, an import) and runs them once at its end.
``rebuild()`` recomputes every partnership (``manage.py rebuild_read_model``), the
reports' monthly roll-ups (``services.rollups``) included; ``drift()`` compares stored rows
with a recomputation without writing (the daily check, and the property-based test).

Levels and gaps are recomputed by the database (the same subqueries the pages used to run at
every request); the counts of concerns each organisation sees are recomputed here in Python from
one read of the open concerns, so the two halves are checked against independent code in tests.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from partnerships.choices import (
    AgreementState,
    ConcernKind,
    ConcernStatus,
    FearCategory,
)
from partnerships.models import (
    Agreement,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Partnership,
    Party,
    Responsibility,
)
from partnerships.models.querysets import PENDING_COMMITMENT, perceived_subquery
from partnerships.models.state import (
    ConcernMonth,
    ConcernState,
    PartnerLink,
    PartnershipConcernMonth,
    PartnershipState,
    PartnershipView,
)
from partnerships.policy import joined, sees_concern, taking_part
from partnerships.reports.dbfunctions import MonthStart
from partnerships.services import partner_links, rollups, todo_state

logger = logging.getLogger(__name__)

HIGH_INTENSITY = 4  # the same threshold as the health signals (reads.health)
BATCH = 500

STATE_FIELDS = (
    "agreed_level",
    "target_level",
    "perceived_count",
    "perceived_min",
    "perceived_max",
    "perception_gap",
    "agreement_gap",
    "has_idle_party",
    "size_spread",
    "agreement_ends_on",
    "first_pending_due_on",
    "levels_dated_until",
)
VIEW_FIELDS = ("high_concerns", "stuck_concerns", "power_fear_open")
CONCERN_FIELDS = (
    "partnership_id",
    "latest_intensity",
    "latest_checked_on",
    "previous_intensity",
    "rated_on",
)


def _states_query(partnerships: Q) -> QuerySet:
    """The state of the partnerships matching ``partnerships``, recomputed from the logs."""
    partnership = OuterRef("pk")
    taking = Party.objects.filter(taking_part(), partnership=partnership)
    idle = taking.exclude(Exists(Responsibility.objects.filter(party=OuterRef("pk")))).exclude(
        Exists(Commitment.objects.filter(party=OuterRef("pk")))
    )
    return (
        Partnership.objects.filter(partnerships)
        .with_logged_levels()
        .with_perceived_range(from_logs=True)
        .annotate(
            perceived_count=perceived_subquery(Count("pk")),
            has_idle_party=Exists(idle),
            size_spread=Subquery(
                taking.order_by()
                .values("partnership")
                .annotate(spread=Max("organisation__size_band") - Min("organisation__size_band"))
                .values("spread"),
                output_field=IntegerField(),
            ),
            agreement_ends_on=Subquery(
                Agreement.objects.filter(
                    partnership=partnership,
                    state__in=[AgreementState.IN_FORCE, AgreementState.ENDED],
                )
                .order_by("-version")
                .values("ends_on")[:1]
            ),
            levels_dated_until=Subquery(
                LevelAssessment.objects.filter(partnership=partnership)
                .order_by()
                .values("partnership")
                .annotate(last=Max("assessed_on"))
                .values("last")
            ),
            first_pending_due_on=Subquery(
                Commitment.objects.filter(PENDING_COMMITMENT, partnership=partnership)
                .order_by()
                .values("partnership")
                .annotate(first=Min("due_on"))
                .values("first")
            ),
        )
        .values("pk", *STATE_FIELDS)
    )


# Building that query is some 50 ms of Python (its SQL runs in under 1 ms for one
# partnership), and every write asks for one partnership: its SQL is compiled once per database
# with a stand-in key, then run with the partnership's.
_ONE = -7_654_321
_compiled: dict[str, tuple[str, list, list[str]]] = {}
DATE_FIELDS = {"agreement_ends_on", "first_pending_due_on", "levels_dated_until"}


def _one_state(partnership_id: int) -> dict[int, dict]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in _compiled:
        compiler = _states_query(Q(pk=_ONE)).query.get_compiler(DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        # The columns in the order the SQL selects them (the compiler's own list).
        names = [alias or column.target.attname for column, _sql, alias in compiler.select]
        _compiled[connection.vendor] = (sql, list(params), names)
    sql, params, names = _compiled[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql, [partnership_id if p == _ONE else p for p in params])
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["pk"] = row.pop("pk") if "pk" in row else row.pop("id")
        row["has_idle_party"] = bool(row["has_idle_party"])
        for name in DATE_FIELDS:  # SQLite answers dates as text through a bare cursor
            if isinstance(row[name], str):
                row[name] = datetime.date.fromisoformat(row[name])
    return _normalised(rows)


def _normalised(rows) -> dict[int, dict]:
    found = {}
    for row in rows:
        pk = row.pop("pk")
        row["perceived_count"] = row["perceived_count"] or 0
        row["levels_dated_until"] = row["levels_dated_until"] or datetime.date.min
        found[pk] = {name: row[name] for name in STATE_FIELDS}
    return found


def states_from_logs(ids: Iterable[int]) -> dict[int, dict]:
    """Each existing partnership's state, recomputed from its logs (one query)."""
    ids = list(ids)
    if len(ids) == 1:
        return _one_state(ids[0])
    return _normalised(_states_query(Q(pk__in=ids)))


def _concerns(ids: list[int]) -> list[dict]:
    """Every concern of these partnerships with its two latest checks (one query)."""
    checks = ConcernCheck.objects.filter(concern=OuterRef("pk")).order_by("-checked_on", "-pk")
    return list(
        Concern.objects.filter(partnership_id__in=ids)
        .annotate(
            last=Subquery(checks.values("intensity")[:1]),
            last_on=Subquery(checks.values("checked_on")[:1]),
            before=Subquery(checks.values("intensity")[1:2]),
        )
        .values(
            "pk",
            "partnership_id",
            "kind",
            "category",
            "status",
            "visibility",
            "raised_by__organisation_id",
            "created_at",
            "last",
            "last_on",
            "before",
        )
    )


def concern_states_from_logs(concerns: list[dict]) -> dict[int, dict]:
    """Each concern's latest checks, from the rows ``_concerns`` read."""
    return {
        c["pk"]: {
            "partnership_id": c["partnership_id"],
            "latest_intensity": c["last"],
            "latest_checked_on": c["last_on"],
            "previous_intensity": c["before"],
            "rated_on": c["last_on"] or timezone.localdate(c["created_at"]),
        }
        for c in concerns
    }


def views_from_logs(
    ids: Iterable[int],
    concerns: list[dict] | None = None,
    viewers: dict[int, set[int]] | None = None,
) -> dict:
    """For each partnership and each organisation that joined it, the counts of the open
    concerns that organisation sees (two queries; one when ``concerns`` were read)."""
    ids = list(ids)
    if concerns is None:
        concerns = _concerns(ids)
    viewers = _viewers(ids) if viewers is None else viewers
    open_concerns = defaultdict(list)
    for concern in concerns:
        if concern["status"] != ConcernStatus.RESOLVED:
            open_concerns[concern["partnership_id"]].append(concern)
    found = {}
    for partnership_id, organisations in viewers.items():
        for organisation_id in organisations:
            seen = [
                c
                for c in open_concerns[partnership_id]
                if sees_concern(organisation_id, c["visibility"], c["raised_by__organisation_id"])
            ]
            high = [c for c in seen if c["last"] is not None and c["last"] >= HIGH_INTENSITY]
            found[(partnership_id, organisation_id)] = {
                "high_concerns": len(high),
                "stuck_concerns": sum(
                    1
                    for c in high
                    if c["before"] is not None
                    and c["before"] >= HIGH_INTENSITY
                    and c["last"] >= c["before"]
                ),
                "power_fear_open": any(
                    c["kind"] == ConcernKind.FEAR and c["category"] == FearCategory.POWER
                    for c in seen
                ),
            }
    return found


MONTH_KEY = ("partnership_id", "organisation_id", "month", "kind", "category")


def concern_months_from_logs(
    ids: list[int], concerns: list[dict], viewers: dict[int, set[int]]
) -> dict[tuple, list[int]]:
    """Each partnership's checks added up by month and category, for every organisation that
    sees the concern checked (one query): ``{(partnership, organisation, month, kind,
    category): [total, checks]}``."""
    by_pk = {c["pk"]: c for c in concerns}
    found: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        ConcernCheck.objects.filter(concern__partnership_id__in=ids)
        .annotate(month=MonthStart("checked_on"))
        .order_by()
        .values("concern_id", "month")
        .annotate(total=Sum("intensity"), n=Count("pk"))
    )
    for row in rows:
        concern = by_pk[row["concern_id"]]
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        for organisation_id in viewers[concern["partnership_id"]]:
            if not sees_concern(
                organisation_id, concern["visibility"], concern["raised_by__organisation_id"]
            ):
                continue
            key = (
                concern["partnership_id"],
                organisation_id,
                month,
                concern["kind"],
                concern["category"],
            )
            found[key][0] += row["total"]
            found[key][1] += row["n"]
    return dict(found)


def _stored_months(ids: list[int]) -> dict[tuple, list[int]]:
    return {
        row[:5]: list(row[5:])
        for row in PartnershipConcernMonth.objects.filter(partnership_id__in=ids).values_list(
            *MONTH_KEY, "total", "checks"
        )
    }


def _add_to_organisations(old: dict[tuple, list[int]], new: dict[tuple, list[int]]) -> None:
    """Move the organisations' monthly roll-ups by what changed between the shares."""
    rollups.move_roll_up(ConcernMonth, ("organisation_id", "month", "kind", "category"), old, new)


def _viewers(ids: list[int]) -> dict[int, set[int]]:
    viewers = defaultdict(set)
    for partnership_id, organisation_id in Party.objects.filter(
        joined(), partnership_id__in=ids
    ).values_list("partnership_id", "organisation_id"):
        viewers[partnership_id].add(organisation_id)
    return viewers


def partnership_removed(partnership_id: int) -> None:
    """Before a partnership is deleted: take its share out of the organisations' roll-ups
    (its own rows go with it)."""
    _add_to_organisations(_stored_months([partnership_id]), {})
    rollups.removed(partnership_id)


# What a write can change: the partnership's own state (levels, gaps, agreement, commitments,
# parties), what its concerns add up to for each organisation that sees them, or what each
# organisation taking part should do (``services.todo_state``); a party's arrival or departure
# changes all three.
STATE, CONCERNS = "state", "concerns"


def todo(*names: str) -> frozenset[str]:
    """The parts of the to-do given by these builders (``todo_state.BUILDERS``)."""
    return frozenset(f"todo:{name}" for name in names)


TODO = todo(*todo_state.BUILDERS)
EVERYTHING = frozenset({STATE, CONCERNS}) | TODO

# Inside ``deferred()``: the partnerships the writes changed, and which parts, refreshed once
# at its end (None outside).
_pending: contextvars.ContextVar[dict[int, set[str]] | None] = contextvars.ContextVar(
    "read_model_pending", default=None
)


# Inside ``deferred()``: the partnerships whose parties changed and the organisations to
# recompute the partners of (``services.partner_links``), at its end (None outside).
_pending_partners: contextvars.ContextVar[tuple[set[int], set[int]] | None] = (
    contextvars.ContextVar("read_model_pending_partners", default=None)
)


def partners_changed(
    partnership_ids: Iterable[int] = (), organisation_ids: Iterable[int] = ()
) -> None:
    """A party of these partnerships changed (or these organisations lost one): recompute the
    partners of every organisation concerned, now or at the end of ``deferred()``."""
    pending = _pending_partners.get()
    if pending is None:
        _refresh_partners(set(partnership_ids), set(organisation_ids))
        return
    pending[0].update(partnership_ids)
    pending[1].update(organisation_ids)


def _refresh_partners(partnership_ids: set[int], organisation_ids: set[int]) -> None:
    partner_links.refresh(organisation_ids | partner_links.organisations_of(partnership_ids))


def changed(ids: Iterable[int], parts: frozenset[str] = EVERYTHING) -> None:
    """A write changed these partnerships' logs: refresh those parts of their read model now,
    or at the end of the ``deferred()`` block this runs in."""
    pending = _pending.get()
    if pending is None:
        refresh(ids, parts=parts)
        return
    for partnership_id in ids:
        pending.setdefault(partnership_id, set()).update(parts)


def flush() -> None:
    """Refresh what a ``deferred()`` block has gathered so far (the read-model querysets call
    it before they read, so nothing reads a state its own transaction made stale)."""
    partners = _pending_partners.get()
    if partners and (partners[0] or partners[1]):
        _refresh_partners(set(partners[0]), set(partners[1]))
        partners[0].clear()
        partners[1].clear()
    pending = _pending.get()
    if not pending:
        return
    by_parts: dict[frozenset[str], list[int]] = defaultdict(list)
    for partnership_id, parts in pending.items():
        by_parts[frozenset(parts)].append(partnership_id)
    pending.clear()
    for parts, ids in by_parts.items():
        refresh(ids, parts=parts)


@contextmanager
def deferred():
    """Gather the refreshes of many writes and run them once, at the end of the block (a
    seed, an import): each partnership is recomputed once rather than after every record.
    Run it inside the writes' transaction, so the end still lands with them."""
    if _pending.get() is not None:  # nested: the outer block refreshes
        yield
        return
    token = _pending.set({})
    partners_token = _pending_partners.set((set(), set()))
    try:
        yield
        flush()
    finally:
        _pending.reset(token)
        _pending_partners.reset(partners_token)


def refresh(
    ids: Iterable[int], *, parts: frozenset[str] = EVERYTHING, months_later: bool = False
) -> None:
    """Recompute and store the read model of these partnerships (those that still exist):
    ``parts`` says which (``STATE``: two queries; ``CONCERNS``: the concerns' rows, what each
    organisation sees and the monthly roll-ups; ``todo(…)``: to-do entries, after the
    concerns' rows they read).

    ``months_later``: leave the monthly roll-ups to the caller (``rebuild`` sums them once)."""
    ids = sorted(set(ids))
    if not ids:
        return
    if STATE in parts:
        states = states_from_logs(ids)
        if not states:
            return
        PartnershipState.objects.bulk_create(
            [PartnershipState(partnership_id=pk, **values) for pk, values in states.items()],
            update_conflicts=True,
            unique_fields=["partnership"],
            update_fields=[*STATE_FIELDS, "updated_at"],
        )
        ids = list(states)
    if CONCERNS in parts:
        _refresh_concerns(ids, months_later=months_later)
    todo_state.refresh(ids, [part.removeprefix("todo:") for part in parts & TODO])


def _refresh_concerns(ids: list[int], *, months_later: bool) -> None:
    """The concerns' rows, the counts each organisation sees and the monthly roll-ups (a
    partnership deleted meanwhile has no concerns and no viewers: its rows only go)."""
    concerns = _concerns(ids)
    ConcernState.objects.filter(partnership_id__in=ids).exclude(
        concern_id__in=[c["pk"] for c in concerns]
    ).delete()
    if concerns:
        ConcernState.objects.bulk_create(
            [
                ConcernState(concern_id=pk, **values)
                for pk, values in concern_states_from_logs(concerns).items()
            ],
            update_conflicts=True,
            unique_fields=["concern"],
            update_fields=list(CONCERN_FIELDS),
        )
    viewers = _viewers(ids)
    views = views_from_logs(ids, concerns, viewers)
    if not months_later:
        old_months = _stored_months(ids)
        new_months = concern_months_from_logs(ids, concerns, viewers)
        if old_months != new_months:
            PartnershipConcernMonth.objects.filter(partnership_id__in=ids).delete()
            PartnershipConcernMonth.objects.bulk_create(
                [
                    PartnershipConcernMonth(
                        **dict(zip(MONTH_KEY, key, strict=True)), total=total, checks=checks
                    )
                    for key, (total, checks) in new_months.items()
                ]
            )
            _add_to_organisations(old_months, new_months)
    stale = Q()
    for partnership_id in ids:
        keep = [o for (p, o) in views if p == partnership_id]
        stale |= Q(partnership_id=partnership_id) & ~Q(organisation_id__in=keep)
    PartnershipView.objects.filter(stale).delete()
    if views:
        PartnershipView.objects.bulk_create(
            [
                PartnershipView(partnership_id=p, organisation_id=o, **values)
                for (p, o), values in views.items()
            ],
            update_conflicts=True,
            unique_fields=["organisation", "partnership"],
            update_fields=list(VIEW_FIELDS),
        )
    rollups.refresh(ids)


def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def rebuild() -> int:
    """Recompute every partnership's rows from the logs; the number of partnerships."""
    ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True))
    PartnershipConcernMonth.objects.all().delete()
    rollups.clear()  # each batch's refresh writes its partnerships' roll-ups again
    for batch in _batches(ids):
        refresh(batch, months_later=True)
        viewers = _viewers(batch)
        shares = concern_months_from_logs(batch, _concerns(batch), viewers)
        PartnershipConcernMonth.objects.bulk_create(
            [
                PartnershipConcernMonth(
                    **dict(zip(MONTH_KEY, key, strict=True)), total=total, checks=checks
                )
                for key, (total, checks) in shares.items()
            ],
            batch_size=BATCH,
        )
    PartnershipView.objects.exclude(partnership_id__in=Partnership.objects.values("pk")).delete()
    partner_links.refresh(
        Party.objects.order_by().values_list("organisation_id", flat=True).distinct()
    )
    PartnerLink.objects.exclude(
        organisation_id__in=Party.objects.values("organisation_id")
    ).delete()
    ConcernMonth.objects.all().delete()
    ConcernMonth.objects.bulk_create(
        [
            ConcernMonth(**row)
            for row in PartnershipConcernMonth.objects.order_by()
            .values("organisation_id", "month", "kind", "category")
            .annotate(total=Sum("total"), checks=Sum("checks"))
        ],
        batch_size=BATCH,
    )
    return len(ids)


def drift(ids: Iterable[int] | None = None) -> list[str]:
    """Where the stored read model differs from a recomputation (nothing written): one line a
    difference, empty when they agree. Every partnership unless ``ids`` is given."""
    if ids is None:
        ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True))
    ids = list(ids)
    found: list[str] = []
    for batch in _batches(ids):
        expected = states_from_logs(batch)
        stored = {
            row.pop("partnership_id"): row
            for row in PartnershipState.objects.filter(partnership_id__in=batch).values(
                "partnership_id", *STATE_FIELDS
            )
        }
        for pk, values in expected.items():
            if stored.get(pk) != values:
                found.append(f"partnership {pk}: stored {stored.get(pk)}, logs say {values}")
        concerns = _concerns(list(expected))
        expected_concerns = concern_states_from_logs(concerns)
        stored_concerns = {
            row.pop("concern_id"): row
            for row in ConcernState.objects.filter(partnership_id__in=batch).values(
                "concern_id", *CONCERN_FIELDS
            )
        }
        for key in expected_concerns.keys() | stored_concerns.keys():
            if expected_concerns.get(key) != stored_concerns.get(key):
                found.append(
                    f"concern {key}: stored {stored_concerns.get(key)}, "
                    f"logs say {expected_concerns.get(key)}"
                )
        viewers = _viewers(list(expected))
        expected_months = concern_months_from_logs(list(expected), concerns, viewers)
        stored_months = _stored_months(list(expected))
        if expected_months != stored_months:
            found.append(
                f"monthly checks of partnerships {sorted({k[0] for k in expected_months})}: "
                f"stored {sorted(stored_months.items())}, "
                f"logs say {sorted(expected_months.items())}"
            )
        found += rollups.drift(expected)
        organisations = {key[1] for key in expected_views_keys(viewers)}
        found += _roll_up_drift(organisations)
        expected_views = views_from_logs(expected, concerns, viewers)
        stored_views = {
            (row.pop("partnership_id"), row.pop("organisation_id")): row
            for row in PartnershipView.objects.filter(partnership_id__in=batch).values(
                "partnership_id", "organisation_id", *VIEW_FIELDS
            )
        }
        for key in expected_views.keys() | stored_views.keys():
            if expected_views.get(key) != stored_views.get(key):
                found.append(
                    f"partnership {key[0]} as organisation {key[1]} sees it: "
                    f"stored {stored_views.get(key)}, logs say {expected_views.get(key)}"
                )
        found += todo_state.drift(list(expected))
        found += partner_links.drift(partner_links.organisations_of(batch))
    return found


def expected_views_keys(viewers: dict[int, set[int]]):
    return [(p, o) for p, organisations in viewers.items() for o in organisations]


def _roll_up_drift(organisations: set[int]) -> list[str]:
    """Where an organisation's monthly roll-up differs from the sum of its shares."""
    summed = {
        row[:4]: list(row[4:])
        for row in PartnershipConcernMonth.objects.filter(organisation_id__in=organisations)
        .order_by()
        .values_list("organisation_id", "month", "kind", "category")
        .annotate(total=Sum("total"), checks=Sum("checks"))
    }
    stored = {
        row[:4]: list(row[4:])
        for row in ConcernMonth.objects.filter(organisation_id__in=organisations)
        .exclude(total=0, checks=0)
        .values_list("organisation_id", "month", "kind", "category", "total", "checks")
    }
    return [
        f"monthly checks of organisation {key[0]} in {key[1]} ({key[3]}): "
        f"stored {stored.get(key)}, its partnerships add up to {summed.get(key)}"
        for key in summed.keys() | stored.keys()
        if summed.get(key) != stored.get(key)
    ]


def check_sample(size: int = 200) -> list[str]:
    """The daily check: recompute a random sample of partnerships and log any drift."""
    ids = list(Partnership.objects.values_list("pk", flat=True))
    sample = random.sample(ids, min(size, len(ids)))
    found = drift(sample)
    for line in found:
        logger.error("read model drift: %s", line)
    return found
