"""Writes of the organisations app: organisations, their members, invitations by e-mail.

Each takes the acting user, checks the role rules of ``permissions.py`` and runs in one
transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .choices import MemberRole
from .models import MemberInvitation, Membership, Organisation, User
from .permissions import require_admin


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


@transaction.atomic
def member_add(
    *, actor: User, organisation: Organisation, identifier: str, role: str
) -> Membership | MemberInvitation:
    """Add an existing user (by username or e-mail) or invite an e-mail address.

    Returns the new membership, or the invitation when nobody has an account at that address.
    """
    require_admin(actor, organisation)
    identifier = identifier.strip()
    user = User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier)).first()
    if user is not None:
        return membership_add(actor=actor, organisation=organisation, user=user, role=role)
    if "@" not in identifier:
        raise ValidationError(
            _("Nobody has this username. To invite someone new, give their e-mail address.")
        )
    invitation = MemberInvitation(
        organisation=organisation, email=identifier.lower(), role=role, invited_by=actor
    )
    _save(invitation, actor)
    transaction.on_commit(lambda: send_member_invitation(invitation.pk))
    return invitation


def send_member_invitation(invitation_id: int) -> None:
    invitation = MemberInvitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    link = settings.SITE_URL + reverse("join", kwargs={"token": invitation.token})
    language = getattr(invitation.invited_by, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Join %(organisation)s on the partnership tracker") % {
            "organisation": invitation.organisation.name
        }
        body = _(
            "%(inviter)s invites you to join %(organisation)s as %(role)s.\n\n"
            "Create your account with this link:\n%(link)s\n"
        ) % {
            "inviter": invitation.invited_by or _("An administrator"),
            "organisation": invitation.organisation.name,
            "role": invitation.get_role_display().lower(),
            "link": link,
        }
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def invitation_accept(*, invitation: MemberInvitation, user: User) -> Membership:
    """The invited person, signed in, joins the organisation with the role proposed."""
    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    invitation.accepted_at = timezone.now()
    _save(invitation, user)
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def member_invitation_cancel(*, actor: User, invitation: MemberInvitation) -> None:
    require_admin(actor, invitation.organisation)
    invitation._history_user = actor
    invitation.delete()
