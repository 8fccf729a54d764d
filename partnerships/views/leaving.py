"""An organisation leaves a partnership; after the lead left, the others name a new lead."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organisations.access import PARTY, member_required
from partnerships import policy
from partnerships.forms.leaving import LeaveForm, NameLeadForm
from partnerships.services.partnerships import party_leave, party_name_lead

from ..exceptions import StateConflict
from .common import partnership_for
from .confirm import Confirmation, is_confirmed, render_confirmation
from .manage import workspace_url
from .records import add_errors


def leave_consequences() -> list[str]:
    return [
        _("Your organisation no longer takes part: its members can no longer change anything."),
        _("What it recorded stays in the partnership's record, and it can still read it."),
        _("The other parties are told, with your reason."),
        _("If your organisation is the lead, the remaining parties name a new one."),
    ]


@member_required(PARTY)
def partnership_leave(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """Administrators of a party taking part make their organisation leave, after confirming
    (403 for others and a party that has left; 409, said on the page, for the last party)."""
    partnership, may = partnership_for(membership, partnership_id, require=None)
    form = LeaveForm(request.POST or None)
    refusal, status = None, 200
    try:
        policy.require_may_leave(may.actor, partnership)
    except StateConflict as error:
        refusal, status = " ".join(error.messages), 409
    else:
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            if not is_confirmed(request):
                return render_confirmation(
                    request,
                    membership,
                    Confirmation(
                        title=_("Leave “%(title)s”?") % {"title": partnership.title},
                        consequences=leave_consequences(),
                        cancel_url=workspace_url(membership, partnership),
                        subject=reason,
                        subject_label=_("Reason"),
                        carried=["reason"],
                    ),
                    partnership,
                    may,
                )
            try:
                party_leave(
                    actor=request.user,
                    organisation=membership.organisation,
                    partnership=partnership,
                    reason=reason,
                )
            except StateConflict as error:  # the others left meanwhile
                refusal, status = " ".join(error.messages), 409
            else:
                messages.success(request, _("Your organisation left the partnership."))
                return redirect(workspace_url(membership, partnership))
    return render(
        request,
        "partnerships/leave.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "may": may,
            "form": form,
            "consequences": leave_consequences(),
            "refusal": refusal,
        },
        status=status,
    )


@member_required(PARTY)
def partnership_name_lead(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """After the lead left, administrators of any party taking part name the new lead among
    the parties taking part (409, said on the page, once a lead is named)."""
    partnership, may = partnership_for(membership, partnership_id, require=None)
    form = NameLeadForm(request.POST or None, partnership=partnership)
    refusal, status = None, 200
    try:
        policy.require_lead_namer(may.actor, partnership)
    except StateConflict as error:
        refusal, status = " ".join(error.messages), 409
    else:
        if request.method == "POST" and form.is_valid():
            try:
                party = party_name_lead(
                    actor=request.user,
                    organisation=membership.organisation,
                    partnership=partnership,
                    lead=form.cleaned_data["lead"].organisation,
                )
            except StateConflict as error:  # another administrator named one meanwhile
                refusal, status = " ".join(error.messages), 409
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(organisation)s is now the lead.") % {"organisation": party.organisation},
                )
                return redirect(workspace_url(membership, partnership))
    return render(
        request,
        "partnerships/name_lead.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "may": may,
            "form": form,
            "refusal": refusal,
        },
        status=status,
    )
