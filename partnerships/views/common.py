"""What every partnership page shares: the scoped lookup, the policy's answer for the acting
organisation, and the page-or-partial rule."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from organisations.models import Membership

from .. import policy
from ..models import Partnership, Party

# What a page needs of the acting organisation before it touches a form: the check of the
# policy it runs (reader: any page that shows; writer: any page that changes).
Require = Callable[[policy.Actor, Partnership], object] | None


def _with_parties(queryset: QuerySet) -> QuerySet:
    """The parties in one query: the policy reads the acting organisation's party from them."""
    return queryset.prefetch_related(
        Prefetch(
            "parties",
            queryset=Party.objects.select_related("organisation").order_by("organisation__name"),
        )
    )


def get_partnership_or_404(membership: Membership, partnership_id: int) -> Partnership:
    """A partnership the acting organisation is an accepted party of, with its levels; or 404."""
    return get_object_or_404(
        _with_parties(Partnership.objects.for_organisation(membership.organisation).with_levels()),
        pk=partnership_id,
    )


def actor_of(membership: Membership) -> policy.Actor:
    return policy.Actor.from_membership(membership)


def permissions(membership: Membership, partnership: Partnership | None = None):
    """What the acting person may do, for the templates (``may``): computed once a request."""
    return policy.permissions_for(actor_of(membership), partnership)


def partnership_for(
    membership: Membership,
    partnership_id: int,
    require: Require = policy.require_reader,
    queryset: QuerySet | None = None,
) -> tuple[Partnership, policy.Permissions]:
    """The partnership and what the acting organisation may do in it, after the policy's
    ``require`` check: 404 for an outsider, an organisation only invited or that declined;
    403 for a role too low or a party that has left; 409 for a state that refuses the action.

    ``queryset`` (scoped to the organisation's partnerships) loads it with more; its parties
    are prefetched when it does not, so the check costs no query of its own.
    """
    if queryset is None:
        partnership = get_partnership_or_404(membership, partnership_id)
    else:
        partnership = get_object_or_404(queryset, pk=partnership_id)
    may = permissions(membership, partnership)
    if require is not None:
        require(may.actor, partnership)
    return partnership, may


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
