"""The other parties' answer to a proposed agreed level, from the workspace's ladder.

Confirming is one click (like approving an agreement); refusing asks first, with an optional
reason (``confirm.py``). With htmx the ladder is redrawn; without JavaScript the page reloads.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisations.access import PARTY, member_required
from partnerships import policy
from partnerships.choices import ProposalState
from partnerships.exceptions import StateConflict
from partnerships.models import LevelProposal
from partnerships.services import proposals as services

from .confirm import Confirmation, is_confirmed, render_confirmation
from .workspace import (
    get_workspace_partnership_or_404,
    render_workspace,
    workspace_partnership_for,
)

REASON_MAX = 5000


def ladder_url(membership, partnership) -> str:
    url = reverse(
        "partnerships:workspace",
        kwargs={"org_slug": membership.organisation.slug, "partnership_id": partnership.pk},
    )
    return f"{url}#ladder"


def _proposal_for(membership, partnership_id: int, pk: int):
    """The partnership (404 for outsiders, 403 for a party that left or a viewer) and its
    proposal; then the policy's answer for this proposal (409 once answered or decided)."""
    partnership, may = workspace_partnership_for(membership, partnership_id)
    proposal = get_object_or_404(
        LevelProposal.objects.select_related("proposed_by__organisation"),
        partnership=partnership,
        pk=pk,
    )
    proposal.partnership = partnership
    return partnership, may, proposal


def answered(request, membership, partnership, message: str) -> HttpResponse:
    if request.htmx:
        fresh = get_workspace_partnership_or_404(membership, partnership.pk)
        return render_workspace(
            request, membership, fresh, "commitments", partial="ladder", notice=message
        )
    messages.success(request, message)
    return redirect(ladder_url(membership, partnership))


def refused(request, membership, partnership, error: ValidationError) -> HttpResponse:
    """The proposal's state refuses the answer (already answered, or decided): 409, over the
    redrawn ladder (the whole page without htmx)."""
    fresh = get_workspace_partnership_or_404(membership, partnership.pk)
    return render_workspace(
        request,
        membership,
        fresh,
        "commitments",
        partial="ladder",
        status=409,
        ladder_refusal=" ".join(error.messages),
    )


@member_required(PARTY)
@require_POST
def level_proposal_confirm(request: HttpRequest, membership, partnership_id: int, pk: int):
    partnership, _may, proposal = _proposal_for(membership, partnership_id, pk)
    try:
        proposal = services.level_proposal_confirm(
            actor=request.user, organisation=membership.organisation, proposal=proposal
        )
    except StateConflict as error:
        return refused(request, membership, partnership, error)
    if proposal.state == ProposalState.AGREED:
        message = _("Confirmed: every partner agreed, this is now the agreed level.")
    else:
        message = _("Confirmed: the level becomes the agreed one when every partner confirms.")
    return answered(request, membership, partnership, message)


@member_required(PARTY)
@require_POST
def level_proposal_refuse(request: HttpRequest, membership, partnership_id: int, pk: int):
    partnership, may, proposal = _proposal_for(membership, partnership_id, pk)
    try:
        policy.require_level_answerer(policy.Actor.from_membership(membership), proposal)
    except StateConflict as error:
        return refused(request, membership, partnership, error)
    reason = request.POST.get("reason", "")[:REASON_MAX]
    if not is_confirmed(request):
        return render_confirmation(
            request,
            membership,
            Confirmation(
                title=_("Refuse the proposed level %(level)s?")
                % {"level": proposal.get_level_display()},
                consequences=[
                    _("The proposal ends for every party: the agreed level stays what it was."),
                    _("Your refusal, and its reason if you give one, join the history."),
                ],
                cancel_url=ladder_url(membership, partnership),
                subject=reason,
                subject_label=_("Reason") if reason else "",
                carried=["reason"],
            ),
            partnership,
            may,
        )
    try:
        services.level_proposal_refuse(
            actor=request.user,
            organisation=membership.organisation,
            proposal=proposal,
            reason=reason,
        )
    except StateConflict as error:
        return refused(request, membership, partnership, error)
    return answered(
        request,
        membership,
        partnership,
        _("Refused: the proposal has ended and the agreed level stays what it was."),
    )
