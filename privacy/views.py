"""The person's own pages about their data: the notice, taking their data, deleting the account."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import files

from .erasure import person_erase
from .export import personal_data
from .forms import ErasureForm
from .models import PersonalExport
from .own_exports import is_large, may_download_personal_export, personal_export_request
from .policy import LastAdministrator, organisations_only_administered_by
from .readable import readable
from .retention import retention_days


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Who runs the platform, what is kept and why, for how long, who sees what, your rights."""
    return render(
        request,
        "privacy/notice.html",
        {
            "operator_name": settings.PLATFORM_OPERATOR_NAME,
            "operator_address": settings.PLATFORM_OPERATOR_ADDRESS,
            "operator_email": settings.PLATFORM_OPERATOR_EMAIL,
            "retention": retention_days(),
        },
    )


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the platform holds about the person: readable, or as JSON to take away."""
    if request.GET.get("format") == "json" and is_large(request.user):
        personal_export_request(user=request.user)
        messages.success(
            request,
            _(
                "Your data is large: it is being prepared, and a link to download it will be "
                "sent to your e-mail address."
            ),
        )
        return redirect("my-data")
    data = personal_data(request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response
    return render(request, "privacy/my_data.html", {"data": readable(data)})


@login_required
@require_safe
def my_data_export(request: HttpRequest, export_id: int) -> HttpResponse:
    """The link of the e-mail: the file, to the person it is about only (404 for anyone else,
    and once the file is no longer kept)."""
    export = PersonalExport.objects.filter(pk=export_id).first()
    if export is None or not may_download_personal_export(request.user, export):
        raise Http404
    return files.download(
        request,
        export.file,
        as_attachment=True,
        filename=f"my-data-{export.created_at:%Y%m%d}.json",
        content_type="application/json; charset=utf-8",
    )


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Deleting one's own account: what it does, the password again, a tick, then erasure."""
    form = ErasureForm(request.POST or None, user=request.user)
    blocking = organisations_only_administered_by(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(actor=request.user, user=request.user)
        except LastAdministrator as refusal:
            form.add_error(None, refusal.messages[0])
        else:
            logout(request)
            messages.success(request, _("Your account is deleted. Goodbye."))
            return redirect("privacy-notice")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "privacy/account_delete.html",
        {"form": form, "blocking": blocking},
        status=status,
    )
