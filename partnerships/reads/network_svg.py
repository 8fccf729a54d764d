"""The network map drawn as accessible SVG, inline in the page so that its links work.

Presentation attributes only (``stroke``, ``fill``…), never ``style``: the site's content
security policy forbids inline styles. Every node and edge is a link with a ``<title>``; the
whole drawing has a title and a description, and the page shows the same data as a table.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from partnerships.choices import Level
from partnerships.reads.network import Network

# One colour a level, light to dark: the closer the partnership, the darker and thicker.
LEVEL_COLOURS = {
    1: "#9ecae1",
    2: "#6baed6",
    3: "#4292c6",
    4: "#2171b5",
    5: "#08519c",
    6: "#08306b",
    7: "#54278f",
}
NO_LEVEL = "#8c8c8c"
GAP_COLOUR = "#b35806"
INTERNAL_DASH = "8 5"
NODE_RADIUS = 11
LABELS_UP_TO = 40  # beyond, the names are in each node's title and in the table


def level_names() -> dict[int, str]:
    """Each level's name, translated once: a large network has thousands of edges, and a lazy
    name is translated again each time it is written."""
    return {value: str(label) for value, label in Level.choices}


def width(level: int | None) -> float:
    return 1.5 + (level or 0) * 0.75


def legend() -> list[dict]:
    """The legend's entries: each level, no level agreed, internal, perception gap."""
    entries = [
        {"label": label, "colour": LEVEL_COLOURS[value], "width": width(value), "dash": ""}
        for value, label in Level.choices
    ]
    entries.append(
        {"label": gettext("No level agreed"), "colour": NO_LEVEL, "width": width(None), "dash": ""}
    )
    entries.append(
        {
            "label": gettext("Internal partnership (same system): dashed"),
            "colour": NO_LEVEL,
            "width": width(None),
            "dash": INTERNAL_DASH,
        }
    )
    return entries


def _box(network: Network) -> tuple[float, float, float, float]:
    xs = [x for x, _y in network.positions.values()] or [0.0]
    ys = [y for _x, y in network.positions.values()] or [0.0]
    margin = 90
    return (
        min(xs) - margin,
        min(ys) - margin,
        max(xs) - min(xs) + 2 * margin,
        max(ys) - min(ys) + 2 * margin,
    )


