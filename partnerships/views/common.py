"""What every partnership page shares: the scoped lookup and the page-or-partial rule."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from organisations.models import Membership

from ..models import Partnership


def get_partnership_or_404(membership: Membership, partnership_id: int) -> Partnership:
    """A partnership the acting organisation is an accepted party of, with its levels; or 404."""
    return get_object_or_404(
        Partnership.objects.for_organisation(membership.organisation).with_levels(),
        pk=partnership_id,
    )


def render_page_or_partial(
    request: HttpRequest,
    template_name: str,
    partial: str,
    context: dict,
    status: int = 200,
) -> HttpResponse:
    """The whole page for a normal request; only the named partial for htmx."""
    if request.htmx and not request.htmx.boosted:
        template_name += f"#{partial}"
    return TemplateResponse(request, template_name, context, status=status)
