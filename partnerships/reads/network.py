"""An organisation's network at a date: who it partners with, at which level, as it stood then.

Read from the records, not from today's state projected back: a partnership shows from its
start (or, without one, its creation) to its end, a party from the day it joined to the day it
left, and each edge carries the level agreed as logged on that day (``with_levels(as_of=…)``).

Only what the organisation may see: the partnerships it is an accepted party to (it reads them),
the other accepted parties of each, and the perception gap computed from revealed ratings only
(the same for every party; a sealed rating never counts). Partnerships between two of its
partners that it is not party to never show.

Three queries whatever the size: the parties of its partnerships, the partnerships with today's
levels (from the read model), and the organisations' parents (to group the nodes by system); a
past day adds a fourth, the levels as logged then.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx
from django.db.models import IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext

from core.dates import add_months
from partnerships.choices import Level, Scope
from partnerships.policy import joined, took_part_on

if TYPE_CHECKING:
    from organisations.models import Organisation

# A perception gap of this many steps or more is marked on the edge (see the design).
GAP_MARKED = 2
# How far back the month control reaches.
YEARS_BACK = 5
# Radii of the drawing (the SVG's view box is centred on 0, 0).
RING = 300.0
RING_STEP = 70.0
PER_RING = 36


@dataclass
class Node:
    pk: int
    slug: str
    name: str
    system: str | None  # the root organisation's slug, None outside any system
    system_name: str
    centre: bool = False
    x: float = 0.0
    y: float = 0.0


@dataclass
class Edge:
    source: str
    target: str
    partnership: int
    title: str
    level: int | None
    scope: str
    perception_gap: int | None
    since: datetime.date | None
    url: str = ""  # the partnership's workspace, filled by the page

    @property
    def internal(self) -> bool:
        return self.scope == Scope.INTERNAL

    @property
    def gap_marked(self) -> bool:
        return self.perception_gap is not None and self.perception_gap >= GAP_MARKED

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""


@dataclass
class PartnerRow:
    """One line of the table below the map."""

    node: Node
    edges: list[Edge] = field(default_factory=list)

    @property
    def since(self) -> datetime.date | None:
        days = [edge.since for edge in self.edges if edge.since]
        return min(days) if days else None

    @property
    def levels(self) -> list[str]:
        return sorted({edge.level_label for edge in self.edges if edge.level}, key=str)


@dataclass
class Network:
    organisation: Organisation
    at: datetime.date
    nodes: list[Node]
    edges: list[Edge]
    # Every node the organisation had over the whole period, placed once (see ``layout``).
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    unit_ids: frozenset[int] = frozenset()
    node_pks: dict[str, int] = field(default_factory=dict)
    first: datetime.date | None = None  # when its first partnership started

    @property
    def centre(self) -> Node:
        return next(node for node in self.nodes if node.centre)

    @property
    def partners(self) -> list[Node]:
        return [node for node in self.nodes if not node.centre]

    def rows(self) -> list[PartnerRow]:
        by_slug = {node.slug: PartnerRow(node) for node in self.partners}
        for edge in self.edges:
            by_slug[edge.target].edges.append(edge)
        return sorted(by_slug.values(), key=lambda row: (row.node.system_name, row.node.name))

    def systems(self) -> list[tuple[str, list[Node]]]:
        """The partners grouped by system, in the order of the drawing."""
        groups: dict[str, list[Node]] = defaultdict(list)
        for node in self.partners:
            groups[node.system_name].append(node)
        return sorted(groups.items())

    # --- Measures ---------------------------------------------------------------------------
    def partnership_ids(self) -> set[int]:
        return {edge.partnership for edge in self.edges}

    def level_shares(self) -> list[tuple[str, int, int]]:
        """(level name, partnerships, percent) for each level, then those with none agreed."""
        levels: dict[int, int | None] = {edge.partnership: edge.level for edge in self.edges}
        counts = Counter(levels.values())
        total = len(levels) or 1
        rows = [
            (label, counts[value], round(100 * counts[value] / total))
            for value, label in Level.choices
            if counts[value]
        ]
        if counts[None]:
            rows.append(
                (gettext("No level agreed"), counts[None], round(100 * counts[None] / total))
            )
        return rows

    def reached_through_units(self) -> int:
        """Partners met in partnerships where one of the organisation's own units takes part."""
        slugs_of_units = {slug for slug, pk in self.node_pks.items() if pk in self.unit_ids}
        with_units = {e.partnership for e in self.edges if e.target in slugs_of_units}
        return len(
            {
                e.target
                for e in self.edges
                if e.partnership in with_units and e.target not in slugs_of_units
            }
        )

    def graph(self) -> nx.Graph:
        """The partners, each linked to the organisation, and two partners linked when they
        take part together in one of its partnerships (which it sees, being a party)."""
        graph = nx.Graph()
        for node in self.nodes:
            graph.add_node(node.slug, label=node.name, system=node.system or "")
        parties: dict[int, set[str]] = defaultdict(set)
        for edge in self.edges:
            parties[edge.partnership].add(edge.target)
            weight = graph.get_edge_data(edge.source, edge.target, {}).get("weight", 0)
            graph.add_edge(edge.source, edge.target, weight=weight + 1)
        for members in parties.values():
            ordered = sorted(members)
            for i, first in enumerate(ordered):
                for second in ordered[i + 1 :]:
                    graph.add_edge(first, second, weight=1)
        return graph

    def central_partners(self, count: int = 5) -> list[tuple[Node, int, int]]:
        """(partner, partnerships with the organisation, other partners met in them), the most
        connected first: those that hold the organisation's network together.

        The same figures as ``graph()`` gives (the weight of the edge to the organisation, the
        degree less that edge), counted from the edges directly: building the graph cost a
        large network's page more than the rest of its measures."""
        shared: Counter = Counter()
        parties: dict[int, set[str]] = defaultdict(set)
        for edge in self.edges:
            shared[edge.target] += 1
            parties[edge.partnership].add(edge.target)
        met: dict[str, set[str]] = defaultdict(set)
        for members in parties.values():
            if len(members) > 1:
                for member in members:
                    met[member].update(members)
        ranked = [
            (node, shared[node.slug], len(met[node.slug] - {node.slug})) for node in self.partners
        ]
        ranked.sort(key=lambda item: (-item[1] - item[2], item[0].name))
        return ranked[:count]


