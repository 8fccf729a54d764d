"""An organisation's archive on demand, for its administrators (under /o/<organisation>/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import files
from organisations.access import ADMIN, member_required

from .archives import ARCHIVE_KEEP_DAYS, archive_request, leave_request
from .forms import LeaveRequestForm
from .models import LeaveRequest, OrganisationArchive


@member_required(ADMIN)
def organisation_archive_page(request: HttpRequest, membership) -> HttpResponse:
    """What the archive holds, the ones prepared, and (POST) asking for a new one."""
    organisation = membership.organisation
    if request.method == "POST":
        archive_request(actor=request.user, organisation=organisation)
        messages.success(
            request, _("The archive is being prepared: it appears below when it is ready.")
        )
        return redirect("organisation-archive", org_slug=organisation.slug)
    archives = OrganisationArchive.objects.filter(organisation=organisation).select_related(
        "requested_by"
    )
    return render(
        request,
        "privacy/organisation_archive.html",
        {
            "organisation": organisation,
            "membership": membership,
            "archives": archives,
            "keep_days": ARCHIVE_KEEP_DAYS,
        },
    )


@member_required(ADMIN)
def organisation_archive_download(request: HttpRequest, membership, archive_id: int):
    archive = get_object_or_404(
        OrganisationArchive.objects.downloadable().filter(organisation=membership.organisation),
        pk=archive_id,
    )
    stamp = archive.created_at.strftime("%Y-%m-%d-%H%M")
    return files.download(
        request,
        archive.file,
        as_attachment=True,
        filename=f"archive-{membership.organisation.slug}-{stamp}.json",
    )


@member_required(ADMIN)
def leave_platform(request: HttpRequest, membership) -> HttpResponse:
    """Asking to leave the platform: what it means, a reason, a confirmation; staff act on it."""
    organisation = membership.organisation
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        leave_request(
            actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Your request is sent to the platform staff."))
        return redirect("organisation-leave-platform", org_slug=organisation.slug)
    pending = LeaveRequest.objects.filter(organisation=organisation, handled_at__isnull=True)
    return render(
        request,
        "privacy/leave_platform.html",
        {"organisation": organisation, "form": form, "pending": pending.first()},
        status=400 if request.method == "POST" else 200,
    )
