"""Writes on agreement versions: draft, change the draft, submit, approve, refuse, end.

Each takes the acting user and the organisation they act for, checks the role again (editors of
an accepted party draft and submit; administrators decide, for their own organisation only),
locks the version while it checks its state, and runs in one transaction. A step that does not
fit the version's state raises ``AgreementStateError`` (the API answers 409).
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import STORAGE_ERRORS
from notifications import events
from partnerships import policy
from partnerships.choices import APPROVED_STATES, AgreementState, ApprovalDecision
from partnerships.exceptions import AgreementStateError
from partnerships.models import Commitment, Partnership, Responsibility
from partnerships.models.agreements import (
    AGREEMENT_NOT_DRAFT,
    CLAUSE_FIELDS,
    REPRESENTATIVE_FROZEN,
    Agreement,
    AgreementApproval,
    AgreementRepresentative,
)
from partnerships.services.audit import system_change_reason
from partnerships.services.records import require_party_writer
from partnerships.services.versions import StaleVersion, save_validated

if TYPE_CHECKING:
    from organisations.models import Organisation, User

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("starts_on", "ends_on", "review_cadence", *CLAUSE_FIELDS)
OPEN_STATES = (AgreementState.DRAFT, AgreementState.PENDING)


# --- Reads ---------------------------------------------------------------------------------
def current_parties(partnership: Partnership):
    """The parties whose administrators must approve: those taking part."""
    return policy.nameable_parties(partnership)


def parties_snapshot(partnership: Partnership) -> list[dict]:
    """The current parties and their roles, as a version records them."""
    return [
        {
            "organisation": party.organisation.slug,
            "name": party.organisation.name,
            "role": party.role,
            "contribution": party.contribution,
        }
        for party in current_parties(partnership)
    ]


def snapshot(partnership: Partnership) -> dict:
    """What a version records of the partnership as it stands now (four queries)."""
    levels = Partnership.objects.with_levels().values("agreed_level", "target_level")
    current = levels.get(pk=partnership.pk)
    return {
        "agreed_level": current["agreed_level"],
        "target_level": current["target_level"],
        "parties": parties_snapshot(partnership),
        "responsibilities": [
            {"party": r.party.organisation.name, "title": r.title, "description": r.description}
            for r in Responsibility.objects.filter(partnership=partnership)
            .select_related("party__organisation")
            .order_by("party__organisation__name", "title", "pk")
        ],
        "commitments": [
            {
                "party": c.party.organisation.name,
                "title": c.title,
                "due_on": c.due_on.isoformat() if c.due_on else None,
                "status": c.status,
            }
            for c in Commitment.objects.filter(partnership=partnership)
            .select_related("party__organisation")
            .order_by("due_on", "title", "pk")
        ],
    }


def decided_name(user: User) -> str:
    return user.get_full_name() or user.username


# --- Writes --------------------------------------------------------------------------------
@transaction.atomic
def agreement_draft(
    *, actor: User, organisation: Organisation, partnership: Partnership, **fields
) -> Agreement:
    """Start the next version as a draft, from the last approved version if there is one (an
    amendment or a renewal starts from what was agreed), else from the partnership's dates and
    purpose.

    One version at a time is open: while a draft or a submitted version exists, 409.
    """
    require_party_writer(actor, organisation, partnership)
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()  # one at a time
    versions = Agreement.objects.filter(partnership=partnership)
    if versions.filter(state__in=OPEN_STATES).exists():
        raise AgreementStateError(
            _("A version of this agreement is already being drafted or approved: finish it first.")
        )
    # The last version every party approved (in force, or ended: a renewal) is the base.
    base = versions.filter(state__in=APPROVED_STATES).order_by("-version").first()
    initial = (
        {name: getattr(base, name) for name in EDITABLE_FIELDS}
        if base
        else {
            "starts_on": partnership.starts_on,
            "ends_on": partnership.ends_on,
            "review_cadence": partnership.review_cadence,
            "purpose": partnership.purpose,
        }
    )
    number = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
    agreement = Agreement(
        partnership=partnership,
        version=number,
        created_by=actor,
        snapshot=snapshot(partnership),
        **{**initial, **_editable(fields)},
    )
    save_validated(agreement, actor)
    return agreement


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    organisation: Organisation,
    agreement: Agreement,
    revision: int | None = None,
    **fields,
) -> Agreement:
    """Change a draft's dates and clauses; its snapshot of the partnership is refreshed.

    With ``revision`` (the one the form or client read), a draft changed since by someone else
    is refused with ``StaleVersion`` rather than overwritten.
    """
    require_party_writer(actor, organisation, agreement.partnership)
    agreement = _locked(agreement)
    if agreement.state != AgreementState.DRAFT:
        raise AgreementStateError(AGREEMENT_NOT_DRAFT)
    if revision is not None and revision != agreement.revision:
        raise StaleVersion(agreement.revision, "agreement")
    for name, value in _editable(fields).items():
        setattr(agreement, name, value)
    agreement.revision += 1
    agreement.snapshot = snapshot(agreement.partnership)
    save_validated(agreement, actor)
    return agreement


@transaction.atomic
def agreement_representative_set(
    *, actor: User, organisation: Organisation, agreement: Agreement, name: str, capacity: str
) -> AgreementRepresentative:
    """Name who signs the draft for ``organisation``, and in what capacity (its own party's
    representative only: writers of a party do not name another's). Once the version leaves
    the draft, the names are frozen with it (409)."""
    require_party_writer(actor, organisation, agreement.partnership)
    agreement = _locked(agreement)
    if agreement.state != AgreementState.DRAFT:
        raise AgreementStateError(REPRESENTATIVE_FROZEN)
    representative = AgreementRepresentative.objects.filter(
        agreement=agreement, organisation=organisation
    ).first() or AgreementRepresentative(agreement=agreement, organisation=organisation)
    representative.name = name.strip()
    representative.capacity = capacity.strip()
    save_validated(representative, actor)
    return representative


def require_submittable(agreement: Agreement) -> None:
    """Only a draft is submitted (asked before the confirmation page too)."""
    if agreement.state != AgreementState.DRAFT:
        raise AgreementStateError(_("Only a draft can be submitted."))


def require_decidable(agreement: Agreement, organisation: Organisation) -> None:
    """A submitted version, that the organisation has not decided on yet in this round."""
    if agreement.state != AgreementState.PENDING:
        raise AgreementStateError(_("Only a submitted version can be approved or refused."))
    round_decisions = agreement.approvals.filter(round=agreement.submission_round)
    if round_decisions.filter(organisation=organisation).exists():
        raise AgreementStateError(_("Your organisation has already decided on this version."))


@transaction.atomic
def agreement_submit(*, actor: User, organisation: Organisation, agreement: Agreement) -> Agreement:
    """Submit a draft to every party's administrators: it is frozen while they decide."""
    require_party_writer(actor, organisation, agreement.partnership)
    agreement = _locked(agreement)
    require_submittable(agreement)
    agreement.snapshot = snapshot(agreement.partnership)
    agreement.state = AgreementState.PENDING
    agreement.submission_round += 1
    agreement.submitted_at = timezone.now()
    save_validated(agreement, actor)
    events.agreement_submitted(agreement, actor=actor)
    return agreement


@transaction.atomic
def agreement_approve(
    *, actor: User, organisation: Organisation, agreement: Agreement
) -> Agreement:
    """Record the organisation's approval; with every current party's, the version comes into
    force and the one in force before it is superseded."""
    agreement = _decide(actor, organisation, agreement, ApprovalDecision.APPROVE, "")
    _in_force_if_all_approved(agreement, actor)
    return agreement


@transaction.atomic
def agreement_parties_changed(partnership: Partnership, actor: User | None) -> None:
    """The parties changed (one joined, left, was removed, or its role changed) while a version
    is submitted: the version's list of parties follows, since the current parties are the ones
    who approve it; and if every remaining party already approved it, it comes into force now,
    as it would have at the last approval (otherwise nobody would be left to decide on it)."""
    pending = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .filter(partnership=partnership, state=AgreementState.PENDING)
        .first()
    )
    if pending is None:
        return
    parties = parties_snapshot(partnership)
    if pending.snapshot.get("parties") != parties:
        pending.snapshot = {**pending.snapshot, "parties": parties}
        save_validated(pending, actor)
    _in_force_if_all_approved(pending, actor)


