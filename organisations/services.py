"""Writes of the organisations app: organisations, their members, invitations to join.

Each takes the acting user, checks the role rules of ``permissions.py`` and runs in one
transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .choices import MemberRole
from .models import MemberInvitation, Membership, Organisation, User
from .permissions import require_admin, require_an_administrator_left, require_member_manager
from .signals import member_invited


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
def membership_update(*, actor: User, membership: Membership, role: str) -> Membership:
    """An administrator changes a member's role; the last administrator stays one."""
    require_member_manager(actor, membership.organisation)
    require_an_administrator_left(membership, role)
    membership.role = role
    _save(membership, actor)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """An administrator removes a member; the last administrator cannot be removed."""
    require_member_manager(actor, membership.organisation)
    require_an_administrator_left(membership, None)
    membership._history_user = actor
    membership.delete()


def _require_active(organisation: Organisation) -> None:
    if not organisation.active:
        raise ValidationError(
            _(
                "The organisation %(organisation)s has been deactivated by the platform staff: "
                "it no longer takes new members."
            )
            % {"organisation": organisation}
        )


def _find_account(identifier: str) -> User | None:
    """The active account of this username, or else of this e-mail address (any case)."""
    accounts = User.objects.filter(is_active=True)
    return (
        accounts.filter(username__iexact=identifier).first()
        or accounts.filter(email__iexact=identifier).order_by("pk").first()
    )


@transaction.atomic
def member_add(
    *, actor: User, organisation: Organisation, identifier: str, role: str
) -> MemberInvitation:
    """Invite a person, named by username or e-mail address, to join the organisation.

    Nobody becomes a member without accepting: a person with an account is invited to answer
    in the application (and told by e-mail); an address without an account receives a link to
    create one. The invitation shows only ``identifier``, what the administrator typed.
    """
    require_member_manager(actor, organisation)
    _require_active(organisation)
    identifier = identifier.strip()
    if "@" in identifier:  # addresses are kept in lower case, whether an account has them or not
        identifier = identifier.lower()
    user = _find_account(identifier)
    if user is not None:
        return member_invite(
            actor=actor, organisation=organisation, user=user, role=role, invited_as=identifier
        )
    if "@" not in identifier:
        raise ValidationError(
            _("Nobody has this username. To invite someone new, give their e-mail address.")
        )
    invitation = MemberInvitation(
        organisation=organisation,
        email=identifier,
        invited_as=identifier,
        role=role,
        invited_by=actor,
    )
    _save(invitation, actor)
    transaction.on_commit(lambda: send_member_invitation(invitation.pk))
    return invitation


@transaction.atomic
def member_invite(
    *, actor: User, organisation: Organisation, user: User, role: str, invited_as: str = ""
) -> MemberInvitation:
    """Invite an existing account; it becomes a member only when its owner accepts."""
    require_member_manager(actor, organisation)
    _require_active(organisation)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("This person is already a member of the organisation."))
    invitation = MemberInvitation(
        organisation=organisation,
        invitee=user,
        invited_as=invited_as or user.username,
        role=role,
        invited_by=actor,
    )
    _save(invitation, actor)
    # The person is told by the notifications app (organisations knows nothing of it).
    member_invited.send(sender=MemberInvitation, invitation=invitation)
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
    """The invited person, signed in, joins the organisation with the role proposed.

    An invitation addressed to an account is accepted by that account only; one sent to an
    address (its link) by whoever holds the link.
    """
    invitation = (
        MemberInvitation.objects.select_for_update()
        .select_related("organisation")
        .get(pk=invitation.pk)
    )
    if invitation.invitee_id is not None and invitation.invitee_id != user.pk:
        raise PermissionDenied(_("This invitation is addressed to somebody else."))
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has already been answered."))
    if not invitation.organisation.active:
        raise ValidationError(
            _(
                "The organisation %(organisation)s has been deactivated by the platform staff: "
                "its invitations can no longer be accepted."
            )
            % {"organisation": invitation.organisation}
        )
    invitation.accepted_at = timezone.now()
    _save(invitation, user)
    membership = Membership.objects.filter(user=user, organisation=invitation.organisation).first()
    if membership is None:
        membership = Membership(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
        _save(membership, user)
    return membership


@transaction.atomic
def invitation_decline(*, invitation: MemberInvitation, user: User) -> MemberInvitation:
    """The person invited says no: the invitation is kept, answered, and leaves the lists."""
    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.invitee_id != user.pk:
        raise PermissionDenied(_("This invitation is addressed to somebody else."))
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has already been answered."))
    invitation.declined_at = timezone.now()
    _save(invitation, user)
    return invitation


@transaction.atomic
def member_invitation_cancel(*, actor: User, invitation: MemberInvitation) -> None:
    require_member_manager(actor, invitation.organisation)
    invitation._history_user = actor
    invitation.delete()


def email_address_confirm(*, user: User) -> None:
    """Record the user's e-mail address as verified and primary (allauth's EmailAddress).

    For an address proven otherwise than by allauth's link: the invitation link the person
    followed to join, or the demo data. Sign-in with that address then works at once.
    """
    from allauth.account.models import EmailAddress

    if not user.email:
        return
    EmailAddress.objects.filter(user=user, primary=True).exclude(email__iexact=user.email).update(
        primary=False
    )
    EmailAddress.objects.update_or_create(
        user=user, email=user.email.lower(), defaults={"verified": True, "primary": True}
    )
