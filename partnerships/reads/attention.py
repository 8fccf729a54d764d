"""What the dashboard's tiles count, as filters of the partnership list: each tile links to the
list narrowed by the same filter, so the count on the tile is the count of the list.

One definition per tile (``ATTENTION``), used by both: the dashboard counts it, the list
filters by it (``?attention=<key>``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from partnerships.choices import PartnershipStatus
from partnerships.models import Partnership, PartnershipView

# A review due within this many days (or overdue) counts as due.
REVIEW_DUE_DAYS = 30
RUNNING = [PartnershipStatus.ACTIVE, PartnershipStatus.PROPOSED]


def reviews_due(partnerships: QuerySet, organisation, today: datetime.date) -> QuerySet:
    """Running partnerships whose next review is overdue or within 30 days."""
    return partnerships.filter(
        status__in=RUNNING, next_review_on__lte=today + datetime.timedelta(days=REVIEW_DUE_DAYS)
    )


def overdue_reviews(partnerships: QuerySet, organisation, today: datetime.date) -> QuerySet:
    """Running partnerships whose next review (by cadence, or as planned) is past: the
    dashboard's "review overdue" signal, the API summary's ``overdue_reviews`` and the review
    punctuality report's "overdue today" all count these."""
    return partnerships.filter(status__in=RUNNING, next_review_on__lt=today)


def with_overdue_commitments(partnerships: QuerySet, organisation, today) -> QuerySet:
    """Partnerships with a commitment still to do past its due date (whoever owns it): the
    read model keeps the earliest such due date."""
    return partnerships.filter(state__first_pending_due_on__lt=today)


def with_high_concerns(partnerships: QuerySet, organisation, today) -> QuerySet:
    """Partnerships with an open fear or resistance the organisation sees, last rated 4 or 5
    (counted for each organisation by the read model)."""
    high = PartnershipView.objects.filter(
        partnership=OuterRef("pk"), organisation=organisation, high_concerns__gt=0
    )
    return partnerships.filter(Exists(high))


Filter = Callable[[QuerySet, object, datetime.date], QuerySet]

ATTENTION: dict[str, tuple[str, Filter]] = {
    "reviews_due": (_("Review due within 30 days or overdue"), reviews_due),
    "overdue_commitments": (_("With overdue commitments"), with_overdue_commitments),
    "high_concerns": (_("With a fear or resistance at 4 or 5"), with_high_concerns),
    "overdue_reviews": (_("Review overdue"), overdue_reviews),
}
# The dashboard's tiles (the list filters by every key of ATTENTION).
TILES = ("reviews_due", "overdue_commitments", "high_concerns")


def needing_attention(
    partnerships: QuerySet, organisation, key: str, today: datetime.date
) -> QuerySet:
    """``partnerships`` narrowed by the tile's filter named ``key``."""
    return ATTENTION[key][1](partnerships, organisation, today)


def attention_counts(organisation, today: datetime.date) -> dict[str, int]:
    """Each tile's count (one query each), over the organisation's partnerships."""
    partnerships = Partnership.objects.for_organisation(organisation)
    return {key: needing_attention(partnerships, organisation, key, today).count() for key in TILES}
