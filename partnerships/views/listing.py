"""The partnership list: filters, sorting and pages that live in the address bar, and CSV."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.access import member_required
from partnerships.forms import PartnershipFilterForm
from partnerships.policy import joined
from partnerships.reads.attention import needing_attention
from partnerships.reads.tables import (
    FILTER_PARAMS,
    partnership_table,
    record_export,
    table_response,
)

from ..choices import Invitation
from ..models import Partnership, Party
from .common import permissions, render_page_or_partial

PAGE_SIZE = 25
# From this many partnerships, the list's file is prepared by a worker (for the organisation's
# editors and administrators, who may start one); a shorter list downloads at once.
BACKGROUND_FROM = 500
SORTS = {
    "title": (F("title").asc(), "pk"),
    "-title": (F("title").desc(), "-pk"),
    "status": ("status", "title"),
    "level": (F("agreed_level").asc(nulls_first=True), "title"),
    "-level": (F("agreed_level").desc(nulls_last=True), "title"),
    "gap": (F("perception_gap").asc(nulls_first=True), "title"),
    "-gap": (F("perception_gap").desc(nulls_last=True), "title"),
    "review": (F("next_review_on").asc(nulls_last=True), "title"),
    "-review": (F("next_review_on").desc(nulls_last=True), "title"),
}


def chosen_sort(params) -> str:
    """The sort asked for in the address, or by title when it is missing or unknown."""
    return params.get("sort") if params.get("sort") in SORTS else "title"


def filtered_partnerships(organisation, params) -> tuple[PartnershipFilterForm, QuerySet]:
    """The organisation's partnerships narrowed by the list's filters and sorted."""
    form = PartnershipFilterForm(params or None, organisation=organisation)
    partnerships = Partnership.objects.for_organisation(organisation).with_levels()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            partnerships = partnerships.filter(
                Q(title__icontains=data["q"]) | Q(purpose__icontains=data["q"])
            )
        if data["status"]:
            partnerships = partnerships.filter(status=data["status"])
        if data["level"]:
            partnerships = partnerships.filter(agreed_level=data["level"])
        if data["scope"]:
            partnerships = partnerships.filter(scope=data["scope"])
        if data["partner"]:
            partnerships = partnerships.filter(
                Exists(
                    Party.objects.filter(
                        partnership=OuterRef("pk"),
                        organisation__slug=data["partner"],
                        invitation=Invitation.ACCEPTED,
                    )
                )
            )
        if data["attention"]:
            partnerships = needing_attention(
                partnerships, organisation, data["attention"], timezone.localdate()
            )
    sort = chosen_sort(params)
    return form, partnerships.order_by(*SORTS[sort])


def partner_names(partnerships, organisation) -> dict[int, list[str]]:
    """The names of the other organisations that joined each partnership, by name (one query,
    no model instance for each party)."""
    names: dict[int, list[str]] = {}
    for partnership_id, name in (
        Party.objects.filter(joined(), partnership__in=[p.pk for p in partnerships])
        .exclude(organisation=organisation)
        .order_by("partnership_id", "organisation__name", "pk")
        .values_list("partnership_id", "organisation__name")
    ):
        names.setdefault(partnership_id, []).append(name)
    return names


@member_required()
def partnership_list(request: HttpRequest, membership) -> HttpResponse:
    form, partnerships = filtered_partnerships(membership.organisation, request.GET)
    may = permissions(membership)
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort = chosen_sort(request.GET)
    query.pop("sort", None)
    return render_page_or_partial(
        request,
        "partnerships/list.html",
        "results",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "may": may,
            "may_export": may.export,
            "export_later": may.export and page.paginator.count >= BACKGROUND_FROM,
            "form": form,
            "page": page,
            "partners": partner_names(page.object_list, membership.organisation),
            "sort": sort,
            "query": query.urlencode(),
            # The filters a background export starts from, as hidden fields of its form.
            "export_filters": [
                (key, request.GET[key] if key != "sort" else sort)
                for key in FILTER_PARAMS
                if key == "sort" or request.GET.get(key)
            ],
            "today": timezone.localdate(),
            "filtered": form.is_bound and any(form.data.get(name) for name in form.fields),
        },
    )


@member_required()
def partnership_export(request: HttpRequest, membership, file_format: str = "csv") -> HttpResponse:
    """The filtered list as CSV or XLSX, now; levels as numbers 1 to 7 with their labels."""
    header, rows = partnership_table(membership.organisation, request.GET)
    return table_response(header, rows, file_format, "partnerships", _("Partnerships"))


@member_required()
def record_export_view(request: HttpRequest, membership, kind: str, file_format: str):
    """The organisation's commitments, or its fears and resistances, as CSV or XLSX."""
    return record_export(membership.organisation, kind, file_format)
