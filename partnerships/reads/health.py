"""Partnership health: the signals of DESIGN.md, computed in the database, told in one sentence.

``with_health(organisation)`` adds the annotations every signal reads; ``health_signals`` turns
one annotated partnership into the sentences shown on screen. Counts only include what the
organisation may see (another organisation's private concerns never count).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import (
    CommitmentStatus,
    ConcernKind,
    ConcernStatus,
    FearCategory,
    Level,
    PartnershipStatus,
)
from partnerships.models import Commitment, Concern, ConcernCheck, PartnershipView

HIGH_INTENSITY = 4
GAP_WARNING = 2
SIZE_SPREAD_WARNING = 2
AGREEMENT_ENDING_DAYS = 90


@dataclass(frozen=True)
class Signal:
    code: str
    message: str


def _count(queryset: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values("partnership").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def visible_concerns(viewer) -> QuerySet:
    """Concerns a viewer may see (``policy.visible_concerns``): shared ones, and private ones
    its organisations raised. ``viewer`` is a Viewer, an organisation or a user."""
    return Concern.objects.filter(policy.visible_concerns(policy.as_viewer(viewer)))


def stuck_concerns(viewer) -> QuerySet:
    """Open visible concerns whose last two checks are both high and the latest no lower."""
    checks = ConcernCheck.objects.filter(concern=OuterRef("pk")).order_by("-checked_on", "-pk")
    return (
        visible_concerns(viewer)
        .exclude(status=ConcernStatus.RESOLVED)
        .annotate(
            last=Subquery(checks.values("intensity")[:1]),
            before=Subquery(checks.values("intensity")[1:2]),
        )
        .filter(last__gte=HIGH_INTENSITY, before__gte=HIGH_INTENSITY)
        .filter(last__gte=F("before"))
    )


def with_health(queryset: QuerySet, viewer, today: datetime.date | None = None):
    """Annotate levels, gaps and every count the health signals need, as ``viewer`` (an
    organisation or a user) may see them.

    Read from the read model (``PartnershipState`` and, for one organisation, its
    ``PartnershipView`` row); only the count of overdue commitments, which changes with the
    calendar, is counted here (per partnership returned, from an indexed date). A user sees
    the union of what their organisations see: their concern counts are recomputed from the
    concerns (pass the organisation instead when it is their only one:
    ``policy.sole_organisation``).
    """
    today = today or timezone.localdate()
    partnership = OuterRef("pk")
    queryset = queryset.with_levels().annotate(
        overdue_commitments=_count(
            Commitment.objects.filter(
                partnership=partnership,
                status__in=[CommitmentStatus.PLANNED, CommitmentStatus.IN_PROGRESS],
                due_on__lt=today,
            )
        ),
        has_idle_party=Coalesce(F("state__has_idle_party"), Value(False)),
        size_spread=F("state__size_spread"),
        target_distance=Abs(F("target_level") - F("agreed_level")),
        agreement_ends_on=F("state__agreement_ends_on"),
    )
    if isinstance(viewer, Organisation):
        view = PartnershipView.objects.filter(partnership=partnership, organisation=viewer)
        return queryset.annotate(
            stuck_concern_count=Coalesce(Subquery(view.values("stuck_concerns")[:1]), Value(0)),
            power_fear_open=Coalesce(Subquery(view.values("power_fear_open")[:1]), Value(False)),
        )
    return queryset.annotate(
        stuck_concern_count=_count(stuck_concerns(viewer).filter(partnership=partnership)),
        power_fear_open=Exists(
            visible_concerns(viewer).filter(
                partnership=partnership,
                kind=ConcernKind.FEAR,
                category=FearCategory.POWER,
                status__in=[ConcernStatus.OPEN, ConcernStatus.EASING],
            )
        ),
    )


def flagged(queryset: QuerySet, organisation, today: datetime.date) -> QuerySet:
    """The partnerships of ``queryset`` that raise at least one health signal for
    ``organisation`` (``raising_a_signal``)."""
    return queryset.filter(raising_a_signal(organisation, today))


def raising_a_signal(organisation, today: datetime.date) -> Q:
    """Partnerships that raise at least one health signal for ``organisation``: the same tests
    as ``health_signals``, on the read model's columns (no log is read), so counting them
    costs one indexed pass whatever the organisation's size."""
    stuck = PartnershipView.objects.filter(organisation=organisation, stuck_concerns__gt=0)
    return (
        Q(state__perception_gap__gte=GAP_WARNING)
        | Q(state__agreement_gap__gte=GAP_WARNING)
        | Q(state__agreed_level=Level.FUSION)
        | Q(state__has_idle_party=True)
        | Q(state__size_spread__gte=SIZE_SPREAD_WARNING)
        | Q(state__first_pending_due_on__lt=today)
        | Q(
            status__in=[PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED],
            next_review_on__lt=today,
        )
        | Q(pk__in=stuck.values("partnership"))
        | Q(state__target_level__gte=F("state__agreed_level") + GAP_WARNING)
        | Q(state__target_level__lte=F("state__agreed_level") - GAP_WARNING)
        | Q(state__agreement_ends_on__lte=today + datetime.timedelta(days=AGREEMENT_ENDING_DAYS))
    )


