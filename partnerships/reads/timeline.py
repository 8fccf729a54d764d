"""One partnership's story: changes, levels, checks and reviews merged in time order.

Each source is read once with a bound, so the page costs the same number of queries however
long the partnership's history is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.choices import AssessmentKind, Invitation, ProposalAnswer, ProposalState
from partnerships.models import (
    Agreement,
    Commitment,
    ConcernCheck,
    LevelAssessment,
    LevelProposal,
    LevelProposalAnswer,
    Party,
    Review,
)
from partnerships.models.base import RESTORED_REASON
from partnerships.reads.health import visible_concerns
from partnerships.services.partnerships import LEAD_NAMED_REASON

PER_SOURCE = 40
SHOWN = 80


@dataclass(frozen=True)
class Event:
    when: datetime.datetime
    kind: str
    text: str
    who: str


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _name(user) -> str:
    return str(user) if user else _("the platform")


HISTORY_VERBS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _history_verb(record) -> str:
    """What a history row of a deletable record did: marking it deleted or undoing that is a
    change row of its own kind."""
    if record.history_type == "~" and getattr(record, "deleted_at", None) is not None:
        return HISTORY_VERBS["-"]
    if record.history_type == "~" and record.history_change_reason == RESTORED_REASON:
        return _("restored")
    return HISTORY_VERBS[record.history_type]


def events(partnership, organisation) -> list[Event]:
    found: list[Event] = []
    for record in partnership.history.select_related("history_user")[:PER_SOURCE]:
        found.append(
            Event(
                record.history_date,
                "change",
                _("Partnership %(verb)s: %(title)s (status %(status)s)")
                % {
                    "verb": HISTORY_VERBS[record.history_type],
                    "title": record.title,
                    "status": record.get_status_display(),
                },
                _name(record.history_user),
            )
        )
    for record in (
        Party.history.filter(partnership_id=partnership.pk)
        .select_related("history_user", "organisation")
        .order_by("-history_date")[:PER_SOURCE]
    ):
        found.append(
            Event(
                record.history_date,
                "party",
                _party_event(record),
                _name(record.history_user),
            )
        )
    for record in (
        Commitment.history.filter(partnership_id=partnership.pk)
        # A purge row repeats a deletion already told (when it was marked deleted).
        .exclude(history_type="-", deleted_at__isnull=False)
        .select_related("history_user")
        .order_by("-history_date")[:PER_SOURCE]
    ):
        found.append(
            Event(
                record.history_date,
                "commitment",
                _("Commitment %(verb)s: %(title)s (%(status)s)")
                % {
                    "verb": _history_verb(record),
                    "title": record.title,
                    "status": record.get_status_display().lower(),
                },
                _name(record.history_user),
            )
        )
    for entry in (
        LevelAssessment.objects.visible_to_organisation(organisation)
        .filter(partnership=partnership)
        .select_related("author", "party__organisation")
        .order_by("-assessed_on", "-pk")[:PER_SOURCE]
    ):
        if entry.kind == AssessmentKind.PERCEIVED:
            text = _("%(organisation)s perceives level %(level)s") % {
                "organisation": entry.party.organisation.name,
                "level": entry.get_level_display(),
            }
        else:
            text = _("%(kind)s: %(level)s") % {
                "kind": entry.get_kind_display(),
                "level": entry.get_level_display(),
            }
        found.append(Event(_moment(entry.assessed_on), "level", text, _name(entry.author)))
    for check in (
        ConcernCheck.objects.filter(
            concern__in=visible_concerns(organisation).filter(partnership=partnership)
        )
        .select_related("author", "concern")
        .order_by("-checked_on", "-pk")[:PER_SOURCE]
    ):
        found.append(
            Event(
                _moment(check.checked_on),
                "check",
                _("%(concern)s rated %(intensity)s/5")
                % {
                    "concern": check.concern.category_label,
                    "intensity": check.intensity,
                },
                _name(check.author),
            )
        )
    for review in (
        Review.objects.filter(partnership=partnership)
        .select_related("created_by")
        .order_by("-scheduled_on")[:PER_SOURCE]
    ):
        day = review.held_on or review.scheduled_on
        text = (_("Review held") if review.held_on else _("Review planned")) + (
            f" — {review.decisions}" if review.decisions else ""
        )
        found.append(Event(_moment(day), "review", text, _name(review.created_by)))
    for record in (
        Agreement.history.filter(partnership_id=partnership.pk)
        .select_related("history_user")
        .order_by("-history_date")[:PER_SOURCE]
    ):
        found.append(
            Event(
                record.history_date,
                "agreement",
                _("Agreement version %(version)s: %(state)s")
                % {"version": record.version, "state": record.get_state_display().lower()},
                _name(record.history_user),
            )
        )
    found.extend(_proposal_events(partnership))
    found.sort(key=lambda event: event.when, reverse=True)
    return found[:SHOWN]


def _proposal_events(partnership) -> list[Event]:
    """Who proposed an agreed level, who confirmed or refused it and when, and when it was
    agreed or ended: two queries."""
    found: list[Event] = []
    proposals = (
        LevelProposal.objects.filter(partnership=partnership)
        .select_related("proposed_by__organisation", "author")
        .order_by("-created_at", "-pk")[:PER_SOURCE]
    )
    for proposal in proposals:
        level = proposal.get_level_display()
        found.append(
            Event(
                proposal.created_at,
                "level",
                _("%(organisation)s proposed %(level)s as the agreed level")
                % {"organisation": proposal.proposed_by.organisation.name, "level": level},
                _name(proposal.author),
            )
        )
        ending = {
            ProposalState.AGREED: _("Every partner confirmed: %(level)s is the agreed level"),
            ProposalState.SUPERSEDED: _("The proposal of %(level)s was replaced"),
        }.get(proposal.state)
        if ending and proposal.decided_at:
            found.append(
                Event(proposal.decided_at, "level", ending % {"level": level}, _("the platform"))
            )
    answers = (
        LevelProposalAnswer.objects.filter(proposal__partnership=partnership)
        .exclude(answered_at=None)
        .select_related("party__organisation", "answered_by", "proposal")
        .order_by("-answered_at", "-pk")[:PER_SOURCE]
    )
    for answer in answers:
        values = {
            "organisation": answer.party.organisation.name,
            "level": answer.proposal.get_level_display(),
            "reason": answer.reason,
        }
        if answer.state == ProposalAnswer.CONFIRMED:
            text = _("%(organisation)s confirmed %(level)s as the agreed level") % values
        elif answer.reason:
            text = _("%(organisation)s refused %(level)s as the agreed level: %(reason)s") % values
        else:
            text = _("%(organisation)s refused %(level)s as the agreed level") % values
        found.append(Event(answer.answered_at, "level", text, _name(answer.answered_by)))
    return found


def _party_event(record) -> str:
    """What happened to a party, as a whole sentence for each state of its invitation (an
    adjective glued to « invitation » would not agree in every language)."""
    names = {"organisation": record.organisation.name, "role": record.get_role_display().lower()}
    if record.left_on:
        if record.left_reason:
            return _("%(organisation)s left the partnership (%(reason)s)") % {
                **names,
                "reason": record.left_reason,
            }
        return _("%(organisation)s left the partnership") % names
    if record.history_change_reason == LEAD_NAMED_REASON:
        return _("%(organisation)s was named the lead") % names
    sentences = {
        Invitation.ACCEPTED: _("%(organisation)s accepted the invitation (role: %(role)s)"),
        Invitation.DECLINED: _("%(organisation)s declined the invitation (role: %(role)s)"),
    }
    return (
        sentences.get(record.invitation, _("Invitation sent to %(organisation)s (role: %(role)s)"))
        % names
    )
