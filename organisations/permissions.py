"""Who may do what in an organisation: one place for the role rules.

Views and the API call these before any write; services call them again, so a write path that
forgets the view-level check is still refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import MemberRole
from .models import Membership

if TYPE_CHECKING:
    from .models import Organisation, User

WRITER_ROLES = (MemberRole.ADMIN, MemberRole.EDITOR)


def writes(role: str | None) -> bool:
    """Editors and administrators write; viewers read."""
    return role in WRITER_ROLES


def administers(role: str | None) -> bool:
    """Administrators manage members, answer invitations and decide for their organisation."""
    return role == MemberRole.ADMIN


def writing(prefix: str = "") -> Q:
    """Memberships that write (editors and administrators), as a filter."""
    return Q(**{f"{prefix}role__in": WRITER_ROLES})


def administering(prefix: str = "") -> Q:
    """Memberships that administer, as a filter."""
    return Q(**{f"{prefix}role": MemberRole.ADMIN})


def memberships_that_write(user: User) -> models.QuerySet:
    """The user's memberships of active organisations as editor or administrator."""
    return Membership.objects.filter(user=user, role__in=WRITER_ROLES, organisation__active=True)


def memberships_that_administer(user: User) -> models.QuerySet:
    """The user's memberships of active organisations as administrator."""
    return Membership.objects.filter(user=user, role=MemberRole.ADMIN, organisation__active=True)


def role_of(user: User | None, organisation: Organisation) -> str | None:
    """The user's role in the organisation, or None for a non-member."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def require_writer(user: User | None, organisation: Organisation) -> None:
    """Admins and editors write; viewers and non-members are refused."""
    if not writes(role_of(user, organisation)):
        raise PermissionDenied(
            _("Only editors and administrators of %(organisation)s can do this.")
            % {"organisation": organisation}
        )


def require_admin(user: User | None, organisation: Organisation) -> None:
    if not administers(role_of(user, organisation)):
        raise PermissionDenied(
            _("Only administrators of %(organisation)s can do this.")
            % {"organisation": organisation}
        )


def may_manage_members(membership: Membership | None) -> bool:
    """Administrators invite, change roles and remove members; nobody else does."""
    return membership is not None and membership.role == MemberRole.ADMIN


def require_member_manager(user: User | None, organisation: Organisation) -> None:
    """The members of an organisation are managed by those ``may_manage_members`` names."""
    membership = None
    if user is not None and user.is_authenticated:
        membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if not may_manage_members(membership):
        raise PermissionDenied(
            _("Only administrators of %(organisation)s can do this.")
            % {"organisation": organisation}
        )


def require_an_administrator_left(membership: Membership, new_role: str | None) -> None:
    """An organisation keeps at least one administrator: demoting (``new_role``) or removing
    (None) its last one is refused. The administrators' rows are locked, so two of them cannot
    demote each other at the same time."""
    if not administers(membership.role) or administers(new_role):
        return
    admin_ids = set(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=MemberRole.ADMIN)
        .values_list("pk", flat=True)
    )
    if not admin_ids - {membership.pk}:
        raise ValidationError(
            {"role": _("An organisation keeps at least one administrator: name another first.")}
        )


def must_set_up_two_factor(user: User, has_two_factor: Callable[[User], bool]) -> bool:
    """Platform staff turn on two-factor authentication before anything else, where the
    setting asks for it (MFA_REQUIRED_FOR_STAFF, on in production). ``has_two_factor`` is
    asked last: only then is the query made."""
    return bool(
        settings.MFA_REQUIRED_FOR_STAFF
        and user.is_authenticated
        and user.is_staff
        and not has_two_factor(user)
    )
