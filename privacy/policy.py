"""Who may erase whom: the rules of erasure in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.exceptions import Conflict
from organisations.choices import MemberRole
from organisations.models import Membership, Organisation

if TYPE_CHECKING:
    from organisations.models import User


class LastAdministrator(Conflict):
    """The person is the only administrator of an organisation: they hand the role over first."""

    def __init__(self, organisations: list[Organisation]):
        self.organisations = organisations
        super().__init__(
            _(
                "You are the only administrator of %(organisations)s: name another "
                "administrator there first (Members page), then delete your account."
            )
            % {"organisations": ", ".join(str(o) for o in organisations)}
        )


def organisations_only_administered_by(user: User) -> list[Organisation]:
    """Organisations where ``user`` is the one administrator (one query)."""
    return list(
        Organisation.objects.filter(
            pk__in=Membership.objects.filter(user=user, role=MemberRole.ADMIN).values(
                "organisation"
            )
        )
        .annotate(
            admins=Count("memberships", filter=Q(memberships__role=MemberRole.ADMIN), distinct=True)
        )
        .filter(admins=1)
        .order_by("name")
    )


def require_erasable(user: User) -> None:
    """An organisation always keeps an administrator: its last one names another first."""
    organisations = organisations_only_administered_by(user)
    if organisations:
        raise LastAdministrator(organisations)


def may_erase_from_admin(actor: User) -> bool:
    """Platform staff erase a person on request, from the admin."""
    return bool(actor.is_active and actor.is_staff)
