"""Charts as SVG images, each behind the same organisation gate as the pages that show them."""

from __future__ import annotations

import dataclasses
import hashlib

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from organisations.access import member_required
from partnerships.reports import charts

from ..models import Partnership
from .common import get_partnership_or_404

# pygal writes its stylesheet inside the SVG (a <style> element) and a <script> that only sets
# its tooltip configuration (we load none of its JavaScript). Pages show the charts with <img>,
# where an SVG never runs scripts and the page's own policy governs; opened on its own, though,
# the SVG is a document under this response's policy, so the inline stylesheet is allowed here
# for it to look the same. Scripts stay forbidden: the site's policy has no 'unsafe-inline'.
SVG_POLICY = {"style-src": ["'self'", "'unsafe-inline'"]}


def svg_response(request: HttpRequest, chart: charts.Chart) -> HttpResponse:
    """The chart, revalidated on every view: its ETag is a digest of the chart's data (pygal's
    drawing holds a random id, so not of the SVG), so the browser gets 304 only when nothing
    changed, without a drawing, and a level just recorded shows at once."""
    data = repr((charts.DRAWING_VERSION, dataclasses.astuple(chart))).encode()
    etag = f'"{hashlib.blake2b(data, digest_size=16).hexdigest()}"'
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(chart.svg(), content_type="image/svg+xml")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response._csp_replace = SVG_POLICY  # what django-csp's @csp_replace sets
    return response


@member_required()
def levels_chart(request: HttpRequest, membership) -> HttpResponse:
    partnerships = Partnership.objects.for_organisation(membership.organisation)
    return svg_response(request, charts.partnerships_by_level(partnerships))


@member_required()
def concerns_chart(request: HttpRequest, membership) -> HttpResponse:
    return svg_response(
        request, charts.concern_intensity_by_category(membership.organisation, timezone.localdate())
    )


@member_required()
def partnership_levels_chart(request: HttpRequest, membership, partnership_id: int):
    partnership = get_partnership_or_404(membership, partnership_id)
    return svg_response(request, charts.levels_over_time(partnership, membership.organisation))


@member_required()
def partnership_concerns_chart(request: HttpRequest, membership, partnership_id: int):
    partnership = get_partnership_or_404(membership, partnership_id)
    return svg_response(
        request, charts.partnership_concerns_over_time(partnership, membership.organisation)
    )
