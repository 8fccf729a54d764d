"""Invitations by e-mail to organisations not on the platform: the contact's landing page
(open to whoever holds the link), and the inviters' list where they re-send or withdraw."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from organisations.access import PARTY, member_required
from organisations.forms import JoinForm
from organisations.models import Organisation
from organisations.permissions import memberships_that_administer
from organisations.services import email_address_confirm
from organisations.signup_views import login_url
from partnerships import policy
from partnerships.choices import PartnerInvitationState
from partnerships.exceptions import StateConflict
from partnerships.forms.partner_invitations import AnswerOrganisationForm, NewOrganisationForm
from partnerships.models import PartnerInvitation
from partnerships.services.partner_invitations import (
    lead_organisation,
    partner_invitation_accept,
    partner_invitation_decline,
    partner_invitation_resend,
    partner_invitation_withdraw,
)

from .common import partnership_for
from .confirm import Confirmation, is_confirmed, render_confirmation
from .manage import workspace_url
from .records import add_errors


def _language_from_link(request: HttpRequest) -> str | None:
    """``?language=en`` from the e-mail's "read in another language" link."""
    code = request.GET.get("language")
    if code and code in dict(settings.LANGUAGES) and check_for_language(code):
        translation.activate(code)
        request.LANGUAGE_CODE = code
        return code
    return None


def landing(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """What the invitee may see (title, lead organisation, role, who invites), and the answer:
    create an account or sign in, then accept for an organisation or decline."""
    invitation = get_object_or_404(
        PartnerInvitation.objects.select_related("partnership", "invited_by"),
        token=invitation_token,
    )
    language = _language_from_link(request)
    context = {
        "invitation": invitation,
        "partnership": invitation.partnership,
        "lead": lead_organisation(invitation.partnership),
        "open": policy.may_answer_partner_invitation(invitation),
        "login_url": login_url(request.path),
    }
    status = 200
    if not context["open"]:
        context["closed_reason"] = _closed_reason(invitation)
        status = 409 if request.method == "POST" else 200  # expired, answered or withdrawn
    elif not request.user.is_authenticated:
        response = _account_step(request, invitation, context)
        if response is not None:
            return response
    else:
        response = _answer_step(request, invitation, context)
        if response is not None:
            return response
        status = context.get("status", 200)
    response = render(request, "partnerships/partner_invitation.html", context, status=status)
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)
    return response


def _closed_reason(invitation: PartnerInvitation) -> str:
    """Why the link no longer takes an answer, in the policy's words."""
    try:
        policy.require_partner_invitation_open(invitation)
    except StateConflict as error:
        if invitation.current_state == PartnerInvitationState.WITHDRAWN:
            return _("This invitation was withdrawn by those who sent it.")
        return " ".join(error.messages)
    return ""


def _account_step(request: HttpRequest, invitation: PartnerInvitation, context: dict):
    """A visitor creates an account: the address is the one invited (the link proves it)."""
    form = JoinForm(request.POST if request.method == "POST" else None)
    context["account_form"] = form
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.email = invitation.email
        user.save()
        # The invitation reached this address: it needs no other verification.
        email_address_confirm(user=user)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        return redirect(request.path)
    return None


def _answer_step(request: HttpRequest, invitation: PartnerInvitation, context: dict):
    administered = Organisation.objects.filter(
        pk__in=memberships_that_administer(request.user).values("organisation_id")
    ).exclude(parties__partnership=invitation.partnership)
    posted = request.POST if request.method == "POST" else None
    choice = AnswerOrganisationForm(posted, administered=administered)
    new = NewOrganisationForm(posted, prefix="new", initial={"name": invitation.organisation_name})
    context.update(choice_form=choice, new_form=new, similar=[])
    if request.method != "POST":
        return None
    if request.POST.get("answer") == "decline":
        return _decline(request, invitation)
    if not choice.is_valid():
        return None
    existing = choice.cleaned_data.get("existing")
    if existing is None and not new.is_valid():
        context["similar"] = new.similar
        return None
    try:
        with transaction.atomic():
            party = partner_invitation_accept(
                user=request.user,
                invitation=invitation,
                organisation=existing,
                new_organisation=None if existing else _organisation_fields(new),
            )
    except StateConflict as error:
        messages.error(request, " ".join(error.messages))
        context["status"] = 409
        return None
    except (ValidationError, PermissionDenied) as error:
        add_errors(choice if existing else new, _as_validation_error(error))
        return None
    messages.success(request, _("You joined the partnership."))
    membership = request.user.memberships.select_related("organisation").get(
        organisation=party.organisation
    )
    return redirect(workspace_url(membership, party.partnership))


