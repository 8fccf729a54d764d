"""Reads of notifications: what a person may see of theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from organisations.models import User


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: User) -> NotificationQuerySet:
        """The person's notifications they may still see: about themselves, or told as a
        member of an organisation they still belong to and that is active (one who left or an
        organisation deactivated takes its news with it). One query, the membership test a
        subquery."""
        if user is None or not user.is_authenticated:
            return self.none()
        from organisations.models import Membership

        organisations = Membership.objects.filter(user=user, organisation__active=True).values(
            "organisation_id"
        )
        return self.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=organisations), recipient=user
        )

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)
