"""What the Agreement tab and the printable page read: three queries, whatever the history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from partnerships import policy
from partnerships.choices import AgreementState, ApprovalDecision
from partnerships.forms.agreements import (
    AgreementForm,
    RefusalForm,
    RepresentativeForm,
    SignedScanForm,
)
from partnerships.models.agreements import Agreement, AgreementApproval, AgreementRepresentative
from partnerships.policy import ACCEPTED
from partnerships.services.agreements import OPEN_STATES


def versions_of(partnership) -> list[Agreement]:
    """Every version, latest first, with its decisions and who made them, and who signs it
    for each party (three queries)."""
    approvals = AgreementApproval.objects.select_related("organisation").order_by(
        "round", "at", "pk"
    )
    representatives = AgreementRepresentative.objects.select_related("organisation")
    return list(
        Agreement.objects.filter(partnership=partnership)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("approvals", queryset=approvals),
            Prefetch("representatives", queryset=representatives),
        )
        .order_by("-version")
    )


@dataclass(frozen=True)
class Signatory:
    """One party of the printed version, as the version records it (``name``, ``role``,
    ``contribution``), and who signs for it (None: to be written by hand)."""

    party: dict
    representative: AgreementRepresentative | None


def signatories(agreement: Agreement) -> list[Signatory]:
    """The parties the version names, each with the representative it recorded (prefetched by
    ``versions_of``: no query)."""
    by_slug = {r.organisation.slug: r for r in agreement.representatives.all()}
    return [
        Signatory(party, by_slug.get(party.get("organisation")))
        for party in agreement.snapshot.get("parties", [])
    ]


def own_representative(agreement: Agreement, organisation) -> AgreementRepresentative | None:
    return next(
        (r for r in agreement.representatives.all() if r.organisation_id == organisation.pk),
        None,
    )


@dataclass(frozen=True)
class PartyDecision:
    party: object  # anything with an ``organisation``: a party, or a past round's decision
    decision: AgreementApproval | None  # None: not decided yet in this round


def round_decisions(agreement: Agreement, parties) -> list[PartyDecision]:
    """For each current party, its decision in the version's latest submission round."""
    decided = {
        approval.organisation_id: approval
        for approval in agreement.approvals.all()
        if approval.round == agreement.submission_round
    }
    return [PartyDecision(party, decided.get(party.organisation_id)) for party in parties]


def document_decisions(agreement: Agreement, parties) -> list[PartyDecision]:
    """What a printed version shows: for an approved one, the decisions that brought it into
    force (whoever the parties are now); otherwise each current party's decision so far."""
    if not agreement.is_approved:
        return round_decisions(agreement, parties)
    return [
        PartyDecision(approval, approval)
        for approval in agreement.approvals.all()
        if approval.round == agreement.submission_round
    ]


def current_parties_of(partnership) -> list:
    """The parties that decide, from the workspace's prefetched parties (no query)."""
    return [party for party in partnership.parties.all() if policy.party_state(party) == ACCEPTED]


def agreement_tab(partnership, membership, **forms) -> dict:
    versions = versions_of(partnership)
    in_force = next((v for v in versions if v.state == AgreementState.IN_FORCE), None)
    open_version = next((v for v in versions if v.state in OPEN_STATES), None)
    parties = current_parties_of(partnership)
    decisions = round_decisions(open_version, parties) if open_version else []
    own = next(
        (d for d in decisions if d.party.organisation_id == membership.organisation_id), None
    )
    refusals = []
    if open_version and open_version.state == AgreementState.DRAFT:
        refusals = [
            d.decision
            for d in decisions
            if d.decision and d.decision.decision == ApprovalDecision.REFUSE
        ]
    is_draft = open_version is not None and open_version.state == AgreementState.DRAFT
    # A party that has left reads the record but no longer drafts, submits or attaches.
    may = policy.permissions_for(policy.Actor.from_membership(membership), partnership)
    return {
        "may_write": may.write,
        "versions": versions,
        "in_force": in_force,
        "open_version": open_version,
        "decisions": decisions if open_version and not is_draft else [],
        "refusals": refusals,
        "may_decide": (
            may.decide
            and open_version is not None
            and open_version.state == AgreementState.PENDING
            and own is not None
            and own.decision is None
        ),
        "agreement_form": (forms.get("agreement_form") or AgreementForm(instance=open_version))
        if is_draft
        else None,
        "refusal_form": forms.get("refusal_form") or RefusalForm(),
        "scan_form": forms.get("scan_form") or SignedScanForm(),
        "signatories": signatories(open_version) if open_version else [],
        "representative_form": (
            forms.get("representative_form")
            or RepresentativeForm(
                instance=own_representative(open_version, membership.organisation)
            )
        )
        if is_draft
        else None,
    }
