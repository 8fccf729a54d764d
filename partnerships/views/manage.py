"""Create, edit, delete a partnership; invite organisations and answer invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisations.access import PARTY, WRITE, member_required
from partnerships import policy
from partnerships.forms import (
    InviteForm,
    PartnerInviteFormSet,
    PartnershipEditForm,
    PartnershipForm,
)
from partnerships.services.partner_invitations import partner_invite_by_email
from partnerships.services.partnerships import (
    invitation_respond,
    partnership_create,
    partnership_delete,
    partnership_update,
    party_invite,
)
from partnerships.services.versions import StaleVersion

from ..choices import Invitation
from ..exceptions import StateConflict
from ..models import Party
from .common import actor_of, partnership_for, permissions
from .confirm import Confirmation, is_confirmed, render_confirmation
from .records import add_errors


def workspace_url(membership, partnership) -> str:
    return reverse(
        "partnerships:workspace",
        kwargs={"org_slug": membership.organisation.slug, "partnership_id": partnership.pk},
    )


@member_required(WRITE)
def partnership_new(request: HttpRequest, membership) -> HttpResponse:
    """Title, purpose, dates, cadence and the partners to invite; the acting organisation leads."""
    organisation = membership.organisation
    form = PartnershipForm(request.POST or None)
    partners = PartnerInviteFormSet(
        request.POST or None, prefix="partners", form_kwargs={"exclude": organisation}
    )
    if request.method == "POST" and form.is_valid() and partners.is_valid():
        chosen = [
            (row["organisation"], row["role"])
            for row in partners.cleaned_data
            if row.get("organisation")
        ]
        by_email = [row for row in partners.cleaned_data if row.get("email")]
        emails = [row["email"].lower() for row in by_email]
        if len({org.pk for org, _role in chosen}) != len(chosen) or len(set(emails)) != len(emails):
            form.add_error(None, _("Each partner organisation can be invited only once."))
        else:
            try:
                with transaction.atomic():
                    partnership = partnership_create(
                        actor=request.user,
                        organisation=organisation,
                        partners=chosen,
                        **form.cleaned_data,
                    )
                    for row in by_email:
                        partner_invite_by_email(
                            actor=request.user,
                            acting=organisation,
                            partnership=partnership,
                            organisation_name=row["organisation_name"],
                            email=row["email"],
                            role=row["role"],
                        )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Partnership created; the partners were invited."))
                return redirect(workspace_url(membership, partnership))
    return render(
        request,
        "partnerships/partnership_form.html",
        {
            "membership": membership,
            "organisation": organisation,
            "form": form,
            "partners": partners,
            "creating": True,
        },
    )


@member_required(PARTY)
def partnership_edit(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """Edit with the version read: a save over someone else's newer change is refused."""
    partnership, may = partnership_for(membership, partnership_id, policy.require_writer)
    form = PartnershipEditForm(
        request.POST or None, instance=partnership, initial={"version": partnership.version}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in PartnershipForm.Meta.fields}
        try:
            partnership_update(
                actor=request.user,
                organisation=membership.organisation,
                partnership=partnership,
                version=form.cleaned_data["version"],
                **fields,
            )
        except StaleVersion as stale:
            form.add_error(None, str(stale))
            status = 409
        except StateConflict as error:  # the state refuses it: what was typed stays
            add_errors(form, error)
            status = 409
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Partnership saved."))
            return redirect(workspace_url(membership, partnership))
    return render(
        request,
        "partnerships/partnership_form.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "form": form,
            "partnership": partnership,
            "may": may,
            "creating": False,
        },
        status=status,
    )


