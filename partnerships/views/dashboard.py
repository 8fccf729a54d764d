from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from organisations.access import member_required
from partnerships.reads.health import health_signals, with_health
from partnerships.reports import charts

from ..choices import PartnershipStatus
from ..models import Commitment, Concern, Partnership, Party

ALERTS_SHOWN = 30


@member_required()
def dashboard(request: HttpRequest, membership) -> HttpResponse:
    """Counts, health alerts and two charts for the acting organisation's partnerships."""
    organisation = membership.organisation
    today = timezone.localdate()
    partnerships = Partnership.objects.for_organisation(organisation)
    running = partnerships.filter(status__in=[PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED])
    counts = {
        "active": partnerships.filter(status=PartnershipStatus.ACTIVE).count(),
        "reviews_due": running.filter(
            next_review_on__lte=today + datetime.timedelta(days=30)
        ).count(),
        "overdue_commitments": Commitment.objects.overdue(today)
        .filter(partnership__in=partnerships)
        .count(),
        "high_concerns": Concern.objects.visible_to_organisation(organisation)
        .open()
        .with_latest_intensity()
        .filter(latest_intensity__gte=4)
        .count(),
        "invitations": Party.objects.filter(
            organisation=organisation, invitation="invited"
        ).count(),
    }
    # Every running partnership is judged to count the alerts, but only the shown ones have
    # their signals told in sentences (translating them all was most of the Python time).
    flagged = [
        partnership
        for partnership in with_health(
            running.order_by("next_review_on", "title"), organisation, today
        )
        if health_signals(partnership, today, told=False)
    ]
    alerts = [
        (partnership, health_signals(partnership, today)) for partnership in flagged[:ALERTS_SHOWN]
    ]
    by_level = charts.partnerships_by_level(partnerships)
    intensity = charts.concern_intensity_by_category(organisation, today)
    return render(
        request,
        "partnerships/dashboard.html",
        {
            "membership": membership,
            "organisation": organisation,
            "counts": counts,
            "alerts": alerts,
            "alert_total": len(flagged),
            "by_level": by_level,
            "intensity": intensity,
        },
    )