def draw(network: Network) -> SafeString:
    organisation = network.organisation
    slug = organisation.slug
    x0, y0, w, h = _box(network)
    font = round(max(13.0, w / 60), 1)  # the labels stay legible in a wide drawing
    when = date_format(network.at, "DATE_FORMAT")
    title = gettext("Network of %(name)s on %(date)s") % {"name": organisation.name, "date": when}
    desc = ngettext(
        "%(count)s partner in %(partnerships)s partnership; the table below the map holds the "
        "same data.",
        "%(count)s partners in %(partnerships)s partnerships; the table below the map holds the "
        "same data.",
        len(network.partners),
    ) % {"count": len(network.partners), "partnerships": len(network.partnership_ids())}
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="network-map" viewBox="{} {} {} {}" '
            'role="group" aria-labelledby="network-title network-desc">'
            '<title id="network-title">{}</title><desc id="network-desc">{}</desc>',
            round(x0),
            round(y0),
            round(w),
            round(h),
            title,
            desc,
        )
    ]
    positions = {node.slug: (node.x, node.y) for node in network.nodes}
    names = {node.slug: node.name for node in network.nodes}
    # Several partnerships with one partner: drawn as curves side by side.
    by_target = defaultdict(list)
    for edge in network.edges:
        by_target[edge.target].append(edge)
    parts.append('<g class="network-edges">')
    # Hundreds of edges: the words translated once, the address built once, plain escaping
    # (``html.escape``) rather than ``format_html`` for each piece.
    said = {
        "none": gettext("no level agreed"),
        "with": gettext("%(title)s with %(partner)s: %(level)s"),
        "internal": gettext("internal"),
        "gap": gettext("perception gap of %(gap)s steps"),
    }
    head, _zero, tail = reverse("partnerships:workspace", args=[slug, 0]).rpartition("/0/")
    workspace = head + "/{}/" + tail
    levels = level_names()
    # What every edge of one level (and scope) shares, written once.
    strokes = {
        (value, internal): f'fill="none" stroke="{LEVEL_COLOURS.get(value, NO_LEVEL)}" '
        f'stroke-width="{width(value)}" stroke-linecap="round"'
        + (f' stroke-dasharray="{INTERNAL_DASH}"' if internal else "")
        for value in [None, *levels]
        for internal in (False, True)
    }
    x1, y1 = positions[slug]
    for target, edges in by_target.items():
        x2, y2 = positions[target]
        length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1.0)
        nx_, ny_ = -(y2 - y1) / length, (x2 - x1) / length
        start, end = f"M{x1:.1f} {y1:.1f} Q", f" {x2:.1f} {y2:.1f}"
        partner = names.get(target, target)
        count = len(edges)
        for index, edge in enumerate(edges):
            offset = (index - (count - 1) / 2) * min(26.0, 160.0 / count)
            cx, cy = (x1 + x2) / 2 + nx_ * offset, (y1 + y2) / 2 + ny_ * offset
            internal = edge.internal
            label = said["with"] % {
                "title": edge.title,
                "partner": partner,
                "level": levels.get(edge.level) or said["none"],
            }
            if internal:
                label += " · " + said["internal"]
            gap = edge.gap_marked
            if gap:
                label += " · " + said["gap"] % {"gap": edge.perception_gap}
            label = html.escape(label)
            parts.append(
                f'<a href="{workspace.format(edge.partnership)}" aria-label="{label}" '
                f'class="network-edge"><path d="{start}{cx:.1f} {cy:.1f}{end}" '
                f"{strokes[edge.level, internal]}>"
                f"<title>{label}</title></path>"
            )
            if gap:
                # The curve's middle point: a quadratic Bézier at t = 1/2.
                mx = (x1 + 2 * cx + x2) / 4
                my = (y1 + 2 * cy + y2) / 4
                # An exclamation mark drawn, not written: a glyph would read as punctuation.
                parts.append(
                    f'<g class="network-gap"><circle cx="{mx:.1f}" cy="{my:.1f}" r="8" '
                    f'fill="#ffffff" stroke="{GAP_COLOUR}" stroke-width="2"/>'
                    f'<path d="M{mx:.1f} {my - 4.5:.1f}v5.5" stroke="{GAP_COLOUR}" '
                    f'stroke-width="2.2" stroke-linecap="round"/>'
                    f'<circle cx="{mx:.1f}" cy="{my + 4:.1f}" r="1.3" fill="{GAP_COLOUR}"/></g>'
                )
            parts.append("</a>")
    parts.append("</g>")
    labelled = len(network.partners) <= LABELS_UP_TO
    system_label = gettext("System: %(name)s")
    dashboard = html.escape(reverse("partnerships:dashboard", args=[slug]))
    partner_list = html.escape(reverse("partnerships:list", args=[slug]))
    for system, nodes in [(organisation.name, [network.centre]), *network.systems()]:
        label = html.escape(system_label % {"name": system})
        parts.append(f'<g class="network-system" role="group" aria-label="{label}">')
        for node in nodes:
            if node.centre:
                url = dashboard
            else:
                url = f"{partner_list}?{html.escape(urlencode({'partner': node.slug}))}"
            name = (
                node.name
                if not node.system or node.system_name == node.name
                else (f"{node.name} ({node.system_name})")
            )
            parts.append(
                f'<a href="{url}" class="network-node"><circle cx="{node.x}" cy="{node.y}" '
                f'r="{NODE_RADIUS * (1.6 if node.centre else 1)}" '
                f'fill="{"#fdb863" if node.centre else "#ffffff"}" stroke="#1a1a1a" '
                f'stroke-width="1.5"><title>{html.escape(name)}</title></circle>'
            )
            if labelled or node.centre:
                anchor = "middle" if abs(node.x) < 1 else ("start" if node.x > 0 else "end")
                dx = 0 if anchor == "middle" else (16 if node.x > 0 else -16)
                dy = -22 if node.centre else 4
                parts.append(
                    f'<text x="{round(node.x + dx, 1)}" y="{round(node.y + dy * font / 13, 1)}" '
                    f'text-anchor="{anchor}" font-size="{font}" fill="#1a1a1a">'
                    f"{html.escape(node.name)}</text>"
                )
            parts.append("</a>")
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))


