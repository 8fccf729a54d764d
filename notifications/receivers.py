"""Events sent as signals, told to the people concerned: the organisations app's (it knows
nothing of notifications) and the partnership's own signals (level proposals, a party leaving),
which are sent once the change is committed."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from organisations.models import Membership
from organisations.permissions import administering
from organisations.signals import (
    member_invited,
    organisation_join_answered,
    organisation_join_requested,
)
from partnerships import policy
from partnerships.signals import level_agreed, level_proposal_answered, level_proposed, party_left

from . import kinds
from .events import coordinators, page
from .services import Recipient, notify


@receiver(member_invited, dispatch_uid="notifications.member_invited")
def tell_the_person_invited(sender, invitation, **kwargs) -> None:
    """The account invited hears of it, about itself (it is no member yet)."""
    if invitation.invitee_id is None:
        return  # invited by address: the join link is e-mailed by organisations itself
    notify(
        kinds.MEMBER_INVITED.key,
        [Recipient(invitation.invitee)],
        event_key=f"member_invited:{invitation.pk}",
        url=reverse("member-invitations"),
        params={"organisation": invitation.organisation.name},
    )


# --- Requests to join an organisation ------------------------------------------------------------
def administrators_of(organisation) -> list[Recipient]:
    memberships = Membership.objects.filter(
        administering(),
        organisation=organisation,
        organisation__active=True,
        user__is_active=True,
    ).select_related("user", "organisation")
    return [Recipient(m.user, m.organisation) for m in memberships.order_by("user_id")]


@receiver(organisation_join_requested, dispatch_uid="notifications.join_requested")
def tell_the_administrators_asked(sender, join_request, **kwargs) -> None:
    """The administrators of the organisation (or system) asked answer on their members page."""
    organisation = join_request.organisation
    if join_request.unit_id:
        kind = kinds.UNIT_REQUESTED
        params = {"unit": join_request.unit.name, "organisation": organisation.name}
    else:
        kind = kinds.JOIN_REQUESTED
        params = {"person": str(join_request.user), "organisation": organisation.name}
    notify(
        kind.key,
        administrators_of(organisation),
        event_key=f"{kind.key}:{join_request.pk}",
        url=reverse("members", kwargs={"org_slug": organisation.slug}),
        params={**params, "message": join_request.message},
    )


@receiver(organisation_join_answered, dispatch_uid="notifications.join_answered")
def tell_the_person_answered(sender, join_request, actor=None, **kwargs) -> None:
    """The person who asked hears the answer, about themselves."""
    notify(
        kinds.JOIN_ANSWERED.key,
        [Recipient(join_request.user)],
        event_key=f"join_answered:{join_request.pk}",
        url=reverse("home"),
        params={"organisation": join_request.organisation.name, "state": join_request.state},
    )


# --- The level agreed together -------------------------------------------------------------------
def level_params(proposal) -> dict:
    return {
        "organisation": proposal.proposed_by.organisation.name,
        "partnership": proposal.partnership.title,
        "level": str(proposal.level),
    }


def workspace(proposal):
    return page("partnerships:workspace", partnership_id=proposal.partnership_id)


@receiver(level_proposed, dispatch_uid="notifications.level_proposed")
def tell_the_parties_asked(sender, proposal, **kwargs) -> None:
    """Each party whose confirmation the proposal waits for: its coordinators answer."""
    asked = policy.proposal_answerers(proposal.partnership, proposal)
    notify(
        kinds.LEVEL_PROPOSED.key,
        coordinators(asked, actor=proposal.author),
        event_key=f"level_proposed:{proposal.pk}",
        url=workspace(proposal),
        params=level_params(proposal),
    )


@receiver(level_proposal_answered, dispatch_uid="notifications.level_refused")
def tell_the_refusal(sender, proposal, party, accepted, **kwargs) -> None:
    """A refusal ends the proposal: the other parties hear it, with the reason. A confirmation
    is told only when it is the last one (``level_agreed``)."""
    if accepted:
        return
    answer = proposal.answers.select_related("answered_by").filter(party=party).first()
    others = policy.told_parties(proposal.partnership).exclude(pk=party.pk)
    notify(
        kinds.LEVEL_REFUSED.key,
        coordinators(others, actor=answer.answered_by if answer else None),
        event_key=f"level_refused:{proposal.pk}",
        url=workspace(proposal),
        params={
            **level_params(proposal),
            "organisation": party.organisation.name,
            "reason": answer.reason if answer else "",
        },
    )


@receiver(level_agreed, dispatch_uid="notifications.level_agreed")
def tell_the_agreement(sender, proposal, **kwargs) -> None:
    notify(
        kinds.LEVEL_AGREED.key,
        coordinators(policy.told_parties(proposal.partnership), actor=None),
        event_key=f"level_agreed:{proposal.pk}",
        url=workspace(proposal),
        params=level_params(proposal),
    )


# --- A party leaving -----------------------------------------------------------------------------
@receiver(party_left, dispatch_uid="notifications.party_left")
def tell_the_remaining_parties(sender, party, reason="", actor=None, **kwargs) -> None:
    """The parties still taking part hear it; when it was the lead, their administrators are
    asked to name a new one."""
    partnership = party.partnership
    remaining = policy.told_parties(partnership).exclude(pk=party.pk)
    notify(
        kinds.PARTY_LEFT.key,
        coordinators(remaining, actor=actor),
        event_key=f"party_left:{party.pk}",
        url=page("partnerships:workspace", partnership_id=partnership.pk),
        params={
            "organisation": party.organisation.name,
            "partnership": partnership.title,
            "reason": reason,
        },
    )
    if not policy.has_lead(partnership):
        notify(
            kinds.LEAD_NEEDED.key,
            coordinators(remaining, actor=actor, administrators=True),
            event_key=f"lead_needed:{party.pk}",
            url=page("partnerships:name-lead", partnership_id=partnership.pk),
            params={"partnership": partnership.title},
        )
