"""Inviting an organisation that is not on the platform yet, by a contact's e-mail address.

The coordinators of a party taking part (whoever may invite, ``policy.require_writer``) type
the organisation's name and an address; the contact receives a link, valid
``PARTNER_INVITATION_DAYS`` days, that lets them sign up or in, register the organisation (or
pick one they administer) and accept or decline in one go. The inviters re-send or withdraw it
while nobody answered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.emails import one_line
from organisations.permissions import require_admin
from organisations.signup import organisation_sign_up
from partnerships import policy
from partnerships.choices import PartnerInvitationState, PartyRole
from partnerships.models import PartnerInvitation, Partnership, Party
from partnerships.services.partnerships import invitation_respond, invited_party
from partnerships.services.versions import save_validated
from partnerships.signals import partner_invitation_withdrawn

if TYPE_CHECKING:
    from organisations.models import Organisation, User


def _expiry():
    return timezone.now() + timedelta(days=settings.PARTNER_INVITATION_DAYS)


@transaction.atomic
def partner_invite_by_email(
    *,
    actor: User,
    acting: Organisation,
    partnership: Partnership,
    organisation_name: str,
    email: str,
    role: str,
) -> PartnerInvitation:
    """Invite an organisation not on the platform: the contact at ``email`` is sent a link."""
    policy.require_writer(policy.Actor.of(actor, acting), partnership)
    invitation = PartnerInvitation(
        partnership=partnership,
        organisation_name=organisation_name.strip(),
        email=email.strip().lower(),
        role=role,
        invited_by=actor,
        inviting_organisation=acting,
        language=actor.language or settings.LANGUAGE_CODE,
        expires_at=_expiry(),
    )
    save_validated(invitation, actor)
    transaction.on_commit(lambda: send_partner_invitation(invitation.pk))
    return invitation


def _locked(invitation: PartnerInvitation) -> PartnerInvitation:
    return (
        PartnerInvitation.objects.select_for_update()
        .select_related("partnership")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def partner_invitation_resend(
    *, actor: User, acting: Organisation, invitation: PartnerInvitation
) -> PartnerInvitation:
    """Send the link again with a new expiry date (an expired invitation works again)."""
    policy.require_writer(policy.Actor.of(actor, acting), invitation.partnership)
    invitation = _locked(invitation)
    policy.require_partner_invitation_pending(invitation)
    invitation.expires_at = _expiry()
    save_validated(invitation, actor)
    transaction.on_commit(lambda: send_partner_invitation(invitation.pk))
    return invitation


@transaction.atomic
def partner_invitation_withdraw(
    *, actor: User, acting: Organisation, invitation: PartnerInvitation
) -> PartnerInvitation:
    """The inviters take the invitation back: its link says so from now on."""
    policy.require_writer(policy.Actor.of(actor, acting), invitation.partnership)
    invitation = _locked(invitation)
    policy.require_partner_invitation_pending(invitation)
    invitation.state = PartnerInvitationState.WITHDRAWN
    invitation.answered_at = timezone.now()
    save_validated(invitation, actor)
    transaction.on_commit(lambda: send_partner_invitation_withdrawn(invitation.pk))
    transaction.on_commit(
        lambda: partner_invitation_withdrawn.send(
            PartnerInvitation, invitation=invitation, actor=actor
        )
    )
    return invitation


@transaction.atomic
def partner_invitation_accept(
    *,
    user: User,
    invitation: PartnerInvitation,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
) -> Party:
    """The contact accepts for ``organisation`` (one they administer) or for the organisation
    they register now (``new_organisation``: name, kind, size_band, description): it becomes a
    party that has accepted. An organisation registered from an invitation is active at once,
    whatever ``ORGANISATION_SIGNUP`` says: a coordinator on the platform vouched for it."""
    invitation = _locked(invitation)
    policy.require_partner_invitation_open(invitation)
    if organisation is not None:
        require_admin(user, organisation)
    else:
        organisation = organisation_sign_up(actor=user, vouched=True, **(new_organisation or {}))
    inviter = invitation.invited_by or user
    party = invited_party(
        actor=inviter,
        partnership=invitation.partnership,
        organisation=organisation,
        role=invitation.role,
    )
    party = invitation_respond(actor=user, party=party, accept=True)
    invitation.state = PartnerInvitationState.ACCEPTED
    invitation.answered_at = timezone.now()
    invitation.organisation = organisation
    save_validated(invitation, user)
    return party


@transaction.atomic
def partner_invitation_decline(*, invitation: PartnerInvitation, user: User | None) -> None:
    """The contact says no (signed in or not: the link is theirs)."""
    invitation = _locked(invitation)
    policy.require_partner_invitation_open(invitation)
    invitation.state = PartnerInvitationState.DECLINED
    invitation.answered_at = timezone.now()
    if user is not None and user.is_authenticated:
        invitation._history_user = user
    invitation.full_clean()
    invitation.save()


def _send_to_contact(invitation: PartnerInvitation, template: str, context: dict) -> None:
    """One e-mail to the invitation's contact, in its language, as text and HTML."""
    with translation.override(invitation.language):
        subject = one_line(render_to_string(f"emails/{template}_subject.txt", context))
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_partner_invitation_withdrawn(invitation_id: int) -> None:
    """The contact learns the invitation was withdrawn (only if it had been sent)."""
    invitation = (
        PartnerInvitation.objects.select_related("partnership", "inviting_organisation")
        .filter(pk=invitation_id, state=PartnerInvitationState.WITHDRAWN)
        .exclude(sent_at=None)
        .first()
    )
    if invitation is None:
        return
    context = {
        "partnership": invitation.partnership,
        "inviting_organisation": invitation.inviting_organisation,
        "site_url": settings.SITE_URL,
        "user": invitation.organisation_name,
    }
    _send_to_contact(invitation, "partner_invitation_withdrawn", context)


def send_partner_invitation(invitation_id: int) -> None:
    """The e-mail to the contact, in the inviter's language, with a link to read it in the
    other one."""
    invitation = (
        PartnerInvitation.objects.select_related(
            "partnership", "invited_by", "inviting_organisation"
        )
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.current_state != PartnerInvitationState.PENDING:
        return  # answered or withdrawn meanwhile
    link = settings.SITE_URL + reverse(
        "partner-invitation", kwargs={"invitation_token": invitation.token}
    )
    other = [code for code, _name in settings.LANGUAGES if code != invitation.language]
    context = {
        "invitation": invitation,
        "partnership": invitation.partnership,
        "inviter": invitation.invited_by,
        "inviting_organisation": invitation.inviting_organisation,
        "lead": lead_organisation(invitation.partnership),
        "link": link,
        "expires_on": timezone.localdate(invitation.expires_at),
        "other_language_link": f"{link}?language={other[0]}" if other else "",
        "site_url": settings.SITE_URL,
        "user": invitation.organisation_name,
    }
    _send_to_contact(invitation, "partner_invitation", context)
    invitation.sent_at = timezone.now()
    invitation._change_reason = "e-mail sent"
    invitation.save(update_fields=["sent_at"])


def lead_organisation(partnership: Partnership) -> Organisation | None:
    """The lead party's organisation, what an invitee is shown of the parties."""
    party = (
        Party.objects.filter(policy.joined(), partnership=partnership, role=PartyRole.LEAD)
        .select_related("organisation")
        .first()
    )
    return party.organisation if party else None
