from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partnerships.choices import Invitation
from partnerships.models import Partnership

from .models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's organisations, each with the partnerships it is a party of."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    partnerships = (
        Partnership.objects.visible_to(request.user)
        .with_levels()
        .prefetch_related("parties")
        .order_by("title")
    )
    by_organisation: dict[int, list[Partnership]] = {m.organisation_id: [] for m in memberships}
    for partnership in partnerships:
        for party in partnership.parties.all():
            if party.organisation_id in by_organisation and party.invitation == Invitation.ACCEPTED:
                by_organisation[party.organisation_id].append(partnership)
    rows = [(m, by_organisation[m.organisation_id]) for m in memberships]
    return render(request, "organisations/home.html", {"rows": rows})
