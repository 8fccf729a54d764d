from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import check_for_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .access import ADMIN, member_required
from .forms import JoinAnswerForm, JoinForm, MemberAddForm, MemberRoleForm, ProfileForm
from .models import JoinRequest, MemberInvitation, Membership, OrganisationSignup
from .permissions import may_manage_members
from .services import (
    email_address_confirm,
    invitation_accept,
    invitation_decline,
    member_add,
    member_invitation_cancel,
    membership_remove,
    membership_update,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the dashboard of the organisation the user last acted for."""
    memberships = Membership.objects.filter(user=request.user, organisation__active=True)
    last = request.session.get("organisation")
    membership = (
        memberships.filter(organisation__slug=last).first()
        or memberships.order_by("organisation__name").select_related("organisation").first()
    )
    waiting = MemberInvitation.objects.for_invitee(request.user).count()
    if membership is None:
        return render(
            request,
            "organisations/no_organisation.html",
            {"has_invitations": bool(waiting), **my_requests(request.user)},
        )
    if waiting:
        # Signing in leads here: members hear of invitations to join another organisation.
        text = ngettext(
            "An invitation to join an organisation is waiting for your answer.",
            "%(count)s invitations to join an organisation are waiting for your answer.",
            waiting,
        ) % {"count": waiting}
        messages.info(
            request,
            format_html(
                '{} <a href="{}">{}</a>', text, reverse("member-invitations"), _("See them")
            ),
        )
    return redirect("partnerships:dashboard", org_slug=membership.organisation.slug)


def my_requests(user) -> dict:
    """What the person asked and is still waiting for: organisations they registered (staff
    approval) and requests to join an organisation."""
    return {
        "pending_signups": OrganisationSignup.objects.pending()
        .filter(requested_by=user)
        .select_related("organisation"),
        "pending_join_requests": JoinRequest.objects.pending()
        .of_people()
        .filter(user=user)
        .select_related("organisation"),
    }


def language(request: HttpRequest) -> HttpResponse:
    """Switch the language, and remember it for the signed-in user on every device."""
    response = set_language(request)
    code = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(code):
        request.user.language = code
        request.user.save(update_fields=["language"])
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own settings: name, language and the weekly digest."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.language):  # the language just chosen
            messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(
        request, "organisations/profile.html", {"form": form, **my_requests(request.user)}
    )


def _members_page(request, membership, add_form=None, status=200) -> HttpResponse:
    organisation = membership.organisation
    return render(
        request,
        "organisations/members.html",
        {
            "membership": membership,
            "organisation": organisation,
            "may_manage_members": may_manage_members(membership),
            "members": Membership.objects.filter(organisation=organisation)
            .select_related("user")
            .order_by("user__last_name", "user__username"),
            # Only what the inviter typed is shown of a person who has not accepted yet.
            "invitations": MemberInvitation.objects.filter(organisation=organisation).pending(),
            # People asking to join, and organisations asking to belong to it as a system.
            "join_requests": JoinRequest.objects.pending()
            .filter(organisation=organisation)
            .select_related("user", "unit")
            .order_by("created_at"),
            "join_answer_form": JoinAnswerForm(),
            "add_form": add_form or MemberAddForm(),
            "role_form": MemberRoleForm(),
        },
        status=status,
    )


@member_required()
def members(request: HttpRequest, membership) -> HttpResponse:
    return _members_page(request, membership)


@member_required(ADMIN)
@require_POST
def member_add_view(request: HttpRequest, membership) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = member_add(
                actor=request.user, organisation=membership.organisation, **form.cleaned_data
            )
        except ValidationError as error:
            # The service may name a model field (the invitation's email): all of it comes
            # from the identifier typed, so its messages go there.
            form.add_error("identifier", error.messages)
        else:
            # The same words whether the person has an account or not: the answer must not
            # tell the inviter which addresses have one.
            messages.success(
                request,
                _("%(invited)s is invited: they become a member once they accept.")
                % {"invited": added.invited},
            )
            return redirect("members", org_slug=membership.organisation.slug)
    return _members_page(request, membership, add_form=form)


def _other_membership(membership, pk) -> Membership:
    return get_object_or_404(Membership, organisation=membership.organisation, pk=pk)


@member_required(ADMIN)
@require_POST
def member_role_view(request: HttpRequest, membership, pk: int) -> HttpResponse:
    target = _other_membership(membership, pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            membership_update(actor=request.user, membership=target, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Role changed."))
    return redirect("members", org_slug=membership.organisation.slug)


@member_required(ADMIN)
@require_POST
def member_remove_view(request: HttpRequest, membership, pk: int) -> HttpResponse:
    target = _other_membership(membership, pk)
    try:
        membership_remove(actor=request.user, membership=target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("members", org_slug=membership.organisation.slug)


@member_required(ADMIN)
@require_POST
def member_invitation_cancel_view(request: HttpRequest, membership, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        MemberInvitation.objects.pending(), organisation=membership.organisation, pk=pk
    )
    member_invitation_cancel(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation cancelled."))
    return redirect("members", org_slug=membership.organisation.slug)


def join(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: create an account, or join with the current one."""
    # Only invitations sent to an address have a usable link: one addressed to an account is
    # answered by that account, in the application.
    invitation = get_object_or_404(
        MemberInvitation.objects.pending().select_related("organisation"),
        token=token,
        invitee__isnull=True,
        organisation__active=True,
    )
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            invitation_accept(invitation=invitation, user=request.user)
            return redirect("partnerships:dashboard", org_slug=invitation.organisation.slug)
    else:
        form = JoinForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.save(commit=False)
            user.email = invitation.email
            user.save()
            # The invitation reached this address: it needs no other verification.
            email_address_confirm(user=user)
            invitation_accept(invitation=invitation, user=user)
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            return redirect("partnerships:dashboard", org_slug=invitation.organisation.slug)
    return render(request, "organisations/join.html", {"invitation": invitation, "form": form})


@login_required
def member_invitations(request: HttpRequest) -> HttpResponse:
    """The invitations to join an organisation waiting for the signed-in person's answer."""
    invitations = (
        MemberInvitation.objects.for_invitee(request.user)
        .select_related("organisation", "invited_by")
        .order_by("created_at")
    )
    return render(request, "organisations/member_invitations.html", {"invitations": invitations})


def _my_invitation(request: HttpRequest, pk: int) -> MemberInvitation:
    """A pending invitation addressed to the signed-in person; nobody else's (404)."""
    return get_object_or_404(
        MemberInvitation.objects.pending().select_related("organisation"),
        pk=pk,
        invitee=request.user,
    )


@login_required
@require_POST
def member_invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _my_invitation(request, pk)
    try:
        invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("member-invitations")
    except PermissionDenied as error:  # checked again in the service; the lookup answers first
        raise Http404 from error
    organisation = invitation.organisation
    messages.success(
        request, _("Welcome to %(organisation)s.") % {"organisation": organisation.name}
    )
    return redirect("partnerships:dashboard", org_slug=organisation.slug)


@login_required
@require_POST
def member_invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _my_invitation(request, pk)
    try:
        invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        raise Http404 from error
    else:
        messages.success(
            request,
            _("You declined to join %(organisation)s.")
            % {"organisation": invitation.organisation.name},
        )
    return redirect("member-invitations")