@member_required(PARTY)
def partnership_remove(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """The lead's administrators delete it (403 for others and a party that has left), while
    no agreement was ever approved (409, said on the page)."""
    partnership, may = partnership_for(membership, partnership_id, require=None)
    refusal, status = None, 200
    try:
        policy.require_may_delete_partnership(may.actor, partnership)
        if request.method == "POST":
            partnership_delete(
                actor=request.user, organisation=membership.organisation, partnership=partnership
            )
    except StateConflict as error:  # an approved agreement: nothing was deleted
        refusal, status = " ".join(error.messages), 409
    else:
        if request.method == "POST":
            messages.success(request, _("Partnership deleted."))
            return redirect("partnerships:list", org_slug=membership.organisation.slug)
    return render(
        request,
        "partnerships/partnership_delete.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "may": may,
            "refusal": refusal,
        },
        status=status,
    )


@member_required(PARTY)
def partnership_invite(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """Editors and administrators of a party taking part invite another organisation."""
    partnership, may = partnership_for(membership, partnership_id, policy.require_writer)
    form = InviteForm(request.POST or None, partnership=partnership)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.by_email:
                partner_invite_by_email(
                    actor=request.user,
                    acting=membership.organisation,
                    partnership=partnership,
                    organisation_name=data["organisation_name"],
                    email=data["email"],
                    role=data["role"],
                )
            else:
                party_invite(
                    actor=request.user,
                    acting=membership.organisation,
                    partnership=partnership,
                    organisation=data["organisation"],
                    role=data["role"],
                )
        except StateConflict as error:
            add_errors(form, error)
            status = 409
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Invitation sent."))
            return redirect(workspace_url(membership, partnership))
    return render(
        request,
        "partnerships/invite.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "form": form,
            "partnership": partnership,
            "may": may,
        },
        status=status,
    )


def pending_invitations(organisation):
    return (
        Party.objects.filter(organisation=organisation, invitation=Invitation.INVITED)
        .select_related("partnership", "invited_by")
        .order_by("-invited_at")
    )


@member_required()
def invitation_list(request: HttpRequest, membership) -> HttpResponse:
    """What the organisation needs to decide: title, purpose, who invites, the role proposed."""
    return invitations_page(request, membership)


def invitations_page(request: HttpRequest, membership, status: int = 200) -> HttpResponse:
    invitations = list(pending_invitations(membership.organisation))
    inviters = {
        party.partnership_id: party.organisation
        for party in Party.objects.filter(
            policy.joined(), partnership__in=[i.partnership_id for i in invitations]
        )
        .select_related("organisation")
        .order_by("invited_at")
    }
    rows = [(invitation, inviters.get(invitation.partnership_id)) for invitation in invitations]
    return render(
        request,
        "partnerships/invitations.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "rows": rows,
            "may": permissions(membership),
        },
        status=status,
    )


def invitation_answer(accept: bool):
    @member_required(PARTY)
    @require_POST
    def view(request: HttpRequest, membership, pk: int) -> HttpResponse:
        party = get_object_or_404(
            Party.objects.filter(organisation=membership.organisation).select_related(
                "partnership"
            ),
            pk=pk,
        )
        try:
            policy.require_invitation_answerer(actor_of(membership), party)
        except StateConflict as error:  # answered already: say so on the invitations page
            messages.error(request, " ".join(error.messages))
            return invitations_page(request, membership, status=409)
        if not accept and not is_confirmed(request):
            return render_confirmation(
                request,
                membership,
                Confirmation(
                    title=_("Decline the invitation to “%(title)s”?")
                    % {"title": party.partnership.title},
                    consequences=[
                        _("Your organisation does not join this partnership."),
                        _("Declining is final: its parties cannot invite your organisation again."),
                    ],
                    cancel_url=reverse(
                        "partnerships:invitations",
                        kwargs={"org_slug": membership.organisation.slug},
                    ),
                ),
            )
        invitation_respond(actor=request.user, party=party, accept=accept)
        if accept:
            messages.success(request, _("You joined the partnership."))
            return redirect(workspace_url(membership, party.partnership))
        messages.success(request, _("Invitation declined."))
        return redirect("partnerships:invitations", org_slug=membership.organisation.slug)

    view.__name__ = "invitation_accept" if accept else "invitation_decline"
    return view


invitation_accept = invitation_answer(True)
invitation_decline = invitation_answer(False)
