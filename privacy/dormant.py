"""Organisations left unused, reported to staff before anything is deleted.

An organisation is dormant when every partnership it took part in has ended (or it left them,
or declined the invitation), none of its members signed in for
``RETENTION_INACTIVE_ORGANISATION_DAYS`` days, and it was registered before that. Staff see
them in the admin and decide: nothing is deleted automatically.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from organisations.models import Membership, Organisation
from partnerships.choices import PartnershipStatus
from partnerships.models import Party
from partnerships.policy import counted


def dormancy_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(
        days=settings.RETENTION_INACTIVE_ORGANISATION_DAYS
    )


def dormant_organisations(
    queryset: QuerySet | None = None, now: datetime.datetime | None = None
) -> QuerySet:
    """The dormant organisations (of ``queryset``), with ``last_sign_in`` (None: never) and
    ``partnership_count``; one query."""
    cutoff = dormancy_cutoff(now)
    queryset = Organisation.objects.all() if queryset is None else queryset
    live_party = Party.objects.filter(counted(), organisation=OuterRef("pk")).exclude(
        partnership__status=PartnershipStatus.ENDED
    )
    recent_sign_in = Membership.objects.filter(
        organisation=OuterRef("pk"), user__last_login__gte=cutoff
    )
    return (
        queryset.filter(created_at__lt=cutoff)
        .exclude(Exists(live_party))
        .exclude(Exists(recent_sign_in))
        .annotate(
            last_sign_in=Max("memberships__user__last_login"),
            partnership_count=Count("parties__partnership", distinct=True),
        )
        .order_by("name", "pk")
    )