@transaction.atomic
def agreement_refuse(
    *, actor: User, organisation: Organisation, agreement: Agreement, reason: str
) -> Agreement:
    """Refuse for the organisation, with a reason: the version goes back to draft. The round's
    decisions stay as its history; the next submission asks every party again."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why your organisation refuses this version.")})
    agreement = _decide(actor, organisation, agreement, ApprovalDecision.REFUSE, reason.strip())
    agreement.state = AgreementState.DRAFT
    save_validated(agreement, actor)
    events.agreement_refused(
        agreement, organisation=organisation, reason=reason.strip(), actor=actor
    )
    return agreement


@transaction.atomic
def agreement_attach_scan(
    *, actor: User, organisation: Organisation, agreement: Agreement, scan: UploadedFile
) -> Agreement:
    """Attach the signed scan to the version in force, once (it is part of the record)."""
    require_party_writer(actor, organisation, agreement.partnership)
    agreement = _locked(agreement)
    if agreement.state != AgreementState.IN_FORCE:
        raise AgreementStateError(_("A signed scan is attached to the version in force."))
    if agreement.signed_scan:
        raise AgreementStateError(_("This version already has its signed scan."))
    try:
        agreement.signed_scan.save("signed.pdf", scan, save=False)
    except STORAGE_ERRORS as error:
        # Nothing recorded: the transaction rolls back and the form says to try again.
        logger.warning("signed scan of agreement %s not stored: %r", agreement.pk, error)
        raise ValidationError(
            {
                "scan": _(
                    "The file store is unavailable, so the scan was not attached. "
                    "Try again in a few minutes."
                )
            }
        ) from error
    save_validated(agreement, actor)
    return agreement


def agreements_end_expired(today: datetime.date) -> int:
    """Versions in force whose end date has passed are ended; how many.

    Run by the daily task: nobody acts, so the history says which task did it.
    """
    ended = 0
    for agreement in Agreement.objects.filter(state=AgreementState.IN_FORCE, ends_on__lt=today):
        with transaction.atomic():
            agreement.state = AgreementState.ENDED
            agreement._change_reason = system_change_reason("send_agreement_expiry_reminders")
            save_validated(agreement, None)
        ended += 1
    return ended


# --- Helpers -------------------------------------------------------------------------------
def _editable(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable on an agreement: {sorted(unknown)}")
    return fields


def _locked(agreement: Agreement) -> Agreement:
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=agreement.pk)
    )


def _decide(
    actor: User, organisation: Organisation, agreement: Agreement, decision: str, reason: str
) -> Agreement:
    """An administrator decides for their own organisation, a current party, once a round."""
    policy.require_party_admin(policy.Actor.of(actor, organisation), agreement.partnership)
    agreement = _locked(agreement)
    require_decidable(agreement, organisation)
    approval = AgreementApproval(
        agreement=agreement,
        organisation=organisation,
        round=agreement.submission_round,
        decision=decision,
        reason=reason,
        user=actor,
        name=decided_name(actor),
    )
    save_validated(approval, actor)
    return agreement


def _in_force_if_all_approved(agreement: Agreement, actor: User | None) -> None:
    """With the approval of every current party in this round, the version comes into force."""
    approved = set(
        agreement.approvals.filter(
            round=agreement.submission_round, decision=ApprovalDecision.APPROVE
        ).values_list("organisation_id", flat=True)
    )
    needed = set(current_parties(agreement.partnership).values_list("organisation_id", flat=True))
    if needed and needed <= approved:
        _bring_into_force(agreement, actor)


def _bring_into_force(agreement: Agreement, actor: User | None) -> None:
    for previous in Agreement.objects.filter(
        partnership=agreement.partnership_id, state=AgreementState.IN_FORCE
    ).exclude(pk=agreement.pk):
        previous.state = AgreementState.SUPERSEDED
        save_validated(previous, actor)
    agreement.state = AgreementState.IN_FORCE
    agreement.in_force_at = timezone.now()
    save_validated(agreement, actor)
    events.agreement_in_force(agreement, actor=actor)
