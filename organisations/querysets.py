"""Reads of the organisations app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from .choices import MemberRole

if TYPE_CHECKING:
    from .models import User


class OrganisationQuerySet(models.QuerySet):
    def active(self) -> OrganisationQuerySet:
        return self.filter(active=True)

    def of_user(self, user: User) -> OrganisationQuerySet:
        """The organisations the user is a member of, whatever the role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class MembershipQuerySet(models.QuerySet):
    def coordinators(self) -> MembershipQuerySet:
        """Members who write: admins and editors."""
        return self.filter(role__in=[MemberRole.ADMIN, MemberRole.EDITOR])
