"""Membership writes: adding people, changing roles, invitations by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .choices import MemberRole
from .models import MemberInvitation, Membership, Organisation, User
from .permissions import require_admin


def _save(obj, actor) -> None:
    obj.full_clean()
    obj._history_user = actor
    obj.save()


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
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise ValidationError(_("This person is already a member of the organisation."))
        membership = Membership(user=user, organisation=organisation, role=role)
        _save(membership, actor)
        return membership
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


def _require_another_admin(membership: Membership) -> None:
    others = Membership.objects.filter(
        organisation=membership.organisation, role=MemberRole.ADMIN
    ).exclude(pk=membership.pk)
    if membership.role == MemberRole.ADMIN and not others.exists():
        raise ValidationError(_("An organisation keeps at least one administrator."))


@transaction.atomic
def member_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require_admin(actor, membership.organisation)
    if role != MemberRole.ADMIN:
        _require_another_admin(membership)
    membership.role = role
    _save(membership, actor)
    return membership


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    require_admin(actor, membership.organisation)
    _require_another_admin(membership)
    membership._history_user = actor
    membership.delete()


@transaction.atomic
def member_invitation_cancel(*, actor: User, invitation: MemberInvitation) -> None:
    require_admin(actor, invitation.organisation)
    invitation._history_user = actor
    invitation.delete()
