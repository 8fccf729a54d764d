"""Writes of the organisations app: creating organisations and managing their members.

Each takes the acting user, checks the role rules of ``permissions.py`` and runs in one
transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .choices import MemberRole
from .models import Membership, Organisation
from .permissions import require_admin

if TYPE_CHECKING:
    from .models import User


def _save(obj: models.Model, actor: User) -> None:
    """Validate (constraints included) and save, recording ``actor`` in the history."""
    obj.full_clean()
    obj._history_user = actor
    obj.save()


def free_slug(name: str) -> str:
    """A slug made from the name that no organisation uses yet."""
    base = slugify(name)[:70] or "organisation"
    candidate, suffix = base, 2
    while Organisation.objects.filter(slug=candidate).exists():
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


@transaction.atomic
def organisation_create(
    *, actor: User, name: str, kind: str, slug: str = "", **fields
) -> Organisation:
    """Create an organisation and make ``actor`` its first administrator."""
    organisation = Organisation(name=name, kind=kind, slug=slug or free_slug(name), **fields)
    _save(organisation, actor)
    _save(Membership(user=actor, organisation=organisation, role=MemberRole.ADMIN), actor)
    return organisation


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields) -> Organisation:
    """Change an organisation's description; only its administrators may."""
    require_admin(actor, organisation)
    for name, value in fields.items():
        setattr(organisation, name, value)
    _save(organisation, actor)
    return organisation


@transaction.atomic
def membership_add(*, actor: User, organisation: Organisation, user: User, role: str) -> Membership:
    """An administrator gives a person a role in the organisation."""
    require_admin(actor, organisation)
    membership = Membership(user=user, organisation=organisation, role=role)
    _save(membership, actor)
    return membership


@transaction.atomic
def membership_update(*, actor: User, membership: Membership, role: str) -> Membership:
    """An administrator changes a member's role; the last administrator stays one."""
    require_admin(actor, membership.organisation)
    if role != MemberRole.ADMIN:
        _require_another_admin(membership)
    membership.role = role
    _save(membership, actor)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """An administrator removes a member; the last administrator cannot be removed."""
    require_admin(actor, membership.organisation)
    _require_another_admin(membership)
    membership._history_user = actor
    membership.delete()


def _require_another_admin(membership: Membership) -> None:
    if membership.role != MemberRole.ADMIN:
        return
    # Lock the admins' rows so two admins cannot demote each other at the same time.
    admin_ids = set(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=MemberRole.ADMIN)
        .values_list("pk", flat=True)
    )
    if not admin_ids - {membership.pk}:
        raise ValidationError(
            {"role": _("An organisation keeps at least one administrator: name another first.")}
        )