def _organisation_fields(form: NewOrganisationForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "kind": data["kind"],
        "size_band": data["size_band"],
        "description": data["description"],
    }


def _as_validation_error(error: Exception) -> ValidationError:
    if isinstance(error, ValidationError):
        return error
    return ValidationError(str(error))


def _decline(request: HttpRequest, invitation: PartnerInvitation) -> HttpResponse:
    if not is_confirmed(request):
        return render(
            request,
            "partnerships/confirm.html",
            {
                "confirmation": Confirmation(
                    title=_("Decline the invitation to “%(title)s”?")
                    % {"title": invitation.partnership.title},
                    consequences=[
                        _("Your organisation does not join this partnership."),
                        _("The link of the invitation stops working."),
                    ],
                    cancel_url=request.path,
                    carried=["answer"],
                )
            },
        )
    partner_invitation_decline(invitation=invitation, user=request.user)
    messages.success(request, _("Invitation declined."))
    return redirect(request.path)


# --- The inviters' side -------------------------------------------------------------------------
def _invitations_for(membership, partnership_id: int):
    return partnership_for(membership, partnership_id, policy.require_writer)


@member_required(PARTY)
@require_safe
def invitation_list(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """The invitations sent by e-mail for this partnership, with their state: every party
    reads them; those who may invite re-send or withdraw them."""
    partnership, may = partnership_for(membership, partnership_id)
    return _list_page(request, membership, partnership, may)


def _list_page(request, membership, partnership, may, status: int = 200) -> HttpResponse:
    invitations = PartnerInvitation.objects.filter(partnership=partnership).select_related(
        "invited_by", "organisation"
    )
    return render(
        request,
        "partnerships/partner_invitations.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "may": may,
            "invitations": invitations,
        },
        status=status,
    )


def _list_url(membership, partnership) -> str:
    return reverse(
        "partnerships:partner-invitations",
        kwargs={"org_slug": membership.organisation.slug, "partnership_id": partnership.pk},
    )


def _step(resend: bool):
    @member_required(PARTY)
    @require_POST
    def view(request: HttpRequest, membership, partnership_id: int, pk: int) -> HttpResponse:
        partnership, may = _invitations_for(membership, partnership_id)
        invitation = get_object_or_404(
            PartnerInvitation.objects.filter(partnership=partnership), pk=pk
        )
        try:  # answered or withdrawn already: 409 before asking to confirm
            policy.require_partner_invitation_pending(invitation)
        except StateConflict as error:
            messages.error(request, " ".join(error.messages))
            return _list_page(request, membership, partnership, may, status=409)
        if not is_confirmed(request):
            return render_confirmation(
                request,
                membership,
                _confirmation(invitation, resend, _list_url(membership, partnership)),
                partnership=partnership,
                may=may,
            )
        step = partner_invitation_resend if resend else partner_invitation_withdraw
        step(actor=request.user, acting=membership.organisation, invitation=invitation)
        messages.success(
            request, _("Invitation sent again.") if resend else _("Invitation withdrawn.")
        )
        return redirect(_list_url(membership, partnership))

    view.__name__ = "invitation_resend" if resend else "invitation_withdraw"
    return view


def _confirmation(invitation: PartnerInvitation, resend: bool, cancel_url: str) -> Confirmation:
    subject = f"{invitation.organisation_name} <{invitation.email}>"
    if resend:
        return Confirmation(
            title=_("Send the invitation again?"),
            consequences=[
                _("The contact receives the e-mail again, with the same link."),
                _("The link is valid for 30 more days."),
            ],
            cancel_url=cancel_url,
            subject=subject,
        )
    return Confirmation(
        title=_("Withdraw the invitation?"),
        consequences=[
            _("The link of the invitation stops working: it says the invitation was withdrawn."),
            _("To invite this organisation later, send a new invitation."),
        ],
        cancel_url=cancel_url,
        subject=subject,
    )


invitation_resend = _step(True)
invitation_withdraw = _step(False)
