from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.access import member_required
from organisations.permissions import may_manage_members
from partnerships.reads.attention import TILES, attention_counts
from partnerships.reads.health import flagged, health_signals, raising_a_signal, with_health
from partnerships.reads.todo import todo_items
from partnerships.reports import charts

from ..choices import LEVEL_SUMMARIES, Invitation, Level, PartnershipStatus
from ..models import Partnership, Party
from .common import actor_of, permissions

ALERTS_SHOWN = 30
# Items of each kind of the to-do shown on the dashboard; the to-do page shows them all.
TODO_SHOWN = 5
RUNNING = [PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED]

# The dashboard groups signals by kind, each kind with the action that addresses it: the tab of
# the workspace where it is done (None: the ladder, on the workspace itself).
SIGNAL_GROUPS = [
    ("reviews", _("Reviews"), _("Plan the review"), "reviews", {"review_overdue"}),
    (
        "commitments",
        _("Commitments and who does what"),
        _("Open the commitments"),
        "commitments",
        {"overdue_commitments", "idle_party", "fusion"},
    ),
    (
        "gaps",
        _("Gaps between levels"),
        _("Re-rate the level"),
        None,
        {"perception_gap", "agreement_gap", "target_far"},
    ),
    (
        "concerns",
        _("Fears and resistances"),
        _("Re-rate the concerns"),
        "concerns",
        {"stuck_concerns", "weight_asymmetry"},
    ),
    ("agreements", _("Agreements"), _("Open the agreement"), "agreement", {"agreement_ending"}),
]


def signal_groups(organisation, alerts) -> list[dict]:
    """The shown signals by kind: each item a partnership, its sentence and its action link."""
    groups = [
        {"key": key, "title": title, "action": action, "tab": tab, "codes": codes, "items": []}
        for key, title, action, tab, codes in SIGNAL_GROUPS
    ]
    other = {"key": "other", "title": _("Other signals"), "action": _("Open"), "tab": None}
    other["items"] = []
    for partnership, signals in alerts:
        workspace = reverse("partnerships:workspace", args=[organisation.slug, partnership.pk])
        tabs = {None: workspace + "#ladder"}  # each tab's link made once per partnership
        for signal in signals:
            group = next((g for g in groups if signal.code in g["codes"]), other)
            if group["tab"] not in tabs:
                tabs[group["tab"]] = reverse(
                    f"partnerships:tab-{group['tab']}", args=[organisation.slug, partnership.pk]
                )
            url = tabs[group["tab"]]
            group["items"].append(
                {"partnership": partnership, "workspace": workspace, "signal": signal, "url": url}
            )
    return [group for group in [*groups, other] if group["items"]]


def dashboard_todo(actor, today) -> dict:
    """The first items of each kind of the to-do, and whether the to-do page holds more (one
    more item of each kind is read to know)."""
    items = todo_items(actor, today, per_kind=TODO_SHOWN + 1)
    shown, seen = [], {}
    for item in items:
        seen[item.kind] = seen.get(item.kind, 0) + 1
        if seen[item.kind] <= TODO_SHOWN:
            shown.append(item)
    return {"todo": shown, "todo_more": len(shown) < len(items)}


@member_required()
def todo(request: HttpRequest, membership) -> HttpResponse:
    """The person's whole to-do for the organisation, kind by kind."""
    return render(
        request,
        "partnerships/todo.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "todo": todo_items(actor_of(membership), timezone.localdate()),
        },
    )


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
    }
    context.update(dashboard_todo(actor_of(membership), today))
    partnerships = Partnership.objects.for_organisation(organisation)
    # One pass over the organisation's partnerships (their read-model rows) counts them all:
    # totals, tiles, those raising a signal and the chart of levels.
    totals = attention_counts(
        partnerships,
        organisation,
        today,
        all=Count("pk"),
        active=Count("pk", filter=Q(status=PartnershipStatus.ACTIVE)),
        running=Count("pk", filter=Q(status__in=RUNNING)),
        alerts=Count("pk", filter=Q(status__in=RUNNING) & raising_a_signal(organisation, today)),
        **charts.level_counts(),
    )
    if not totals["all"]:
        context["first_run"] = True
        context["levels"] = [(level.value, level.label, LEVEL_SUMMARIES[level]) for level in Level]
        return render(request, "partnerships/dashboard.html", context)
    counts = {
        **{key: totals[key] for key in ("active", *TILES)},
        "invitations": Party.objects.filter(
            organisation=organisation, invitation=Invitation.INVITED
        ).count(),
    }
    # The read model tells which running partnerships raise a signal (one indexed pass); only
    # the shown ones are judged in full and told in sentences.
    running = partnerships.filter(status__in=RUNNING)
    ordered = running.order_by("next_review_on", "title", "pk")
    shown = with_health(flagged(ordered, organisation, today), organisation, today)
    alerts = [
        (partnership, signals)
        for partnership in shown[:ALERTS_SHOWN]
        if (signals := health_signals(partnership, today))
    ]
    context.update(
        counts=counts,
        alerts=alerts,
        signal_groups=signal_groups(organisation, alerts),
        alert_total=totals["alerts"],
        running_total=totals["running"],
        by_level=charts.by_level_chart(charts.counted_by_level(totals)),
        intensity=charts.concern_intensity_by_category(organisation, today),
    )
    return render(request, "partnerships/dashboard.html", context)
