"""The Agreement tab's steps, the printable version, the diff and the signed scan.

Each step is a small POST that calls one service: with htmx it answers the refreshed tab,
without JavaScript it redirects back to it. Editors draft and submit; administrators decide for
their own organisation (``member_required(ADMIN)``; the service checks again).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import files
from core.pdf import pdf_response
from organisations.access import ADMIN, PARTY, WRITE, member_required
from partnerships import policy
from partnerships.forms.agreements import (
    AgreementForm,
    RefusalForm,
    RepresentativeForm,
    SignedScanForm,
)
from partnerships.reads import agreement_diff as diff
from partnerships.reads import agreements as reads
from partnerships.reads import documents
from partnerships.services import agreements as services
from partnerships.services.versions import StaleVersion

from ..exceptions import StateConflict
from ..models import Agreement
from .common import get_partnership_or_404
from .confirm import Confirmation, is_confirmed, render_confirmation
from .records import _done, add_errors, tab_url
from .workspace import (
    get_workspace_partnership_or_404,
    render_workspace,
    workspace_partnership_for,
)

TAB = "agreement"


def get_agreement_or_404(partnership, agreement_id: int) -> Agreement:
    """A version of a partnership that already passed the organisation's scoping."""
    return get_object_or_404(Agreement.objects.filter(partnership=partnership), pk=agreement_id)


def agreement_step(
    access: str, message: str, form_name: str | None = None, confirm: Callable | None = None
):
    """A POST step on one version: ``handle(request, membership, agreement)`` returns a bound
    form with errors to show again, or None when the step succeeded. ``message`` is lazy: it
    is read in the language of each request, not of the import.

    ``confirm(request, membership, partnership, agreement, may)``, for an irreversible step,
    runs once the policy allowed it: it raises the version's state refusal (409), answers the
    confirmation page, or None once the step was confirmed."""

    def decorator(handle: Callable) -> Callable:
        @member_required(PARTY)
        @require_POST
        def view(request: HttpRequest, membership, partnership_id: int, agreement_id: int):
            partnership, may = workspace_partnership_for(
                membership,
                partnership_id,
                policy.require_party_admin if access == ADMIN else policy.require_writer,
            )
            agreement = get_agreement_or_404(partnership, agreement_id)
            try:
                if confirm is not None:
                    asking = confirm(request, membership, partnership, agreement, may)
                    if asking is not None:
                        return asking
                failed = handle(request, membership, agreement)
            except StateConflict as error:  # say it, and show the version as it now stands
                return _refused(request, membership, partnership, error)
            if failed is not None:
                response = render_workspace(
                    request, membership, partnership, TAB, **{form_name: failed}
                )
                if getattr(failed, "stale", False):
                    response.status_code = 409  # htmx swaps it in (base.html's config)
                return response
            return _done(request, membership, partnership, TAB, message)

        view.__name__ = handle.__name__
        return view

    return decorator


def _refused(request, membership, partnership, error: ValidationError) -> HttpResponse:
    """The version's state refuses the step (409): the tab as it now stands, with the reason
    (the partial with htmx, the whole page without JavaScript)."""
    messages.error(request, " ".join(error.messages))
    fresh = get_workspace_partnership_or_404(membership, partnership.pk)
    return render_workspace(request, membership, fresh, TAB, status=409)


def _validated(form, save: Callable) -> object | None:
    if not form.is_valid():
        return form
    try:
        save(form.cleaned_data)
    except StateConflict:
        raise  # not the input's fault: the step tells it as a message
    except ValidationError as error:
        add_errors(form, error)
        return form
    return None