@dataclass(frozen=True)
class _Record:
    """What the map needs of one of the organisation's partnerships."""

    title: str
    scope: str
    starts: datetime.date  # its start date or, without one, the day it was created
    ends_on: datetime.date | None

    def ran_on(self, day: datetime.date) -> bool:
        return self.starts <= day and (self.ends_on is None or self.ends_on >= day)


def _present(record: _Record, joined_on, left_on, day: datetime.date) -> bool:
    """Whether a party (its dates, in the partnership ``record``) was in it on ``day``."""
    return record.ran_on(day) and took_part_on(joined_on, left_on, day)


def _since(record: _Record, joined_on) -> datetime.date:
    return max(record.starts, joined_on) if joined_on else record.starts


def first_rows(rows: list[PartnerRow], partners: int, partnerships: int) -> list[PartnerRow]:
    """The first rows of the table, up to ``partners`` partners and about ``partnerships``
    partnerships listed (the row that crosses that line is shown whole; one at least)."""
    shown, listed = [], 0
    for row in rows[:partners]:
        if shown and listed + len(row.edges) > partnerships:
            break
        shown.append(row)
        listed += len(row.edges)
    return shown


def systems_of(rows) -> dict[int, tuple[str, str, str | None, str]]:
    """For each organisation id (from rows of pk, parent id, slug, name): its slug, its name,
    its system's slug (None outside any system) and the system's name (its own name when it
    belongs to none)."""
    parents = {row[0]: row[1] for row in rows}
    names = {row[0]: (row[2], row[3]) for row in rows}
    has_units = {parent for parent in parents.values() if parent}
    found = {}
    for pk in parents:
        root, seen = pk, set()
        while parents.get(root) and root not in seen:
            seen.add(root)
            root = parents[root]
        slug, name = names[pk]
        if root == pk and pk not in has_units:
            found[pk] = (slug, name, None, name)
        else:
            found[pk] = (slug, name, *names[root])
    return found


