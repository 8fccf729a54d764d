from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from organisations.access import member_required
from organisations.permissions import may_manage_members
from partnerships.reads.attention import attention_counts
from partnerships.reads.health import health_signals, with_health
from partnerships.reads.todo import todo_items
from partnerships.reports import charts

from ..choices import LEVEL_SUMMARIES, Invitation, Level, PartnershipStatus
from ..models import Partnership, Party
from .common import actor_of, permissions

ALERTS_SHOWN = 30


@member_required()
def dashboard(request: HttpRequest, membership) -> HttpResponse:
    """The person's to-do, counts that link to the matching lists, health alerts and two
    charts for the acting organisation's partnerships; on a first run (no partnership yet),
    the seven levels and the first steps instead of empty tiles and charts."""
    organisation = membership.organisation
    today = timezone.localdate()
    may = permissions(membership)
    context = {
        "membership": membership,
        "organisation": organisation,
        "may": may,
        "may_manage_members": may_manage_members(membership),
        "todo": todo_items(actor_of(membership), today),
    }
    partnerships = Partnership.objects.for_organisation(organisation)
    totals = partnerships.aggregate(
        all=Count("pk"), active=Count("pk", filter=Q(status=PartnershipStatus.ACTIVE))
    )
    if not totals["all"]:
        context["first_run"] = True
        context["levels"] = [(level.value, level.label, LEVEL_SUMMARIES[level]) for level in Level]
        return render(request, "partnerships/dashboard.html", context)
    running = partnerships.filter(status__in=[PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED])
    counts = {
        "active": totals["active"],
        **attention_counts(organisation, today),
        "invitations": Party.objects.filter(
            organisation=organisation, invitation=Invitation.INVITED
        ).count(),
    }
    # Every running partnership is judged to count the alerts, but only the shown ones have
    # their signals told in sentences (translating them all was most of the Python time).
    judged = list(with_health(running.order_by("next_review_on", "title"), organisation, today))
    flagged = [p for p in judged if health_signals(p, today, told=False)]
    alerts = [
        (partnership, health_signals(partnership, today)) for partnership in flagged[:ALERTS_SHOWN]
    ]
    context.update(
        counts=counts,
        alerts=alerts,
        alert_total=len(flagged),
        running_total=len(judged),
        by_level=charts.partnerships_by_level(partnerships),
        intensity=charts.concern_intensity_by_category(organisation, today),
    )
    return render(request, "partnerships/dashboard.html", context)