def draw_systems(network, title: str, shown: int = 40) -> SafeString:
    """The platform's network by system: the ``shown`` busiest systems on a circle (a circle
    each, its area growing with its partnerships), a line between two of them for their
    partnerships together (thicker with more); the tables hold every system and link."""
    systems = network.systems[:shown]
    count = len(systems)
    radius = max(260.0, 16.0 * count)
    where = {}
    for index, node in enumerate(systems):
        angle = 2 * math.pi * index / max(count, 1) - math.pi / 2
        where[node.key] = (node, radius * math.cos(angle), radius * math.sin(angle))
    margin = 0.6 * radius + 120  # room for the names around the circle
    side = 2 * (radius + margin)
    font = round(max(13.0, side / 60), 1)
    desc = gettext(
        "%(systems)s systems, %(links)s links between systems; the tables below hold the data."
    ) % {"systems": len(network.systems), "links": len(network.links)}
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="network-map" viewBox="{} {} {} {}" '
            'role="img" aria-labelledby="platform-title platform-desc">'
            '<title id="platform-title">{}</title><desc id="platform-desc">{}</desc>',
            -round(side / 2),
            -round(side / 2),
            round(side),
            round(side),
            title,
            desc,
        )
    ]
    links = [link for link in network.links if link.source in where and link.target in where]
    biggest = max((len(link.partnerships) for link in links), default=1)
    esc = html.escape
    # Hundreds of lines: each plural form translated once, plain escaping (see ``draw``).
    plurals: dict[int, str] = {}
    for link in links:
        (a, ax, ay), (b, bx, by) = where[link.source], where[link.target]
        number = len(link.partnerships)
        if number not in plurals:
            plurals[number] = ngettext(
                "%(a)s and %(b)s: %(count)s partnership",
                "%(a)s and %(b)s: %(count)s partnerships",
                number,
            )
        label = plurals[number] % {"a": a.name, "b": b.name, "count": number}
        parts.append(
            f'<line x1="{round(ax, 1)}" y1="{round(ay, 1)}" x2="{round(bx, 1)}" '
            f'y2="{round(by, 1)}" '
            f'stroke="{LEVEL_COLOURS.get(round(link.mean_level or 0), NO_LEVEL)}" '
            f'stroke-width="{round(1 + 9 * math.sqrt(number / biggest), 1)}" '
            f'stroke-opacity="0.6"><title>{esc(label)}</title></line>'
        )
    most = max((len(s.partnerships) for s in systems), default=1)
    described = gettext(
        "%(name)s: %(organisations)s organisations, %(partnerships)s partnerships, "
        "%(internal)s internal"
    )
    for node, x, y in where.values():
        number = len(node.partnerships)
        size = round(6 + 36 * math.sqrt(number / most), 1)
        label = described % {
            "name": node.name,
            "organisations": len(node.organisations),
            "partnerships": number,
            "internal": len(node.internal),
        }
        parts.append(
            f'<circle cx="{round(x, 1)}" cy="{round(y, 1)}" r="{size}" fill="#ffffff" '
            f'stroke="#1a1a1a" stroke-width="1.5"><title>{esc(label)}</title></circle>'
        )
        outward = 1 + (size + font) / max(radius, 1)
        anchor = "middle" if abs(x) < radius / 4 else ("start" if x > 0 else "end")
        parts.append(
            f'<text x="{round(x * outward, 1)}" y="{round(y * outward + font / 3, 1)}" '
            f'text-anchor="{anchor}" font-size="{font}" fill="#1a1a1a">'
            f"{esc(node.name)} ({number})</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))


def table_body(network: Network, rows, partner_url: str) -> SafeString:
    """The rows of the table below the map (partner, system, partnerships, levels, since),
    written here rather than in the template: a network head has thousands of partnerships, and
    the template language would take most of the page's time over them."""
    esc = html.escape
    internal = esc(gettext("internal"))
    gap = gettext("perception gap of %(gap)s steps")
    levels = level_names()
    out = []
    for row in rows:
        node = row.node
        items = []
        for edge in row.edges:
            item = f'<li><a href="{esc(edge.url)}">{esc(edge.title)}</a>'
            if edge.internal:
                item += f" <small>({internal})</small>"
            if edge.gap_marked:
                item += f" <small>({esc(gap % {'gap': edge.perception_gap})})</small>"
            items.append(item + "</li>")
        named = sorted({levels[e.level] for e in row.edges if e.level})
        since = date_format(row.since, "DATE_FORMAT") if row.since else "—"
        out.append(
            f'<tr><th scope="row"><a href="{esc(partner_url)}?{urlencode({"partner": node.slug})}">'
            f"{esc(node.name)}</a></th>"
            f"<td>{esc(node.system_name) if node.system else '—'}</td>"
            f'<td><ul class="plain">{"".join(items)}</ul></td>'
            f"<td>{esc(', '.join(named)) if named else '—'}</td>"
            f"<td>{esc(since)}</td></tr>"
        )
    return mark_safe("".join(out))


def systems_table_body(systems) -> SafeString:
    """The rows of the staff map's table of systems (hundreds: written here, as ``table_body``)."""
    esc = html.escape
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{esc(system.name)}</th>'
            f"<td>{len(system.organisations)}</td><td>{len(system.partnerships)}</td>"
            f"<td>{len(system.internal)}</td></tr>"
            for system in systems
        )
    )


def links_table_body(links) -> SafeString:
    """The rows of the staff map's table of links between systems."""
    esc = html.escape
    return mark_safe(
        "".join(
            f"<tr><td>{esc(link.source_name)}</td><td>{esc(link.target_name)}</td>"
            f"<td>{len(link.partnerships)}</td>"
            f"<td>{esc(localize(link.mean_level)) if link.mean_level else '—'}</td></tr>"
            for link in links
        )
    )
