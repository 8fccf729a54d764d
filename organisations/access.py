"""The one gate of every organisation page: who is acting, for which organisation, with what role.

An organisation the user is not a member of does not exist for them (404, never 403): the
answer must not reveal what other organisations hold. A member without the needed role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from .models import Membership
from .permissions import administers, writes

READ, WRITE, ADMIN = "read", "write", "admin"
# A page about one partnership: any method, and the partnership's policy decides in the view,
# so an organisation that cannot see the partnership gets 404 before a role too low gets 403.
PARTY = "party"


def active_memberships(user) -> list[Membership]:
    """The user's memberships of active organisations, by organisation name: the gate picks
    the one a page acts for, and the header's switcher lists them all (one query for both)."""
    return list(
        Membership.objects.filter(user=user, organisation__active=True)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def get_membership_or_404(request: HttpRequest, org_slug: str) -> Membership:
    """The user's membership of the active organisation ``org_slug``; the list it was picked
    from stays on the request for the switcher."""
    request.active_memberships = active_memberships(request.user)
    membership = next(
        (m for m in request.active_memberships if m.organisation.slug == org_slug), None
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def member_required(access: str = READ) -> Callable:
    """Resolve ``org_slug`` into the user's membership and check the role ``access`` needs.

    A READ view answers only GET and HEAD. A PARTY view checks no role here: it asks the
    partnership's policy first thing (``partnerships.views.common.partnership_for``). The view
    receives the membership as its second argument.
    """

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args, **kwargs) -> HttpResponse:
            membership = get_membership_or_404(request, org_slug)
            if access == READ and request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            if access == WRITE and not writes(membership.role):
                raise PermissionDenied
            if access == ADMIN and not administers(membership.role):
                raise PermissionDenied
            request.membership = membership
            if request.session.get("organisation") != org_slug:
                request.session["organisation"] = org_slug  # where "/" leads next time
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator
