"""Charts as SVG images, each behind the same organisation gate as the pages that show them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from organisations.access import member_required

from .. import charts
from ..models import Partnership
from .common import get_partnership_or_404


def _svg(chart: charts.Chart) -> HttpResponse:
    response = HttpResponse(chart.svg(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@member_required()
def levels_chart(request: HttpRequest, membership) -> HttpResponse:
    partnerships = Partnership.objects.for_organisation(membership.organisation)
    return _svg(charts.partnerships_by_level(partnerships))


@member_required()
def concerns_chart(request: HttpRequest, membership) -> HttpResponse:
    return _svg(charts.concern_intensity_by_category(membership.organisation, timezone.localdate()))


@member_required()
def partnership_levels_chart(request: HttpRequest, membership, partnership_id: int):
    partnership = get_partnership_or_404(membership, partnership_id)
    return _svg(charts.levels_over_time(partnership, membership.organisation))


@member_required()
def partnership_concerns_chart(request: HttpRequest, membership, partnership_id: int):
    partnership = get_partnership_or_404(membership, partnership_id)
    return _svg(charts.partnership_concerns_over_time(partnership, membership.organisation))
