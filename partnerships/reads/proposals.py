"""The pending proposal of an agreed level, as a party sees it on the workspace."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Subquery

from partnerships import policy
from partnerships.choices import ProposalState
from partnerships.models import LevelProposal, LevelProposalAnswer

NO_PROPOSAL = {"proposal": None, "may_answer": False, "own": False}


def pending_proposal_pk() -> Subquery:
    """An annotation of partnerships: the pk of their pending proposal, None without one (an
    index lookup: a partnership has one pending proposal at most)."""
    pending = LevelProposal.objects.filter(
        partnership=OuterRef("pk"), state=ProposalState.PENDING
    ).order_by()
    return Subquery(pending.values("pk")[:1])


def pending_proposal(partnership, may: policy.Permissions) -> dict:
    """The partnership's pending proposal with every other party's answer, and whether the
    acting organisation may confirm or refuse it: two queries (none more with the answers),
    none when the partnership was read with ``pending_proposal_pk`` and has no proposal."""
    if hasattr(partnership, "pending_proposal_id") and partnership.pending_proposal_id is None:
        return dict(NO_PROPOSAL)
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
        return dict(NO_PROPOSAL)
    proposal.partnership = partnership  # its parties are loaded: the policy asks no query
    return {
        "proposal": proposal,
        "may_answer": policy.may_answer_proposal(may, proposal),
        "own": may.party is not None and may.party.pk == proposal.proposed_by_id,
    }
