"""What happens in a partnership, told to those concerned.

Each function is called by the partnerships service that makes the change, inside its
transaction, and asks the policy who is told: the parties taking part (an organisation only
invited hears of its invitation only), and of a concern only those who may read it. Within an
organisation the coordinators (administrators and editors) are told, or its administrators when
the news asks them to decide. The person who acted is not told of their own act.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.text import Truncator

from organisations.models import Membership
from organisations.permissions import administering
from partnerships import policy
from partnerships.reads.ical import review_calendar

from . import kinds
from .emails import absolute_url
from .services import Recipient, notify

if TYPE_CHECKING:
    from organisations.models import Organisation, User
    from partnerships.models import Agreement, Commitment, Concern, Party, Review


def coordinators(
    parties: Iterable[Party], *, actor: User | None, administrators: bool = False
) -> list[Recipient]:
    """The coordinators (or only the administrators) of the parties' active organisations,
    each told as a member of that organisation; never ``actor``."""
    memberships = Membership.objects.coordinators().filter(
        organisation_id__in=[party.organisation_id for party in parties],
        organisation__active=True,
        user__is_active=True,
    )
    if administrators:
        memberships = memberships.filter(administering())
    if actor is not None:
        memberships = memberships.exclude(user=actor)
    return [
        Recipient(m.user, m.organisation)
        for m in memberships.select_related("user", "organisation").order_by("user_id", "pk")
    ]


def page(name: str, **kwargs) -> Callable[[Organisation], str]:
    """The address of a partnership page as the recipient's organisation reaches it."""
    return lambda organisation: reverse(name, kwargs={"org_slug": organisation.slug, **kwargs})


def review_page(review: Review):
    return page("partnerships:review", partnership_id=review.partnership_id, review_id=review.pk)


def review_params(review: Review) -> dict:
    return {
        "partnership": review.partnership.title,
        "scheduled_on": review.scheduled_on.isoformat(),
    }


def calendar_file(review: Review):
    """The review's .ics for each recipient, in their language, linking to their page."""

    def attach(user: User, organisation: Organisation | None) -> list[dict]:
        link = absolute_url(
            "partnerships:review",
            org_slug=organisation.slug,
            partnership_id=review.partnership_id,
            review_id=review.pk,
        )
        method = "CANCEL" if review.is_cancelled else "PUBLISH"
        return [
            {
                "filename": f"review-{review.pk}.ics",
                "content": review_calendar(review, review.partnership, link).decode(),
                "mimetype": f"text/calendar; method={method}",
            }
        ]

    return attach


# --- Invitations -------------------------------------------------------------------------------
def party_invited(party: Party, *, acting: Organisation, actor: User) -> None:
    """The invited organisation's administrators answer the invitation."""
    notify(
        kinds.PARTY_INVITED.key,
        coordinators([party], actor=actor, administrators=True),
        event_key=f"party_invited:{party.pk}",
        url=lambda organisation: reverse(
            "partnerships:invitations", kwargs={"org_slug": organisation.slug}
        ),
        params={"organisation": acting.name, "partnership": party.partnership.title},
    )


def invitation_answered(party: Party, *, accepted: bool, actor: User) -> None:
    """The parties already taking part hear the answer."""
    kind = kinds.INVITATION_ACCEPTED if accepted else kinds.INVITATION_DECLINED
    others = policy.told_parties(party.partnership).exclude(pk=party.pk)
    notify(
        kind.key,
        coordinators(others, actor=actor),
        event_key=f"{kind.key}:{party.pk}",
        url=page("partnerships:workspace", partnership_id=party.partnership_id),
        params={"organisation": party.organisation.name, "partnership": party.partnership.title},
    )


# --- Agreements --------------------------------------------------------------------------------
def agreement_page(agreement: Agreement):
    return page("partnerships:tab-agreement", partnership_id=agreement.partnership_id)


