"""The organisation's network map (/o/<slug>/network/): drawn on the server, month by month.

The map and its table come as one partial, which htmx swaps when the month changes; without
JavaScript the same control is a plain form and plain links.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from organisations.access import member_required
from partnerships.reads.network import months, network_at
from partnerships.reads.network_svg import draw, legend


def parse_day(value: str | None) -> datetime.date | None:
    """A date written YYYY-MM-DD within the calendar the project accepts; None otherwise."""
    from core.dates import EARLIEST, LATEST

    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST and len(value) == 10 else None


@member_required()
def network_map(request: HttpRequest, membership) -> HttpResponse:
    organisation = membership.organisation
    today = timezone.localdate()
    asked = request.GET.get("at")
    at = parse_day(asked)
    invalid = bool(asked) and at is None
    at = min(at or today, today)
    network = network_at(organisation, at)
    dates = months(today, network.first)
    if at not in dates:
        dates = sorted({*dates, at})
    index = dates.index(at)
    context = {
        "membership": membership,
        "organisation": organisation,
        "network": network,
        "svg": draw(network),
        "legend": legend(),
        "rows": network.rows(),
        "dates": dates,
        "at": at,
        "previous": dates[index - 1] if index > 0 else None,
        "next": dates[index + 1] if index + 1 < len(dates) else None,
        "invalid": invalid,
    }
    template = (
        "partnerships/network/_map.html"
        if request.htmx and not request.htmx.boosted
        else "partnerships/network/page.html"
    )
    return TemplateResponse(request, template, context, status=400 if invalid else 200)
