"""The platform's network for staff: every organisation and who it partners with, over a
period, aggregated by system so that a network of thousands of partnerships stays readable.

Three queries whatever the size: the partnerships selected (with the level agreed at the end
of the period: the read model's for a period ending today), the accepted parties that took
part in the period, and the organisations with their parents. The graph of organisations (one
edge per pair of parties, weighted by their partnerships) is what the GraphML and CSV files
hold, built only for them; the drawing and the tables group the parties by system.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from partnerships.choices import AssessmentKind, Scope
from partnerships.models.querysets import latest_level
from partnerships.policy import joined, took_part_between_q
from partnerships.reads.network import systems_of
from partnerships.reads.tables import write_csv


@dataclass
class SystemNode:
    key: str
    name: str
    organisations: set[int] = field(default_factory=set)
    partnerships: set[int] = field(default_factory=set)
    internal: set[int] = field(default_factory=set)


@dataclass
class SystemLink:
    source: str
    target: str
    source_name: str = ""
    target_name: str = ""
    partnerships: set[int] = field(default_factory=set)
    levels: list[int] = field(default_factory=list)

    @property
    def mean_level(self) -> float | None:
        return round(sum(self.levels) / len(self.levels), 1) if self.levels else None


@dataclass
class PlatformNetwork:
    organisations: dict[str, dict]  # by slug: label, kind, system, system_name
    pairs: dict[tuple[str, str], list[int]]  # (slug, slug): [partnerships, internal ones]
    systems: list[SystemNode]
    links: list[SystemLink]
    partnership_count: int
    level_counts: Counter

    @property
    def graph(self) -> nx.Graph:
        """The organisations, two joined by their partnerships together (built for the files
        only: the page needs the systems)."""
        graph = nx.Graph()
        for slug, data in self.organisations.items():
            graph.add_node(slug, **data)
        for (a, b), (count, internal) in self.pairs.items():
            graph.add_edge(a, b, partnerships=count, internal=internal)
        return graph


def in_period(start: datetime.date, end: datetime.date) -> Q:
    """Partnerships that ran on at least one day of the period (by their dates)."""
    return (Q(starts_on__isnull=True) | Q(starts_on__lte=end)) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )


def platform_network(
    partnerships: QuerySet,
    start: datetime.date,
    end: datetime.date,
    *,
    level: int | None = None,
    system: str = "",
    files: bool = False,
) -> PlatformNetwork:
    """The network of ``partnerships`` over the period; ``level`` keeps those agreed at that
    level at the period's end, ``system`` those with a party in that system (by root slug).
    The graph of organisations (``organisations`` and ``pairs``) is built only with ``files``:
    the page shows the systems, and the pairs of thousands of partnerships cost it the most."""
    from organisations.models import Organisation
    from partnerships.models import Party

    # Only the agreed level: the gaps' subqueries would cost more than the whole rest. A period
    # ending today reads it from the read model, an earlier end from the log.
    if end >= timezone.localdate():
        agreed = F("state__agreed_level")
    else:
        agreed = latest_level(AssessmentKind.AGREED, end)
    selected = partnerships.filter(in_period(start, end)).annotate(agreed_level=agreed)
    if level:
        selected = selected.filter(agreed_level=level)
    rows = {
        pk: (scope, agreed_level)
        for pk, scope, agreed_level in selected.order_by().values_list(
            "pk", "scope", "agreed_level"
        )
    }
    # Every party of the period, those of partnerships not selected left out here: a scan of
    # the parties costs less than looking each selected partnership's up (5,000 of them).
    parties = (
        Party.objects.filter(joined(), took_part_between_q(start, end))
        .order_by("partnership_id", "organisation_id")
        .values_list("partnership_id", "organisation_id")
    )
    by_partnership: dict[int, list[int]] = defaultdict(list)
    for partnership, organisation in parties:
        if partnership in rows:
            by_partnership[partnership].append(organisation)
    organisations = list(
        Organisation.objects.order_by().values_list("pk", "parent_id", "slug", "name", "kind")
    )
    found = systems_of([row[:4] for row in organisations])
    kinds = {row[0]: row[4] for row in organisations}
    if system:
        by_partnership = {
            pk: members
            for pk, members in by_partnership.items()
            if any((found[m][2] or found[m][0]) == system for m in members)
        }

    nodes: dict[str, dict] = {}
    pairs: dict[tuple[str, str], list[int]] = {}
    # Each organisation's system once (its root's slug, or its own outside any system); the
    # loop below runs once a partnership and gathers ids only (thousands of partnerships).
    key_of = {pk: root or slug for pk, (slug, _name, root, _root_name) in found.items()}
    seen: set[int] = set()
    partnerships_of: dict[str, set[int]] = defaultdict(set)
    internal_of: dict[str, set[int]] = defaultdict(set)
    linked: dict[tuple[str, str], set[int]] = defaultdict(set)
    linked_levels: dict[tuple[str, str], list[int]] = defaultdict(list)
    agreed_levels = []
    for pk, members in by_partnership.items():
        scope, agreed_level = rows[pk]
        agreed_levels.append(agreed_level)
        seen.update(members)
        keys = {key_of[member] for member in members}
        for key in keys:
            partnerships_of[key].add(pk)
        if len(keys) == 1:
            if len(members) > 1:
                internal_of[key].add(pk)
        else:
            for pair in combinations(sorted(keys), 2):
                linked[pair].add(pk)
                if agreed_level:
                    linked_levels[pair].append(agreed_level)
        if files:
            _add_pairs(nodes, pairs, members, found, kinds, scope == Scope.INTERNAL)
    systems: dict[str, SystemNode] = {}
    for member in seen:
        key = key_of[member]
        if key not in systems:
            systems[key] = SystemNode(
                key, found[member][3], partnerships=partnerships_of[key], internal=internal_of[key]
            )
        systems[key].organisations.add(member)
    links = {
        (source, target): SystemLink(
            source,
            target,
            systems[source].name,
            systems[target].name,
            partnerships,
            linked_levels[source, target],
        )
        for (source, target), partnerships in linked.items()
    }
    level_counts = Counter(agreed_levels)
    ordered_systems = sorted(systems.values(), key=lambda s: (-len(s.partnerships), s.name))
    return PlatformNetwork(
        nodes,
        pairs,
        ordered_systems,
        sorted(links.values(), key=lambda link: (-len(link.partnerships), link.source)),
        len(by_partnership),
        level_counts,
    )


def _add_pairs(nodes, pairs, members, found, kinds, internal: bool) -> None:
    """The organisations of one partnership into the graph of organisations (for the files)."""
    for member in members:
        slug, name, root, root_name = found[member]
        if slug not in nodes:
            nodes[slug] = {
                "label": name,
                "kind": kinds[member],
                "system": root or "",
                "system_name": root_name,
            }
    for first, second in combinations(sorted(members), 2):
        pair = pairs.setdefault(tuple(sorted((found[first][0], found[second][0]))), [0, 0])
        pair[0] += 1
        pair[1] += internal


def graphml(network: PlatformNetwork) -> bytes:
    """The graph of organisations as GraphML (Gephi, yEd, Cytoscape…)."""
    return "\n".join(nx.generate_graphml(network.graph)).encode("utf-8")


def nodes_csv(network: PlatformNetwork) -> str:
    degree = Counter()
    for a, b in network.pairs:
        degree[a] += 1
        degree[b] += 1
    buffer = io.StringIO()
    write_csv(
        ["id", "label", "kind", "system", "system_name", "partners"],
        (
            [slug, d["label"], d["kind"], d["system"], d["system_name"], degree[slug]]
            for slug, d in sorted(network.organisations.items())
        ),
        buffer,
    )
    return buffer.getvalue()


def edges_csv(network: PlatformNetwork) -> str:
    buffer = io.StringIO()
    write_csv(
        ["source", "target", "partnerships", "internal"],
        ([a, b, count, internal] for (a, b), (count, internal) in sorted(network.pairs.items())),
        buffer,
    )
    return buffer.getvalue()
