"""Writes on the level agreed together outside a review: propose, confirm, refuse.

One party proposes a level; every other party taking part is asked. Once all of them have
confirmed, the level becomes the agreed level (a new entry of the level log, dated that day);
a refusal by any of them ends the proposal and the agreed level stays what it was. A new
proposal replaces the pending one (a counter-proposal is the usual answer to a proposal), and
a level agreed at a held review replaces it too. When the parties change while a proposal is
pending (one leaves, one joins), the parties taking part then decide it.

Each function locks the proposal while it checks its state and sends its signal once the
transaction is committed (``partnerships.signals``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import AssessmentKind, ProposalAnswer, ProposalState
from partnerships.models import (
    LevelAssessment,
    LevelProposal,
    LevelProposalAnswer,
    Partnership,
)
from partnerships.services import state
from partnerships.services.versions import save_validated
from partnerships.signals import level_agreed, level_proposal_answered, level_proposed

if TYPE_CHECKING:
    from organisations.models import User


def _actor(user: User, organisation: Organisation) -> policy.Actor:
    return policy.Actor.of(user, organisation)


def _send_after_commit(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=LevelProposal, **kwargs))


def _pending(partnership: Partnership) -> LevelProposal | None:
    return (
        LevelProposal.objects.select_for_update(of=("self",))
        .filter(partnership=partnership, state=ProposalState.PENDING)
        .first()
    )


def _close(proposal: LevelProposal, state: str, **fields) -> None:
    proposal.state = state
    proposal.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(proposal, name, value)
    save_validated(proposal, None)


@transaction.atomic
def level_propose(
    *,
    actor: User,
    organisation: Organisation,
    partnership: Partnership,
    level: int,
    rationale: str = "",
) -> LevelProposal:
    """Propose ``level`` as the level agreed together, for the acting organisation's party.

    The pending proposal, if any, is replaced. With no other party taking part, nobody is left
    to confirm: the level is agreed at once.
    """
    party = policy.require_level_proposer(_actor(actor, organisation), partnership)
    # Two proposals at once: the second waits, then replaces the first (one pending at a time).
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    previous = _pending(partnership)
    if previous is not None:
        _close(previous, ProposalState.SUPERSEDED)
    proposal = LevelProposal(
        partnership=partnership,
        level=level,
        rationale=rationale,
        proposed_by=party,
        author=actor,
    )
    save_validated(proposal, actor)
    if previous is not None:
        previous.superseded_by = proposal
        previous.save(update_fields=["superseded_by"])
    _ask(
        proposal,
        [
            LevelProposalAnswer(proposal=proposal, party=other)
            for other in policy.proposal_answerers(partnership, proposal)
        ],
    )
    _send_after_commit(level_proposed, proposal=proposal)
    _agree_if_all_confirmed(proposal)
    return proposal


def _ask(proposal: LevelProposal, answers: list[LevelProposalAnswer]) -> None:
    """Ask these parties to answer (their questions are written at once, which sends no
    signal: the to-do of the read model is told here)."""
    LevelProposalAnswer.objects.bulk_create(answers)
    if answers:
        state.changed([proposal.partnership_id], state.todo("level_proposals"))


@transaction.atomic
def level_proposal_confirm(
    *, actor: User, organisation: Organisation, proposal: LevelProposal
) -> LevelProposal:
    """Confirm the proposal for the acting organisation; the last confirmation agrees it."""
    proposal, answer = _answering(actor, organisation, proposal)
    _answer(answer, actor, ProposalAnswer.CONFIRMED, "")
    _send_after_commit(
        level_proposal_answered, proposal=proposal, party=answer.party, accepted=True
    )
    _agree_if_all_confirmed(proposal)
    return proposal


@transaction.atomic
def level_proposal_refuse(
    *, actor: User, organisation: Organisation, proposal: LevelProposal, reason: str = ""
) -> LevelProposal:
    """Refuse the proposal for the acting organisation: it ends, and the agreed level stays
    what it was."""
    proposal, answer = _answering(actor, organisation, proposal)
    _answer(answer, actor, ProposalAnswer.REFUSED, (reason or "").strip())
    _close(proposal, ProposalState.REFUSED)
    _send_after_commit(
        level_proposal_answered, proposal=proposal, party=answer.party, accepted=False
    )
    return proposal


@transaction.atomic
def level_proposal_parties_changed(partnership: Partnership) -> None:
    """The parties changed while a proposal is pending: a party that left is no longer asked
    (its unanswered question goes), a party that joined is asked, and if every party still
    asked has confirmed, the level is agreed now (nobody else is left to decide)."""
    proposal = _pending(partnership)
    if proposal is None:
        return
    answerers = list(policy.proposal_answerers(partnership, proposal))
    asked = set(proposal.answers.values_list("party_id", flat=True))
    _ask(
        proposal,
        [
            LevelProposalAnswer(proposal=proposal, party=party)
            for party in answerers
            if party.pk not in asked
        ],
    )
    proposal.answers.filter(state=ProposalAnswer.PENDING).exclude(
        party__in=[party.pk for party in answerers]
    ).delete()
    _agree_if_all_confirmed(proposal)


def level_proposal_replace_by_review(partnership: Partnership) -> None:
    """A level agreed together at a held review replaces the pending proposal: the parties
    decided together, in the meeting."""
    proposal = _pending(partnership)
    if proposal is not None:
        _close(proposal, ProposalState.SUPERSEDED)


# --- Helpers -------------------------------------------------------------------------------
def _answering(
    actor: User, organisation: Organisation, proposal: LevelProposal
) -> tuple[LevelProposal, LevelProposalAnswer]:
    """The proposal locked and read again (its state may have moved since it was loaded),
    and the acting party's answer row, once the policy allowed answering."""
    locked = (
        LevelProposal.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=proposal.pk)
    )
    answer = policy.require_level_answerer(_actor(actor, organisation), locked)
    return locked, answer


def _answer(answer: LevelProposalAnswer, actor: User, state: str, reason: str) -> None:
    answer.state = state
    answer.reason = reason
    answer.answered_by = actor
    answer.answered_at = timezone.now()
    save_validated(answer, actor)


def _agree_if_all_confirmed(proposal: LevelProposal) -> None:
    """Every party asked and still taking part has confirmed: the level is agreed, as a new
    entry of the level log written by the person who proposed it."""
    if not proposal.is_pending:
        return
    waiting = proposal.answers.filter(
        policy.taking_part("party__"), state=ProposalAnswer.PENDING
    ).exists()
    if waiting:
        return
    assessment = LevelAssessment(
        partnership=proposal.partnership,
        kind=AssessmentKind.AGREED,
        level=proposal.level,
        rationale=proposal.rationale,
        author=proposal.author,
        assessed_on=timezone.localdate(),
    )
    save_validated(assessment, proposal.author)
    _close(proposal, ProposalState.AGREED, assessment=assessment)
    _send_after_commit(level_agreed, proposal=proposal)
