"""The pending proposal of an agreed level, as a party sees it on the workspace."""

from __future__ import annotations

from django.db.models import Prefetch

from partnerships import policy
from partnerships.choices import ProposalState
from partnerships.models import LevelProposal, LevelProposalAnswer


def pending_proposal(partnership, may: policy.Permissions) -> dict:
    """The partnership's pending proposal with every other party's answer, and whether the
    acting organisation may confirm or refuse it: two queries (none more with the answers)."""
    answers = LevelProposalAnswer.objects.select_related(
        "party__organisation", "answered_by"
    ).order_by("party__organisation__name", "pk")
    proposal = (
        LevelProposal.objects.filter(partnership=partnership, state=ProposalState.PENDING)
        .select_related("proposed_by__organisation", "author")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .first()
    )
    if proposal is None:
        return {"proposal": None, "may_answer": False, "own": False}
    proposal.partnership = partnership  # its parties are loaded: the policy asks no query
    return {
        "proposal": proposal,
        "may_answer": policy.may_answer_proposal(may, proposal),
        "own": may.party is not None and may.party.pk == proposal.proposed_by_id,
    }