@member_required(PARTY)
@require_POST
def agreement_add(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """Start the next version as a draft (from the version in force, if any)."""
    partnership, _may = workspace_partnership_for(membership, partnership_id)
    try:
        services.agreement_draft(
            actor=request.user, organisation=membership.organisation, partnership=partnership
        )
    except StateConflict as error:
        return _refused(request, membership, partnership, error)
    return _done(request, membership, partnership, TAB, _("A new version is being drafted."))


def _save_draft(request, membership, agreement):
    """Save the drafting form's fields (with its revision check): the bound form with errors
    (``stale`` when refused as stale), or None once saved."""
    form = AgreementForm(request.POST, instance=Agreement(partnership=agreement.partnership))
    try:
        return _validated(
            form,
            lambda data: services.agreement_update(
                actor=request.user,
                organisation=membership.organisation,
                agreement=agreement,
                **data,
            ),
        )
    except StaleVersion as stale:  # what the person typed stays in the form, with the reason
        form.add_error(None, str(stale))
        form.stale = True
        return form


@agreement_step(WRITE, gettext_lazy("Draft saved."), "agreement_form")
def agreement_edit(request, membership, agreement):
    return _save_draft(request, membership, agreement)


@agreement_step(
    WRITE, gettext_lazy("Your organisation's representative is recorded."), "representative_form"
)
def agreement_representative(request, membership, agreement):
    """Who signs the draft for the acting organisation (its own party only)."""
    return _validated(
        RepresentativeForm(request.POST),
        lambda data: services.agreement_representative_set(
            actor=request.user,
            organisation=membership.organisation,
            agreement=agreement,
            **data,
        ),
    )


def _asking(request, membership, partnership, may, confirmation: Confirmation):
    """The confirmation page unless the step was confirmed."""
    if is_confirmed(request):
        return None
    confirmation.cancel_url = tab_url(membership, partnership, TAB)
    return render_confirmation(request, membership, confirmation, partnership, may)


def _confirm_submit(request, membership, partnership, agreement, may):
    """The submit button belongs to the drafting form: what it posts is saved as the draft
    first (with its revision check), so that nothing typed is dropped; then it asks."""
    services.require_submittable(agreement)
    if not is_confirmed(request) and "revision" in request.POST:
        failed = _save_draft(request, membership, agreement)
        if failed is not None:
            response = render_workspace(
                request, membership, partnership, TAB, agreement_form=failed
            )
            if getattr(failed, "stale", False):
                response.status_code = 409
            return response
    asking = _asking(
        request,
        membership,
        partnership,
        may,
        Confirmation(
            title=_("Submit version %(version)s for approval?") % {"version": agreement.version},
            consequences=[
                _("The version is frozen while the parties decide: nobody can edit it."),
                _(
                    "Every party's administrators approve or refuse it for their organisation; "
                    "a refusal sends it back to draft."
                ),
            ],
            cancel_url="",
        ),
    )
    if asking is not None and request.htmx:
        # The button's htmx request targets the tab: the confirmation is a whole page.
        asking["HX-Retarget"] = "body"
        asking["HX-Reswap"] = "innerHTML"
    return asking


def _confirm_approve(request, membership, partnership, agreement, may):
    services.require_decidable(agreement, membership.organisation)
    return _asking(
        request,
        membership,
        partnership,
        may,
        Confirmation(
            title=_("Approve version %(version)s for %(organisation)s?")
            % {"version": agreement.version, "organisation": membership.organisation.name},
            consequences=[
                _("Your organisation's approval is recorded: it cannot be withdrawn."),
                _("With the approval of every party, the version comes into force."),
            ],
            cancel_url="",
        ),
    )


def _confirm_refuse(request, membership, partnership, agreement, may):
    services.require_decidable(agreement, membership.organisation)
    if not RefusalForm(request.POST).is_valid():
        return None  # the step shows what is missing; nothing changes
    return _asking(
        request,
        membership,
        partnership,
        may,
        Confirmation(
            title=_("Refuse version %(version)s for %(organisation)s?")
            % {"version": agreement.version, "organisation": membership.organisation.name},
            consequences=[
                _("Your organisation's refusal is recorded with its reason: every party reads it."),
                _(
                    "The version goes back to draft; every party is asked again when it is "
                    "submitted next."
                ),
            ],
            subject=request.POST.get("reason", "").strip(),
            subject_label=_("Reason"),
            carried=["reason"],
            cancel_url="",
        ),
    )


@agreement_step(
    WRITE,
    gettext_lazy("Submitted: every party's administrators can now approve it."),
    confirm=_confirm_submit,
)
def agreement_submit(request, membership, agreement):
    services.agreement_submit(
        actor=request.user, organisation=membership.organisation, agreement=agreement
    )


@agreement_step(
    ADMIN, gettext_lazy("Your organisation's approval is recorded."), confirm=_confirm_approve
)
def agreement_approve(request, membership, agreement):
    services.agreement_approve(
        actor=request.user, organisation=membership.organisation, agreement=agreement
    )


@agreement_step(
    ADMIN,
    gettext_lazy("Your organisation's refusal is recorded; the version is a draft again."),
    "refusal_form",
    confirm=_confirm_refuse,
)
def agreement_refuse(request, membership, agreement):
    return _validated(
        RefusalForm(request.POST),
        lambda data: services.agreement_refuse(
            actor=request.user,
            organisation=membership.organisation,
            agreement=agreement,
            reason=data["reason"],
        ),
    )


@agreement_step(WRITE, gettext_lazy("The signed scan is attached."), "scan_form")
def agreement_scan(request, membership, agreement):
    return _validated(
        SignedScanForm(request.POST, request.FILES),
        lambda data: services.agreement_attach_scan(
            actor=request.user,
            organisation=membership.organisation,
            agreement=agreement,
            scan=data["scan"],
        ),
    )


@member_required()
def agreement_scan_download(
    request: HttpRequest, membership, partnership_id: int, agreement_id: int
):
    """The signed scan, to members of the parties only, as a download never shown inline."""
    partnership = get_partnership_or_404(membership, partnership_id)
    agreement = get_agreement_or_404(partnership, agreement_id)
    if not agreement.signed_scan:
        raise Http404("No signed scan.")
    response = files.download(
        request,
        agreement.signed_scan,
        as_attachment=True,
        filename=f"agreement-{partnership.pk}-v{agreement.version}-signed.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _document(membership, partnership_id: int, agreement_id: int) -> dict:
    """What the printed version shows, as a page or a PDF."""
    partnership = get_workspace_partnership_or_404(membership, partnership_id)
    return {
        "membership": membership,
        **documents.agreement_document(partnership, membership.organisation, agreement_id),
    }


@member_required()
def agreement_print(request: HttpRequest, membership, partnership_id: int, agreement_id: int):
    """One version as a document to print: parties, clauses, approvals, signatures."""
    context = _document(membership, partnership_id, agreement_id)
    return render(request, documents.AGREEMENT_TEMPLATE, context)


@member_required()
def agreement_pdf(request: HttpRequest, membership, partnership_id: int, agreement_id: int):
    """The printed version as a PDF file, made from the same template."""
    context = _document(membership, partnership_id, agreement_id)
    return pdf_response(
        request,
        documents.AGREEMENT_TEMPLATE,
        context,
        filename=documents.agreement_filename(context["agreement"]),
        html_url=reverse(
            "partnerships:agreement-print",
            args=[membership.organisation.slug, partnership_id, agreement_id],
        ),
    )


@member_required()
def agreement_diff(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """What changed between two versions (``?old=<id>&new=<id>``, by default the last two)."""
    partnership = get_workspace_partnership_or_404(membership, partnership_id)
    versions = reads.versions_of(partnership)
    by_id = {str(v.pk): v for v in versions}
    new = by_id.get(request.GET.get("new", "")) or (versions[0] if versions else None)
    old = by_id.get(request.GET.get("old", "")) or (versions[1] if len(versions) > 1 else None)
    return render(
        request,
        "partnerships/agreement_diff.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": diff.compare(old, new) if old and new and old != new else None,
        },
    )
