"""The organisation's network map (/o/<slug>/network/): drawn on the server, month by month.

The map and its table come as one partial, which htmx swaps when the month changes; without
JavaScript the same control is a plain form and plain links.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext

from core.dates import EARLIEST, LATEST
from organisations.access import member_required
from partnerships.forms.network import StaffNetworkForm
from partnerships.models import Partnership
from partnerships.reads.network import first_rows, months, network_at
from partnerships.reads.network_svg import (
    draw,
    draw_systems,
    legend,
    links_table_body,
    systems_table_body,
    table_body,
)
from partnerships.reports import network as platform
from partnerships.reports.figures import partnerships_matching

# The table under the map lists that many partners (and about that many partnerships) until the
# whole of it is asked for.
TABLE_PARTNERS = 50
TABLE_PARTNERSHIPS = 300


def parse_day(value: str | None) -> datetime.date | None:
    """A date written YYYY-MM-DD within the calendar the project accepts; None otherwise."""
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
    head, _zero, tail = reverse("partnerships:workspace", args=[organisation.slug, 0]).rpartition(
        "/0/"
    )
    for edge in network.edges:
        edge.url = f"{head}/{edge.partnership}/{tail}"
    rows = network.rows()
    # A network head has hundreds of partners: the table shows the first ones, and the whole
    # of it on asking (the same page, slower).
    every_partner = request.GET.get("partners") == "all"
    shown = rows if every_partner else first_rows(rows, TABLE_PARTNERS, TABLE_PARTNERSHIPS)
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
        "rows": rows,
        "table_body": table_body(
            network, shown, reverse("partnerships:list", args=[organisation.slug])
        ),
        "rows_shown": len(shown),
        "every_partner": every_partner,
        "keep": "&partners=all" if every_partner else "",
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


# --- The platform's network for staff, in the admin reports (/admin/reports/network/) -------
def staff_urlpatterns(site, staff_only) -> list:
    def view(request: HttpRequest) -> HttpResponse:
        staff_only(request)
        return _staff_network(request, site)

    return [path("reports/network/", site.admin_view(view), name="report-network")]


def _staff_network(request: HttpRequest, site) -> HttpResponse:
    form = StaffNetworkForm(request.GET, today=timezone.localdate())
    export = request.GET.get("format")
    context = {**site.each_context(request), "title": gettext("Network map"), "form": form}
    if not form.is_valid():
        if export:
            return HttpResponseBadRequest(
                form.errors.as_text(), content_type="text/plain; charset=utf-8"
            )
        return TemplateResponse(request, "reports/admin_network.html", context, status=400)
    data = form.cleaned_data
    period = data["period"]
    partnerships = partnerships_matching(
        Partnership.objects.all(), scope=data["scope"], kind=data["kind"]
    )
    system = data["system"]
    network = platform.platform_network(
        partnerships,
        period.start,
        period.end,
        level=data["level"],
        system=system.slug if system else "",
        files=bool(export),
    )
    stem = f"network-{period.start}-{period.end}"
    if export == "graphml":
        return _attachment(platform.graphml(network), "application/graphml+xml", f"{stem}.graphml")
    if export == "nodes":
        return _attachment(
            platform.nodes_csv(network), "text/csv; charset=utf-8", f"{stem}-nodes.csv"
        )
    if export == "edges":
        return _attachment(
            platform.edges_csv(network), "text/csv; charset=utf-8", f"{stem}-edges.csv"
        )
    query = request.GET.copy()
    query.pop("format", None)
    title = gettext("Partnerships between systems from %(start)s to %(end)s") % {
        "start": period.start,
        "end": period.end,
    }
    links = network.links[:200]
    context.update(
        {
            "network": network,
            "period": period,
            "svg": draw_systems(network, title),
            "query": query.urlencode(),
            "links": links,
            "systems_body": systems_table_body(network.systems),
            "links_body": links_table_body(links),
        }
    )
    return TemplateResponse(request, "reports/admin_network.html", context)


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
