"""Background exports of the partnership list: ask for one, follow it, download the file.

Every lookup starts from the acting organisation's exports: another organisation's export is
a 404, whatever its number.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import files
from organisations.access import WRITE, member_required
from organisations.models import Membership
from partnerships import policy
from partnerships.forms import ExportStartForm
from partnerships.services.exports import KEEP_DAYS, export_request, exports_fail_stuck

from ..choices import ExportStatus
from ..models import ExportJob
from .common import render_page_or_partial

SHOWN = 50


def get_export_or_404(membership: Membership, pk: int) -> ExportJob:
    """An export of the acting organisation, or 404."""
    return get_object_or_404(
        ExportJob.objects.for_organisation(membership.organisation).select_related("requested_by"),
        pk=pk,
    )


@member_required(WRITE)
@require_POST
def export_start(request: HttpRequest, membership) -> HttpResponse:
    """Record the export with the list's current filters, then follow it on its own page."""
    organisation = membership.organisation
    form = ExportStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the format of the export: CSV or XLSX."))
        return redirect("partnerships:list", org_slug=organisation.slug)
    try:
        job = export_request(
            actor=request.user,
            organisation=organisation,
            file_format=form.cleaned_data["file_format"],
            params=request.POST,
            language=translation.get_language(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partnerships:list", org_slug=organisation.slug)
    return redirect("partnerships:export-detail", org_slug=organisation.slug, pk=job.pk)


@member_required()
def export_list(request: HttpRequest, membership) -> HttpResponse:
    """The organisation's exports of the last days, newest first."""
    since = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    jobs = (
        ExportJob.objects.for_organisation(membership.organisation)
        .filter(created_at__gte=since)
        .select_related("requested_by")[:SHOWN]
    )
    return render(
        request,
        "partnerships/exports.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "jobs": jobs,
            "keep_days": KEEP_DAYS,
        },
    )


@member_required()
def export_detail(request: HttpRequest, membership, pk: int) -> HttpResponse:
    """The export's progress; htmx polls the status part until the file is ready or the job
    failed. Each look checks the job is still alive: one whose worker stopped fails at once."""
    job = get_export_or_404(membership, pk)
    if job.in_progress and exports_fail_stuck(
        jobs=ExportJob.objects.for_organisation(membership.organisation).filter(pk=job.pk)
    ):
        job = get_export_or_404(membership, pk)
    return render_page_or_partial(
        request,
        "partnerships/export.html",
        "export-status",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "job": job,
            "keep_days": KEEP_DAYS,
            # Trying again asks for the same export with the same filters (editors and admins).
            "may_retry": policy.Actor.of(request.user, membership.organisation).writes,
        },
    )


@member_required()
def export_download(request: HttpRequest, membership, pk: int) -> HttpResponse:
    """The file, for members of the organisation that asked for it only."""
    job = get_object_or_404(
        ExportJob.objects.for_organisation(membership.organisation)
        .filter(status=ExportStatus.DONE)
        .exclude(file=""),
        pk=pk,
    )
    job.organisation = membership.organisation  # for the file name, without a query
    return files.download(request, job.file, as_attachment=True, filename=job.download_name)