def health_signals(
    partnership, today: datetime.date | None = None, *, told: bool = True
) -> list[Signal]:
    """The signals of one partnership annotated by ``with_health``, each in one sentence.

    With ``told=False`` the sentences are left empty: translating them was most of the Python
    time of a dashboard that only counts the signals of hundreds of partnerships.
    """
    today = today or timezone.localdate()
    p = partnership
    found: list[Signal] = []

    def add(code: str, message: Callable[[], str]) -> None:
        found.append(Signal(code, message() if told else ""))

    if p.perception_gap is not None and p.perception_gap >= GAP_WARNING:
        add(
            "perception_gap",
            lambda: (
                _(
                    "The parties perceive this partnership %(gap)s levels apart: "
                    "clarify together which relationship you are in."
                )
                % {"gap": p.perception_gap}
            ),
        )
    if p.agreement_gap is not None and p.agreement_gap >= GAP_WARNING:
        add(
            "agreement_gap",
            lambda: (
                _(
                    "A party perceives the relationship %(gap)s levels away "
                    "from the level you agreed on."
                )
                % {"gap": p.agreement_gap}
            ),
        )
    if p.agreed_level == Level.FUSION:
        add(
            "fusion",
            lambda: _(
                "The agreed level is fusion: check that each party keeps its identity and its role."
            ),
        )
    if p.has_idle_party:
        add(
            "idle_party",
            lambda: _(
                "A party has no responsibility and no commitment: nobody knows what it does."
            ),
        )
    if p.size_spread is not None and p.size_spread >= SIZE_SPREAD_WARNING:
        add(
            "weight_asymmetry",
            lambda: (
                _("The parties are of very different sizes and a fear about sharing power is open.")
                if p.power_fear_open
                else _("The parties are of very different sizes: watch how decisions are shared.")
            ),
        )
    if p.overdue_commitments:
        add(
            "overdue_commitments",
            lambda: (
                ngettext(
                    "%(count)s commitment is past its due date.",
                    "%(count)s commitments are past their due date.",
                    p.overdue_commitments,
                )
                % {"count": p.overdue_commitments}
            ),
        )
    running = p.status in (PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED)
    if running and p.next_review_on and p.next_review_on < today:
        add(
            "review_overdue",
            lambda: (
                _("The review planned for %(date)s has not been held.")
                % {"date": date_format(p.next_review_on, "SHORT_DATE_FORMAT")}
            ),
        )
    if p.stuck_concern_count:
        add(
            "stuck_concerns",
            lambda: (
                ngettext(
                    "%(count)s fear or resistance stayed at 4 or 5 over the last two checks.",
                    "%(count)s fears or resistances stayed at 4 or 5 over the last two checks.",
                    p.stuck_concern_count,
                )
                % {"count": p.stuck_concern_count}
            ),
        )
    if p.target_distance is not None and p.target_distance >= GAP_WARNING:
        add(
            "target_far",
            lambda: (
                _(
                    "The target level is %(distance)s levels away from the agreed one: "
                    "plan the steps between them."
                )
                % {"distance": p.target_distance}
            ),
        )
    _agreement_signal(p, today, add)
    return found


def _agreement_signal(p, today: datetime.date, add) -> None:
    ends_on = p.agreement_ends_on
    if ends_on is None or ends_on > today + datetime.timedelta(days=AGREEMENT_ENDING_DAYS):
        return
    date = date_format(ends_on, "SHORT_DATE_FORMAT")
    if ends_on >= today:
        add(
            "agreement_ending",
            lambda: (
                _("The agreement in force ends on %(date)s: decide together whether to renew it.")
                % {"date": date}
            ),
        )
    else:
        add(
            "agreement_ending",
            lambda: (
                _("The agreement in force ended on %(date)s and no new version replaced it.")
                % {"date": date}
            ),
        )