def agreement_submitted(agreement: Agreement, *, actor: User) -> None:
    """Each party whose approval is needed: its administrators, about their own decision."""
    for party in policy.told_parties(agreement.partnership):
        notify(
            kinds.AGREEMENT_SUBMITTED.key,
            coordinators([party], actor=actor, administrators=True),
            event_key=f"agreement_submitted:{agreement.pk}:{agreement.submission_round}",
            url=agreement_page(agreement),
            params={
                "version": agreement.version,
                "partnership": agreement.partnership.title,
                "organisation": party.organisation.name,
            },
        )


def agreement_refused(
    agreement: Agreement, *, organisation: Organisation, reason: str, actor: User
) -> None:
    notify(
        kinds.AGREEMENT_REFUSED.key,
        coordinators(policy.told_parties(agreement.partnership), actor=actor),
        event_key=f"agreement_refused:{agreement.pk}:{agreement.submission_round}",
        url=agreement_page(agreement),
        params={
            "version": agreement.version,
            "partnership": agreement.partnership.title,
            "organisation": organisation.name,
            "reason": reason,
        },
    )


def agreement_in_force(agreement: Agreement, *, actor: User | None) -> None:
    notify(
        kinds.AGREEMENT_IN_FORCE.key,
        coordinators(policy.told_parties(agreement.partnership), actor=actor),
        event_key=f"agreement_in_force:{agreement.pk}",
        url=agreement_page(agreement),
        params={"version": agreement.version, "partnership": agreement.partnership.title},
    )


# --- Reviews -----------------------------------------------------------------------------------
def review_planned(review: Review, *, actor: User) -> None:
    """Every party taking part gets the calendar file, and is asked for its blind rating."""
    parties = list(policy.told_parties(review.partnership))
    notify(
        kinds.REVIEW_PLANNED.key,
        coordinators(parties, actor=actor),
        event_key=f"review_planned:{review.pk}",
        url=review_page(review),
        params=review_params(review),
        attachments=calendar_file(review),
    )
    for party in parties:
        notify(
            kinds.RATING_REQUESTED.key,
            coordinators([party], actor=actor),
            event_key=f"rating_requested:{review.pk}",
            url=review_page(review),
            params={**review_params(review), "organisation": party.organisation.name},
        )


def review_moved(review: Review, *, actor: User) -> None:
    notify(
        kinds.REVIEW_MOVED.key,
        coordinators(policy.told_parties(review.partnership), actor=actor),
        event_key=f"review_moved:{review.pk}:{review.ical_sequence}",
        url=review_page(review),
        params=review_params(review),
        attachments=calendar_file(review),
    )


def review_cancelled(review: Review, *, actor: User) -> None:
    notify(
        kinds.REVIEW_CANCELLED.key,
        coordinators(policy.told_parties(review.partnership), actor=actor),
        event_key=f"review_cancelled:{review.pk}",
        url=review_page(review),
        params={**review_params(review), "reason": review.cancel_reason},
        attachments=calendar_file(review),
    )


def review_held(review: Review, *, actor: User) -> None:
    notify(
        kinds.REVIEW_HELD.key,
        coordinators(policy.told_parties(review.partnership), actor=actor),
        event_key=f"review_held:{review.pk}",
        url=review_page(review),
        params=review_params(review),
    )


def review_closed(review: Review, *, actor: User) -> None:
    notify(
        kinds.REVIEW_CLOSED.key,
        coordinators(policy.told_parties(review.partnership), actor=actor),
        event_key=f"review_closed:{review.pk}",
        url=review_page(review),
        params=review_params(review),
    )


def questionnaire_page(review: Review):
    return page(
        "partnerships:questionnaire-answer",
        partnership_id=review.partnership_id,
        review_id=review.pk,
    )


def questionnaire_members(review: Review, *, exclude=None, questionnaire=None) -> list[Recipient]:
    """Every active member of the parties taking part, told as a member of their
    organisation (a person in two parties is asked once per organisation); for a party whose
    coordinators chose whom to ask, only those."""
    parties = list(policy.told_parties(review.partnership))
    chosen: dict[int, set[int]] = {}
    if questionnaire is not None:
        from partnerships.models import AskedMember

        by_party = {party.pk: party.organisation_id for party in parties}
        for party_id, user_id in AskedMember.objects.filter(
            questionnaire=questionnaire, party_id__in=list(by_party)
        ).values_list("party_id", "user_id"):
            chosen.setdefault(by_party[party_id], set()).add(user_id)
    memberships = Membership.objects.filter(
        organisation_id__in=[party.organisation_id for party in parties],
        organisation__active=True,
        user__is_active=True,
    )
    if exclude is not None:
        memberships = memberships.exclude(user_id__in=exclude)
    return [
        Recipient(m.user, m.organisation)
        for m in memberships.select_related("user", "organisation").order_by("user_id", "pk")
        if m.organisation_id not in chosen or m.user_id in chosen[m.organisation_id]
    ]


