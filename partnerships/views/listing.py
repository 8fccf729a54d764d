"""The partnership list: filters, sorting and pages that live in the address bar, and CSV."""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.access import member_required

from ..choices import Invitation, Level
from ..forms import PartnershipFilterForm
from ..models import Partnership, Party
from .common import render_page_or_partial

PAGE_SIZE = 25
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
                        organisation=data["partner"],
                        invitation=Invitation.ACCEPTED,
                    )
                )
            )
    sort = params.get("sort") if params.get("sort") in SORTS else "title"
    return form, partnerships.order_by(*SORTS[sort])


@member_required()
def partnership_list(request: HttpRequest, membership) -> HttpResponse:
    form, partnerships = filtered_partnerships(membership.organisation, request.GET)
    page = Paginator(partnerships.prefetch_related("parties__organisation"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "title"
    query.pop("sort", None)
    return render_page_or_partial(
        request,
        "partnerships/list.html",
        "results",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "form": form,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


@member_required()
def partnership_export(request: HttpRequest, membership) -> HttpResponse:
    """The filtered list as CSV, levels as numbers 1 to 7 with their labels beside them."""
    _form, partnerships = filtered_partnerships(membership.organisation, request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partnerships.csv"'
    response.write("\ufeff")  # lets spreadsheet software read the accents right
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Title"),
            _("Status"),
            _("Scope"),
            _("Agreed level"),
            _("Agreed level (label)"),
            _("Target level"),
            _("Perception gap"),
            _("Agreement gap"),
            _("Parties"),
            _("Start date"),
            _("End date"),
            _("Next review"),
        ]
    )
    for partnership in partnerships.prefetch_related("parties__organisation"):
        parties = [
            party.organisation.name
            for party in partnership.parties.all()
            if party.invitation == Invitation.ACCEPTED
        ]
        writer.writerow(
            [
                partnership.title,
                partnership.get_status_display(),
                partnership.get_scope_display(),
                partnership.agreed_level or "",
                Level(partnership.agreed_level).label if partnership.agreed_level else "",
                partnership.target_level or "",
                "" if partnership.perception_gap is None else partnership.perception_gap,
                "" if partnership.agreement_gap is None else partnership.agreement_gap,
                " ; ".join(parties),
                partnership.starts_on or "",
                partnership.ends_on or "",
                partnership.next_review_on or "",
            ]
        )
    return response
