"""Pages of organisations people create themselves, and of requests to join one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .access import ADMIN, member_required
from .forms import JoinAnswerForm, JoinRequestForm, OrganisationCreateForm
from .models import JoinRequest, Organisation
from .signup import join_request_answer, join_request_create, organisation_sign_up


def login_url(next_url: str = "") -> str:
    """The sign-in page, coming back to ``next_url`` afterwards."""
    url = reverse("account_login")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    """Create an organisation and become its administrator (a close name is flagged first)."""
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = organisation_sign_up(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                size_band=data["size_band"],
                description=data["description"],
                system=data["system"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _created(request, organisation, data["system"])
    return render(
        request, "organisations/organisation_new.html", {"form": form, "similar": form.similar}
    )


def _created(request: HttpRequest, organisation: Organisation, system) -> HttpResponse:
    if system is not None:
        messages.info(
            request,
            _("The administrators of %(system)s are asked to accept it in their system.")
            % {"system": system.name},
        )
    if not organisation.active:
        messages.success(
            request,
            _(
                "%(organisation)s is registered. The platform staff check new organisations: "
                "you will receive an e-mail once they have."
            )
            % {"organisation": organisation.name},
        )
        return redirect("home")
    messages.success(
        request,
        _("%(organisation)s is created; you are its administrator.")
        % {"organisation": organisation.name},
    )
    return redirect("partnerships:dashboard", org_slug=organisation.slug)


@login_required
def join_request_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Ask the administrators of an organisation on the platform to let the person in."""
    organisation = get_object_or_404(Organisation.objects.active(), slug=org_slug)
    form = JoinRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            join_request_create(
                actor=request.user, organisation=organisation, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Your request is sent: the administrators of %(organisation)s will answer.")
                % {"organisation": organisation.name},
            )
            return redirect(_safe_next(request) or reverse("home"))
    return render(
        request,
        "organisations/join_request.html",
        {"target": organisation, "form": form, "next": _safe_next(request)},
    )


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return ""


def join_request_answer_view(approve: bool):
    @member_required(ADMIN)
    @require_POST
    def view(request: HttpRequest, membership, pk: int) -> HttpResponse:
        join_request = get_object_or_404(
            JoinRequest.objects.pending(), organisation=membership.organisation, pk=pk
        )
        form = JoinAnswerForm(request.POST)
        role = (form.is_valid() and form.cleaned_data["role"]) or JoinAnswerForm.base_fields[
            "role"
        ].initial
        try:
            join_request_answer(
                actor=request.user, join_request=join_request, approve=approve, role=role
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Request approved.") if approve else _("Request refused."))
        return redirect("members", org_slug=membership.organisation.slug)

    view.__name__ = "join_request_approve" if approve else "join_request_refuse"
    return view


join_request_approve = join_request_answer_view(True)
join_request_refuse = join_request_answer_view(False)
