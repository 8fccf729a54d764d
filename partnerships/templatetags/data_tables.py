"""The body rows of the data tables beneath the charts and of the report tables, written in
Python: a report over 200 organisations has a thousand cells, and rendering each through the
template language (a loop, a condition and a variable a cell) took a third of its page's time.
Each value is rendered as ``{{ value }}`` renders it (localised, escaped); a missing one is a
dash."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.template.context import Context
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.typography import punctuation
from partnerships.choices import PartnershipStatus
from partnerships.templatetags.partnerships import level_label

register = template.Library()

MISSING = "—"


@register.simple_tag(takes_context=True)
def chart_rows(context: Context, rows: Iterable[tuple[object, list]]) -> SafeString:
    """``<tr>`` for each ``(label, values)`` of a chart: the label heads its row."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{render_value_in_context(label, context)}</th>'
            + "".join(f"<td>{_cell(value, context)}</td>" for value in values)
            + "</tr>\n"
            for label, values in rows
        )
    )


@register.simple_tag(takes_context=True)
def table_rows(context: Context, linked_rows: Iterable[tuple[list, str | None]]) -> SafeString:
    """``<tr>`` for each ``(row, link)`` of a report table: the first value heads its row, the
    others link to ``link`` when there is one."""
    lines = []
    for row, link in linked_rows:
        head, *values = row
        cells = [f'<th scope="row">{render_value_in_context(head, context)}</th>']
        for value in values:
            shown = _cell(value, context)
            if link and value is not None:
                shown = f'<a href="{render_value_in_context(link, context)}">{shown}</a>'
            cells.append(f"<td>{shown}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>\n")
    return mark_safe("".join(lines))


def _cell(value: object, context: Context) -> str:
    if value is None:
        return MISSING
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        # What ``localize`` writes for a whole number without thousands separated, without
        # its three lookups of the language's formats (most of a cell's time).
        return str(value)
    return render_value_in_context(value, context)


@register.simple_tag
def partnership_rows(partnerships: Iterable, partners: dict, organisation, today) -> SafeString:
    """The list's ``<tr>``, one per partnership: title (linked to its workspace), status, scope,
    agreed level, perception gap, the names of its other parties (``partners``, by partnership),
    next review. Twenty-five rows through the template language took a tenth of the page."""
    to_clarify = f' <span class="tag warn">{escape(_("to clarify"))}</span>'
    overdue = f' <span class="tag warn">{escape(_("overdue"))}</span>'
    lines = []
    for partnership in partnerships:
        url = reverse("partnerships:workspace", args=[organisation.slug, partnership.pk])
        gap = partnership.perception_gap
        gap_cell = MISSING if gap is None else f"{gap}{to_clarify if gap >= 2 else ''}"
        names = "".join(
            f'<span class="party">{escape(name)}</span>'
            for name in partners.get(partnership.pk, ())
        )
        review_on = partnership.next_review_on
        review_cell = MISSING
        if review_on:
            review_cell = escape(date_format(review_on, "SHORT_DATE_FORMAT"))
            if review_on < today and partnership.status == PartnershipStatus.ACTIVE:
                review_cell += overdue
        lines.append(
            f'<tr><td><a href="{escape(url)}">{escape(partnership.title)}</a></td>'
            f"<td>{escape(partnership.get_status_display())}</td>"
            f"<td>{escape(partnership.get_scope_display())}</td>"
            f"<td>{escape(level_label(partnership.agreed_level))}</td>"
            f"<td>{gap_cell}</td><td>{names}</td><td>{review_cell}</td></tr>\n"
        )
    return mark_safe("".join(lines))


@register.simple_tag(takes_context=True)
def signal_items(context: Context, group: dict) -> SafeString:
    """The dashboard's ``<li>`` of one group of signals: the partnership (linked to its
    workspace), the signal's sentence and the group's action. Thirty partnerships with eighty
    signals through the template language took a tenth of the dashboard's time."""
    colon = punctuation(":")
    action = render_value_in_context(group["action"], context)
    lines = []
    for item in group["items"]:
        title = render_value_in_context(item["partnership"].title, context)
        lines.append(
            f'<li class="signal-{render_value_in_context(item["signal"].code, context)}">'
            f'<a href="{render_value_in_context(item["workspace"], context)}"><strong>{title}'
            f"</strong></a>{colon} {render_value_in_context(item['signal'].message, context)}\n"
            f'                <a class="alert-action" '
            f'href="{render_value_in_context(item["url"], context)}">{action}'
            f'<span class="visually-hidden"> · {title}</span></a></li>\n'
        )
    return mark_safe("".join(lines))
