"""Reads of the organisations app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Subquery

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

    def with_role_of(self, user: User) -> OrganisationQuerySet:
        """Annotate ``role``: the user's role in each organisation (None where not a member)."""
        memberships = apps.get_model("organisations", "Membership").objects.filter(
            organisation=OuterRef("pk"), user=user if user.is_authenticated else None
        )
        return self.annotate(role=Subquery(memberships.values("role")[:1]))


class MembershipQuerySet(models.QuerySet):
    def coordinators(self) -> MembershipQuerySet:
        """Members who write: admins and editors."""
        from .permissions import writing  # permissions reads the models, built on this module

        return self.filter(writing())


class MemberInvitationQuerySet(models.QuerySet):
    def pending(self) -> MemberInvitationQuerySet:
        """Invitations still waiting for an answer: neither accepted nor declined."""
        return self.filter(accepted_at__isnull=True, declined_at__isnull=True)

    def for_invitee(self, user: User) -> MemberInvitationQuerySet:
        """The pending invitations addressed to this account, in active organisations."""
        if not user.is_authenticated:
            return self.none()
        return self.pending().filter(invitee=user, organisation__active=True)


class RequestQuerySet(models.QuerySet):
    def pending(self) -> RequestQuerySet:
        """Requests still waiting for an answer."""
        from .choices import RequestState

        return self.filter(state=RequestState.PENDING)


class JoinRequestQuerySet(RequestQuerySet):
    def of_people(self) -> JoinRequestQuerySet:
        """Requests of a person to become a member (not of a unit to join a system)."""
        return self.filter(unit__isnull=True)

    def of_units(self) -> JoinRequestQuerySet:
        """Requests of an organisation to belong to a system."""
        return self.filter(unit__isnull=False)