def _questionnaire_notify(kind, questionnaire, recipients, event_key: str) -> int:
    review = questionnaire.review
    told = 0
    by_organisation: dict[int, list[Recipient]] = {}
    for recipient in recipients:
        by_organisation.setdefault(recipient.organisation.pk, []).append(recipient)
    for group in by_organisation.values():
        told += notify(
            kind.key,
            group,
            event_key=event_key,
            url=questionnaire_page(review),
            params={
                **review_params(review),
                "organisation": group[0].organisation.name,
                "closes_on": questionnaire.closes_on.isoformat(),
            },
        )
    return told


def questionnaire_opened(questionnaire, *, actor: User) -> None:
    """Every member of the parties taking part is invited to answer."""
    _questionnaire_notify(
        kinds.QUESTIONNAIRE_OPENED,
        questionnaire,
        questionnaire_members(
            questionnaire.review, exclude=[actor.pk], questionnaire=questionnaire
        ),
        f"questionnaire_opened:{questionnaire.pk}",
    )


def questionnaire_members_added(questionnaire, party, users) -> int:
    """Members a party's coordinators newly chose to ask are invited (once each)."""
    ids = {user.pk for user in users}
    return _questionnaire_notify(
        kinds.QUESTIONNAIRE_OPENED,
        questionnaire,
        [
            recipient
            for recipient in questionnaire_members(
                questionnaire.review, questionnaire=questionnaire
            )
            if recipient.user.pk in ids and recipient.organisation.pk == party.organisation_id
        ],
        f"questionnaire_opened:{questionnaire.pk}",
    )


def questionnaire_reminder(questionnaire, answered_user_ids) -> int:
    """Those who have not answered yet are reminded once (by ``event_key``)."""
    return _questionnaire_notify(
        kinds.QUESTIONNAIRE_REMINDER,
        questionnaire,
        questionnaire_members(
            questionnaire.review, exclude=answered_user_ids, questionnaire=questionnaire
        ),
        f"questionnaire_reminder:{questionnaire.pk}",
    )


# --- Records -----------------------------------------------------------------------------------
def commitment_assigned(commitment: Commitment, *, acting: Organisation, actor: User) -> None:
    """A commitment another organisation gives to a party: that party's coordinators."""
    party = commitment.party
    if party.organisation_id == acting.pk:
        return  # an organisation knows what it takes on itself
    if not policy.told_parties(commitment.partnership).filter(pk=party.pk).exists():
        return
    notify(
        kinds.COMMITMENT_ASSIGNED.key,
        coordinators([party], actor=actor),
        event_key=f"commitment_assigned:{commitment.pk}:{party.pk}",
        url=page("partnerships:tab-commitments", partnership_id=commitment.partnership_id),
        params={
            "partnership": commitment.partnership.title,
            "organisation": party.organisation.name,
            "title": commitment.title,
        },
    )


def concern_raised(concern: Concern, *, actor: User) -> None:
    """The other parties that may read the concern: none for a private one."""
    readers = policy.concern_readers(concern, policy.told_parties(concern.partnership))
    others = [party for party in readers if party.pk != concern.raised_by_id]
    if not others:
        return
    notify(
        kinds.CONCERN_RAISED.key,
        coordinators(others, actor=actor),
        event_key=f"concern_raised:{concern.pk}",
        url=page("partnerships:tab-concerns", partnership_id=concern.partnership_id),
        params={
            "partnership": concern.partnership.title,
            "organisation": concern.raised_by.organisation.name,
            "concern": concern.kind,
            "description": Truncator(concern.description).chars(120),
        },
    )
