"""What the dashboard's tiles count, as filters of the partnership list: each tile links to the
list narrowed by the same filter, so the count on the tile is the count of the list.

One definition per tile (``ATTENTION``), used by both: the dashboard counts it, the list
filters by it (``?attention=<key>``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partnerships.choices import PartnershipStatus
from partnerships.models import PartnershipView

# A review due within this many days (or overdue) counts as due.
REVIEW_DUE_DAYS = 30
RUNNING = [PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED]


def reviews_due(organisation, today: datetime.date) -> Q:
    """Running partnerships whose next review is overdue or within 30 days."""
    return Q(
        status__in=RUNNING, next_review_on__lte=today + datetime.timedelta(days=REVIEW_DUE_DAYS)
    )


def overdue_review(organisation, today: datetime.date) -> Q:
    """Running partnerships whose next review (by cadence, or as planned) is past: the
    dashboard's "review overdue" signal, the API summary's ``overdue_reviews`` and the review
    punctuality report's "overdue today" all count these."""
    return Q(status__in=RUNNING, next_review_on__lt=today)


def overdue_reviews(partnerships: QuerySet, organisation, today: datetime.date) -> QuerySet:
    """``partnerships`` narrowed to those whose review is overdue (``overdue_review``)."""
    return partnerships.filter(overdue_review(organisation, today))


def with_overdue_commitments(organisation, today) -> Q:
    """Partnerships with a commitment still to do past its due date (whoever owns it): the
    read model keeps the earliest such due date."""
    return Q(state__first_pending_due_on__lt=today)


def with_high_concerns(organisation, today) -> Q:
    """Partnerships with an open fear or resistance the organisation sees, last rated 4 or 5
    (counted for each organisation by the read model)."""
    high = PartnershipView.objects.filter(organisation=organisation, high_concerns__gt=0)
    return Q(pk__in=high.values("partnership"))


Filter = Callable[[object, datetime.date], Q]

ATTENTION: dict[str, tuple[str, Filter]] = {
    "reviews_due": (_("Review due within 30 days or overdue"), reviews_due),
    "overdue_commitments": (_("With overdue commitments"), with_overdue_commitments),
    "high_concerns": (_("With a fear or resistance at 4 or 5"), with_high_concerns),
    "overdue_reviews": (_("Review overdue"), overdue_review),
}
# The dashboard's tiles (the list filters by every key of ATTENTION).
TILES = ("reviews_due", "overdue_commitments", "high_concerns")


def needing_attention(
    partnerships: QuerySet, organisation, key: str, today: datetime.date
) -> QuerySet:
    """``partnerships`` narrowed by the tile's filter named ``key``."""
    return partnerships.filter(ATTENTION[key][1](organisation, today))


def attention_counts(partnerships: QuerySet, organisation, today: datetime.date, **more) -> dict:
    """Each tile's count over ``partnerships``, with the counts ``more`` names (``Count``
    expressions), in one query."""
    return partnerships.aggregate(
        **more,
        **{key: Count("pk", filter=ATTENTION[key][1](organisation, today)) for key in TILES},
    )
