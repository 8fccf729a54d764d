"""Reports across partnerships: for staff in the admin, for one organisation under its address.

Both sides serve the same pages from the same report functions; only the starting set differs
(every partnership for staff, the organisation's own for its members) and who is counted as
the viewer. Each page answers ``?format=csv`` and ``?format=xlsx`` with exactly its figures, and
each chart is an SVG image at its own address behind the same gate as the page.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.numbers import whole_number
from organisations.access import member_required
from partnerships.forms import ReportFilterForm
from partnerships.reports import figures as reports
from partnerships.reports import gaps as report_gaps
from partnerships.reports import questionnaires as report_questionnaires
from partnerships.reports.charts import Chart, HeatMap
from partnerships.reports.figures import Figures, Selection, Table
from partnerships.reports.files import csv_response, xlsx_response

from ..models import Partnership
from .charts import svg_response

Builder = Callable[[Selection], Figures]
STAFF_PERMISSION = "partnerships.view_partnership"


@dataclass(frozen=True)
class ReportPage:
    slug: str
    title: Promise
    summary: Promise
    builders: tuple[Builder, ...]
    charts: dict[str, Builder]  # each chart drawn as an image, and the function that makes it


PAGES = [
    ReportPage(
        "levels",
        _("Levels and scope"),
        _("How many partnerships sat at each agreed level, and in each scope, month by month."),
        (reports.agreed_levels_by_month,),
        {
            "levels-by-level": reports.agreed_levels_by_month,
            "levels-by-scope": reports.agreed_levels_by_month,
        },
    ),
    ReportPage(
        "gaps",
        _("Perception gaps"),
        _(
            "Partnerships whose parties perceive it differently, or differently from the level "
            "they agreed on. Only ratings every party may see count."
        ),
        (report_gaps.gaps,),
        {"gaps-sizes": report_gaps.gap_sizes},
    ),
    ReportPage(
        "concerns",
        _("Fears and resistances"),
        _(
            "How many by category, their mean latest intensity, how it moved quarter by quarter, "
            "and which fears go with which agreed level."
        ),
        (
            reports.concerns_by_category,
            reports.concern_trend_by_quarter,
            reports.fears_by_agreed_level,
        ),
        {
            "concerns-count": reports.concerns_by_category,
            "concerns-intensity": reports.concerns_by_category,
            "concerns-trend": reports.concern_trend_by_quarter,
        },
    ),
    ReportPage(
        "commitments",
        _("Commitments"),
        _(
            "Commitments due in the period: how many each organisation completed, "
            "and how many are overdue."
        ),
        (reports.commitments_by_organisation,),
        {
            "commitments-status": reports.commitments_by_organisation,
            "commitments-rate": reports.commitments_by_organisation,
        },
    ),
    ReportPage(
        "reviews",
        _("Review punctuality"),
        lazy(
            lambda: (
                gettext(
                    "Reviews due in the period: held on time (up to %(days)s days after the "
                    "planned date), held late, or missing (a review due by the cadence that "
                    "nobody planned counts as missing the day after its date, as on the "
                    "dashboard)."
                )
                % {"days": reports.REVIEW_TOLERANCE_DAYS}
            ),
            str,
        )(),
        (reports.review_punctuality_by_organisation,),
        {"reviews-punctuality": reports.review_punctuality_by_organisation},
    ),
    ReportPage(
        "pleasures",
        _("Pleasures demonstrated"),
        _("Pleasures the partnerships demonstrated, quarter by quarter and by category."),
        (reports.pleasures_by_quarter,),
        {"pleasures-by-quarter": reports.pleasures_by_quarter},
    ),
]
# Pages for platform staff only, in the admin (never under an organisation's address).
STAFF_PAGES = [
    ReportPage(
        "questionnaires",
        _("Questionnaires before reviews"),
        _(
            "How many of the members asked answered, and, across partnerships, the levels "
            "members perceived by the level agreed then. Counts only: a cell of fewer than 3 "
            "answers is not shown."
        ),
        (report_questionnaires.response_rates, report_questionnaires.perceived_by_agreed_level),
        {},
    ),
]
ALL_PAGES = [*PAGES, *STAFF_PAGES]
CHART_PAGES = {name: page for page in ALL_PAGES for name in page.charts}


# --- Shared by both sides -----------------------------------------------------------------
def today() -> datetime.date:
    """The day the reports are drawn up (overdue and missing are judged against it)."""
    return timezone.localdate()


def _selection(request: HttpRequest, viewer) -> tuple[ReportFilterForm, Selection | None]:
    """The filter form read from the address, and what it selects (None when invalid)."""
    day = today()
    form = ReportFilterForm(request.GET, viewer=viewer, today=day)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    base = (
        Partnership.objects.all()
        if viewer is None
        else Partnership.objects.for_organisation(viewer)
    )
    partnerships = reports.partnerships_matching(
        base, organisation=data["organisation"], scope=data["scope"], kind=data["kind"]
    )
    whole = not (data["organisation"] or data["scope"] or data["kind"])
    return form, Selection(partnerships, viewer, data["period"], day, whole=whole)


# A long table's page in the address: ``?gaps-differing-page=3`` for that figure's third page.
PAGE_SUFFIX = "-page"


def _table_pages(request: HttpRequest) -> dict[str, int]:
    """The page asked of each long table, by figure name (a page that is not a number: 1)."""
    pages = {}
    for key, value in request.GET.items():
        if key.endswith(PAGE_SUFFIX) and whole_number(value, 9) is not None:
            pages[key.removesuffix(PAGE_SUFFIX)] = whole_number(value, 9)
    return pages


def _query_string(request: HttpRequest) -> str:
    """The filters, for the files and the charts: whatever page is shown, they hold it all."""
    query = request.GET.copy()
    query.pop("format", None)
    for key in [key for key in query if key.endswith(PAGE_SUFFIX)]:
        query.pop(key)
    return query.urlencode()


def _page_links(request: HttpRequest, name: str, table: Table) -> list[tuple[str, str]]:
    """Links to the first, previous, next and last pages of a long table, keeping the filters
    and the pages of the other tables; empty when everything fits on one page."""
    page = table.page
    if page is None or page.num_pages == 1:
        return []

    def link(number: int) -> str:
        query = request.GET.copy()
        query[f"{name}{PAGE_SUFFIX}"] = str(number)
        return f"?{query.urlencode()}#figure-{name}"

    links = []
    if page.number > 1:
        links += [("first", link(1)), ("previous", link(page.number - 1))]
    if page.number < page.num_pages:
        links += [("next", link(page.number + 1)), ("last", link(page.num_pages))]
    return links


def _report(request, page: ReportPage, viewer, template: str, context: dict, url, pages=None):
    """The page with its figures, or the figures as CSV or XLSX.

    ``url(name)`` is the address of another report page (by slug) or of a chart (by name).
    """
    form, selection = _selection(request, viewer)
    export = request.GET.get("format")
    exporting = export in ("csv", "xlsx")
    figures: Figures = {}
    if selection is not None:
        if not exporting:  # the page shows one page of each long table, the files all rows
            selection = dataclasses.replace(selection, table_pages=_table_pages(request))
        for builder in page.builders:
            figures.update(builder(selection))
    if exporting:
        if selection is None:
            return _invalid(form)
        filename = f"{page.slug}-{selection.period.start}-{selection.period.end}.{export}"
        respond = csv_response if export == "csv" else xlsx_response
        return respond(figures, filename)
    query = _query_string(request)
    shown = [
        {
            "name": name,
            "figure": figure,
            "kind": _kind(figure),
            "src": f"{url(name)}?{query}" if name in page.charts else "",
            "page_links": _page_links(request, name, figure) if isinstance(figure, Table) else [],
        }
        for name, figure in figures.items()
    ]
    context.update(
        {
            "page": page,
            "page_links": [(other, url(other.slug)) for other in (pages or PAGES)],
            "form": form,
            "selection": selection,
            "figures": shown,
            "query": query,
        }
    )
    return TemplateResponse(request, template, context, status=200 if selection else 400)


def _invalid(form: ReportFilterForm) -> HttpResponse:
    """What a file or an image asked with unusable filters gets: the reasons, as text."""
    return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain; charset=utf-8")


def _kind(figure) -> str:
    if isinstance(figure, Chart):
        return "chart"
    return "heatmap" if isinstance(figure, HeatMap) else "table"


def _chart(request: HttpRequest, name: str, viewer) -> HttpResponse:
    """One chart of a report as an SVG image; only the function that makes it runs."""
    form, selection = _selection(request, viewer)
    if selection is None:
        return _invalid(form)
    chart = CHART_PAGES[name].charts[name](selection)[name]
    return svg_response(request, chart)


# --- One organisation's reports (/o/<org_slug>/reports/) ----------------------------------
def _url_name(namespace: str, name: str) -> str:
    """The URL name of a report page (by its slug) or of a chart (by its name)."""
    return f"{namespace}report-chart-{name}" if name in CHART_PAGES else f"{namespace}report-{name}"


def page_links(namespace: str, pages=None, **kwargs) -> list[tuple[ReportPage, str]]:
    """Each report page with its address, for an index."""
    return [(page, reverse(_url_name(namespace, page.slug), **kwargs)) for page in (pages or PAGES)]


@member_required()
def report_index(request: HttpRequest, membership) -> HttpResponse:
    organisation = membership.organisation
    return TemplateResponse(
        request,
        "reports/index.html",
        {
            "membership": membership,
            "organisation": organisation,
            "page_links": page_links("partnerships:", args=[organisation.slug]),
        },
    )


def report_view(page: ReportPage):
    @member_required()
    def view(request: HttpRequest, membership) -> HttpResponse:
        organisation = membership.organisation
        return _report(
            request,
            page,
            organisation,
            "reports/report.html",
            {"membership": membership, "organisation": organisation},
            lambda name: reverse(_url_name("partnerships:", name), args=[organisation.slug]),
        )

    view.__name__ = f"report_{page.slug}"
    return view


def chart_view(name: str):
    @member_required()
    def view(request: HttpRequest, membership) -> HttpResponse:
        return _chart(request, name, membership.organisation)

    view.__name__ = f"report_chart_{name.replace('-', '_')}"
    return view


# --- Staff reports in the admin (/admin/reports/) ------------------------------------------
def _staff_only(request: HttpRequest) -> None:
    """The admin lets staff in; the reports also need the right to view partnerships."""
    if not request.user.has_perm(STAFF_PERMISSION):
        raise PermissionDenied


def admin_urlpatterns(site) -> list:
    """The report pages in the admin site's own URLs, each wrapped by ``site.admin_view``."""

    def index(request: HttpRequest) -> HttpResponse:
        _staff_only(request)
        context = {
            **site.each_context(request),
            "title": _("Reports"),
            "page_links": page_links(f"{site.name}:", ALL_PAGES, current_app=site.name),
        }
        return TemplateResponse(request, "reports/admin_index.html", context)

    def page_view(page: ReportPage):
        def view(request: HttpRequest) -> HttpResponse:
            _staff_only(request)
            context = {**site.each_context(request), "title": page.title}
            return _report(
                request,
                page,
                None,
                "reports/admin_report.html",
                context,
                lambda name: reverse(_url_name(f"{site.name}:", name), current_app=site.name),
                ALL_PAGES,
            )

        return view

    def chart(name: str):
        def view(request: HttpRequest) -> HttpResponse:
            _staff_only(request)
            return _chart(request, name, None)

        return view

    from .network import staff_urlpatterns

    return [
        path("reports/", site.admin_view(index), name="reports"),
        *staff_urlpatterns(site, _staff_only),
        *[
            path(
                f"reports/{page.slug}/",
                site.admin_view(page_view(page)),
                name=f"report-{page.slug}",
            )
            for page in ALL_PAGES
        ],
        *[
            path(
                f"reports/{page.slug}/{name}.svg",
                site.admin_view(chart(name)),
                name=f"report-chart-{name}",
            )
            for page in PAGES
            for name in page.charts
        ],
    ]
