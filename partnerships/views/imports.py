"""Importing partnerships from a spreadsheet: upload, map the columns, preview, confirm.

Editors and administrators only; every lookup starts from the acting organisation's imports,
so another organisation's import is a 404 whatever its number.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisations.access import WRITE, member_required
from organisations.models import Membership, Organisation
from partnerships.exceptions import StateConflict
from partnerships.forms.imports import ImportConfirmForm, ImportMappingForm, ImportUploadForm
from partnerships.models import ImportJob
from partnerships.reads.tables import table_response
from partnerships.services import imports

from .common import render_page_or_partial

SAMPLE_ROWS = 3


def get_import_or_404(membership: Membership, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.filter(organisation=membership.organisation), pk=pk)


@member_required(WRITE)
def import_start(request: HttpRequest, membership) -> HttpResponse:
    """The file to import, with the template to start from."""
    organisation = membership.organisation
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            form.add_error("file", _("The file is larger than 10 MB."))
        else:
            try:
                job = imports.import_start(
                    actor=request.user,
                    organisation=organisation,
                    content=upload.read(),
                    filename=upload.name or "",
                    language=translation.get_language(),
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                return redirect("partnerships:import-detail", org_slug=organisation.slug, pk=job.pk)
    recent = ImportJob.objects.filter(organisation=organisation).only(
        "pk", "filename", "status", "created_at", "result"
    )[:10]
    return render(
        request,
        "partnerships/import.html",
        {
            "membership": membership,
            "organisation": organisation,
            "form": form,
            "recent": recent,
            "languages": settings.LANGUAGES,
            "max_rows": imports.MAX_ROWS,
        },
        status=400 if form.errors else 200,
    )


@member_required()
def import_template(request: HttpRequest, membership, file_format: str) -> HttpResponse:
    """The expected columns and an example row, in the page's language (``?language=``)."""
    language = request.GET.get("language")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        header, rows = imports.template_rows()
        return table_response(header, rows, file_format, _("partnerships-template"))


def _ambiguous(job: ImportJob) -> dict[str, list[tuple[str, str]]]:
    names: dict[str, list[str]] = {}
    for row in job.preview:
        for partner in row.get("partners", []):
            if partner.get("candidates"):
                names.setdefault(partner["name"], partner["candidates"])
    slugs = {slug for candidates in names.values() for slug in candidates}
    labels = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return {
        name: [(slug, f"{labels.get(slug, slug)} ({slug})") for slug in candidates]
        for name, candidates in names.items()
    }


def _detail(request, membership, job, mapping_form=None, confirm_form=None, status=200):
    may_confirm = imports.confirmable(job)
    ambiguous = _ambiguous(job) if may_confirm else {}
    counts = imports.summary(job.preview)
    mapping_form = mapping_form or ImportMappingForm(headers=job.headers, mapping=job.mapping)
    samples = [
        [
            row[index + 1]
            for row in job.rows[:SAMPLE_ROWS]
            if len(row) > index + 1 and row[index + 1]
        ]
        for index in range(len(job.headers))
    ]
    field_labels = {name: str(label) for name, label in imports.FIELDS.items()}
    rows = [
        {
            **row,
            "error_list": [
                (field_labels.get(name, name), messages_)
                for name, messages_ in row["errors"].items()
            ],
        }
        for row in job.preview
    ]
    return render_page_or_partial(
        request,
        "partnerships/import_detail.html",
        "import-status",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "job": job,
            "rows": rows,
            "counts": counts,
            "mapping_form": mapping_form,
            "mapping_rows": list(zip(mapping_form, samples, strict=False)),
            "confirm_form": confirm_form or ImportConfirmForm(ambiguous=ambiguous),
            "may_confirm": may_confirm,
        },
        status=status,
    )


@member_required(WRITE)
def import_detail(request: HttpRequest, membership, pk: int) -> HttpResponse:
    """The preview (htmx polls it while a large file is read); posting a new mapping reads the
    file again with it."""
    job = get_import_or_404(membership, pk)
    if request.method != "POST":
        return _detail(request, membership, job)
    form = ImportMappingForm(request.POST, headers=job.headers, mapping=job.mapping)
    if not form.is_valid():
        return _detail(request, membership, job, mapping_form=form, status=400)
    try:
        job = imports.import_remap(actor=request.user, job=job, mapping=form.mapping())
    except StateConflict as error:
        messages.error(request, " ".join(error.messages))
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _detail(request, membership, job, mapping_form=form, status=400)
    return redirect("partnerships:import-detail", org_slug=membership.organisation.slug, pk=job.pk)


@member_required(WRITE)
@require_POST
def import_confirm(request: HttpRequest, membership, pk: int) -> HttpResponse:
    """Write the import, all of it or nothing; rows in error only if the box is ticked."""
    job = get_import_or_404(membership, pk)
    form = ImportConfirmForm(request.POST, ambiguous=_ambiguous(job))
    if not form.is_valid():
        return _detail(request, membership, job, confirm_form=form, status=400)
    try:
        job = imports.import_confirm_start(
            actor=request.user,
            job=job,
            skip_errors=form.cleaned_data["skip_errors"],
            resolve=form.resolve(),
        )
    except StateConflict as error:  # confirmed already, or not read yet
        messages.error(request, " ".join(error.messages))
    except ValidationError as error:  # the rows in error, or a value a service refused
        form.add_error(None, " ".join(error.messages))
        return _detail(request, membership, job, confirm_form=form, status=400)
    else:
        if job.in_progress:  # a large file: a worker writes it, the page follows it
            return redirect(
                "partnerships:import-detail", org_slug=membership.organisation.slug, pk=job.pk
            )
        result = job.result
        messages.success(
            request,
            _(
                "Import done: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(skipped)s left out."
            )
            % result,
        )
    return redirect("partnerships:import-detail", org_slug=membership.organisation.slug, pk=job.pk)