def units_of(rows, organisation_id: int) -> frozenset[int]:
    """Ids of the organisation's units, at any depth below it."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent, *_rest in rows:
        if parent:
            children[parent].append(pk)
    found, todo = set(), [organisation_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def layout(order: list[tuple[str, str, str]], centre: str) -> dict[str, tuple[float, float]]:
    """A fixed radial layout: the organisation at the centre, its partners of the whole period
    on rings around it, one sector per system, in a stable order (system, then name, then
    slug). A partner keeps its place from one month to the next whatever else appears."""
    positions = {centre: (0.0, 0.0)}
    ordered = sorted(order)
    count = len(ordered)
    rings = max(1, math.ceil(count / PER_RING))
    for index, (_system, _name, slug) in enumerate(ordered):
        angle = 2 * math.pi * index / max(count, 1) - math.pi / 2
        radius = RING + RING_STEP * (index % rings)
        positions[slug] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))
    return positions


def months(today: datetime.date, first: datetime.date | None) -> list[datetime.date]:
    """The month control's dates: the last day of each month from the first partnership (at
    most ``YEARS_BACK`` years back) to today (the current month's date is today)."""
    earliest = add_months(today, -12 * YEARS_BACK)
    start = max(first or today, earliest).replace(day=1)
    dates = []
    month = start
    while month <= today:
        end = add_months(month, 1) - datetime.timedelta(days=1)
        dates.append(min(end, today))
        month = add_months(month, 1)
    return dates


def _partnerships(visible, today: datetime.date | None):
    """Each partnership's record and, with ``today``, its levels from the read model (a past
    day's come from the log, for the partnerships present then only)."""
    records: dict[int, _Record] = {}
    levels: dict[int, tuple[int | None, int | None]] = {}
    partnerships = visible.order_by()
    if today:
        partnerships = partnerships.with_levels()
    else:
        partnerships = partnerships.annotate(
            agreed_level=Value(None, IntegerField()), perception_gap=Value(None, IntegerField())
        )
    for pk, title, scope, starts_on, ends_on, created_at, agreed, gap in partnerships.values_list(
        "pk",
        "title",
        "scope",
        "starts_on",
        "ends_on",
        "created_at",
        "agreed_level",
        "perception_gap",
    ):
        records[pk] = _Record(title, scope, starts_on or timezone.localdate(created_at), ends_on)
        levels[pk] = (agreed, gap)
    return records, levels


def network_at(organisation: Organisation, at: datetime.date | None = None) -> Network:
    """The organisation's network on day ``at`` (today by default); see the module."""
    from organisations.models import Organisation as OrganisationModel
    from partnerships.models import Partnership, Party

    today = timezone.localdate()
    at = at or today
    visible = Partnership.objects.for_organisation(organisation)
    # The parties with their dates only, the partnerships once each (a large network has
    # thousands of party rows: joining the partnership's columns to each cost more than the
    # rest of the page).
    parties = list(
        Party.objects.filter(joined(), partnership__in=visible)
        .order_by("partnership_id", "pk")
        .values_list("partnership_id", "organisation_id", "joined_on", "left_on")
    )
    records, levels = _partnerships(visible, today if at >= today else None)
    own = {
        partnership: (joined_on, left_on)
        for partnership, member, joined_on, left_on in parties
        if member == organisation.pk and partnership in records
    }
    present = {pk for pk, dates in own.items() if _present(records[pk], *dates, at)}
    if present and at < today:  # a past day's levels are recomputed from the log
        levels = {
            pk: (agreed, gap)
            for pk, agreed, gap in visible.filter(pk__in=present)
            .with_levels(as_of=at)
            .order_by()
            .values_list("pk", "agreed_level", "perception_gap")
        }
    organisations = list(
        OrganisationModel.objects.order_by().values_list("pk", "parent_id", "slug", "name")
    )
    found = systems_of(organisations)

    def node(pk: int, centre: bool = False) -> Node:
        slug, name, system, system_name = found[pk]
        return Node(pk, slug, name, system, system_name, centre=centre)

    ever: dict[int, Node] = {organisation.pk: node(organisation.pk, centre=True)}
    on_day: set[int] = {organisation.pk}
    edges: list[Edge] = []
    for partnership, member, joined_on, left_on in parties:
        if partnership not in own or member == organisation.pk:
            continue
        if member not in ever:
            ever[member] = node(member)
        record = records[partnership]
        if partnership not in present or not _present(record, joined_on, left_on, at):
            continue
        on_day.add(member)
        agreed, gap = levels.get(partnership, (None, None))
        edges.append(
            Edge(
                source=organisation.slug,
                target=found[member][0],
                partnership=partnership,
                title=record.title,
                level=agreed,
                scope=record.scope,
                perception_gap=gap,
                since=max(_since(record, joined_on), _since(record, own[partnership][0])),
            )
        )
    positions = layout(
        [(n.system_name, n.name, n.slug) for n in ever.values() if not n.centre], organisation.slug
    )
    nodes = []
    for pk in sorted(on_day, key=lambda pk: (pk != organisation.pk, found[pk][1], pk)):
        shown = ever[pk]
        shown.x, shown.y = positions[shown.slug]
        nodes.append(shown)
    first = min((_since(records[pk], dates[0]) for pk, dates in own.items()), default=None)
    network = Network(
        organisation,
        at,
        nodes,
        edges,
        positions=positions,
        unit_ids=units_of(organisations, organisation.pk),
        node_pks={n.slug: n.pk for n in ever.values()},
        first=first,
    )
    return network
