"""Writes from the workspace: each validates on the server, then calls one service.

With htmx the response is the refreshed partial (errors shown inline); without JavaScript a
success redirects to the tab and a failure renders the whole page with the errors.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organisations.access import PARTY, member_required
from partnerships import policy
from partnerships.exceptions import StateConflict
from partnerships.forms import (
    BenefitForm,
    CommitmentEditForm,
    CommitmentForm,
    ConcernCheckForm,
    ConcernEditForm,
    ConcernForm,
    LevelForm,
    ResponsibilityForm,
    ReviewForm,
)
from partnerships.services.proposals import level_propose
from partnerships.services.records import (
    concern_check_record,
    concern_raise,
    level_record,
    record_delete,
    record_restore,
    record_save,
    review_save,
)
from partnerships.services.versions import StaleVersion

from ..choices import AssessmentKind, CommitmentStatus, ConcernStatus
from ..models import Benefit, Commitment, Concern, Responsibility, Review
from .common import render_page_or_partial
from .confirm import Confirmation, is_confirmed, render_confirmation
from .workspace import (
    UNDO_SESSION_KEY,
    get_workspace_partnership_or_404,
    render_workspace,
    workspace_context,
    workspace_partnership_for,
)


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's validation error to the form fields it names, or to the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def tab_url(membership, partnership, tab: str) -> str:
    return reverse(
        f"partnerships:tab-{tab}",
        kwargs={"org_slug": membership.organisation.slug, "partnership_id": partnership.pk},
    )


def _done(request, membership, partnership, tab: str, message: str) -> HttpResponse:
    if request.htmx:
        fresh = get_workspace_partnership_or_404(membership, partnership.pk)
        response = render_workspace(request, membership, fresh, tab)
        response["HX-Trigger"] = "saved"
        return response
    messages.success(request, message)
    return redirect(tab_url(membership, partnership, tab))


def _refused(
    request, membership, partnership, tab: str, refusal: StaleVersion | StateConflict
) -> HttpResponse:
    """A one-click change raced with someone else's save, or the record's state refuses it:
    say so over the refreshed tab (409)."""
    fresh = get_workspace_partnership_or_404(membership, partnership.pk)
    return render_workspace(request, membership, fresh, tab, status=409, refusal=_text(refusal))


def _text(refusal: Exception) -> str:
    return " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)


def _save_form(
    request, membership, partnership, tab: str, form_name: str, form, save: Callable, message: str
) -> HttpResponse:
    status = 200
    if form.is_valid():
        try:
            save(form)
        except StateConflict as error:  # the state refuses it: 409, what was typed stays
            add_errors(form, error)
            status = 409
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _done(request, membership, partnership, tab, message)
    return render_workspace(
        request, membership, partnership, tab, status=status, **{form_name: form}
    )


def record_add(form_class, tab: str, form_name: str, message: str, own_party_as: str = ""):
    """A view that adds one record of ``form_class`` to the partnership; ``own_party_as`` names
    the field that is always the acting organisation's own party (whatever was posted)."""

    @member_required(PARTY)
    @require_POST
    def view(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
        partnership, may = workspace_partnership_for(membership, partnership_id)
        form = form_class(request.POST)
        form.limit_parties(partnership)
        form.instance.partnership = partnership
        if own_party_as:
            setattr(form.instance, own_party_as, may.party)
        return _save_form(
            request,
            membership,
            partnership,
            tab,
            form_name,
            form,
            lambda f: record_save(
                actor=request.user, organisation=membership.organisation, record=f.instance
            ),
            message,
        )

    view.__name__ = f"{form_name}_add"
    return view


responsibility_add = record_add(
    ResponsibilityForm, "commitments", "responsibility_form", gettext_lazy("Responsibility added.")
)
commitment_add = record_add(
    CommitmentForm, "commitments", "commitment_form", gettext_lazy("Commitment added.")
)


@member_required(PARTY)
@require_POST
def concern_add(request: HttpRequest, membership, partnership_id: int) -> HttpResponse:
    """A new fear or resistance, raised by the acting party, with its starting intensity."""
    partnership, may = workspace_partnership_for(membership, partnership_id)
    form = ConcernForm(request.POST)
    form.limit_parties(partnership)
    form.instance.partnership = partnership
    form.instance.raised_by = may.party
    return _save_form(
        request,
        membership,
        partnership,
        "concerns",
        "concern_form",
        form,
        lambda f: concern_raise(
            actor=request.user,
            organisation=membership.organisation,
            concern=f.instance,
            intensity=f.cleaned_data["intensity"],
        ),
        _("Concern recorded."),
    )


benefit_add = record_add(
    BenefitForm, "pleasures", "benefit_form", gettext_lazy("Pleasure recorded.")
)


def _concerns_of(membership, partnership):
    return Concern.objects.visible_to_organisation(membership.organisation).filter(
        partnership=partnership
    )


EDITABLE = {
    "responsibility": (Responsibility, ResponsibilityForm, "commitments"),
    "commitment": (Commitment, CommitmentEditForm, "commitments"),
    "concern": (Concern, ConcernEditForm, "concerns"),
    "benefit": (Benefit, BenefitForm, "pleasures"),
}


def record_edit(name: str):
    """Edit one record in its own form: inline with htmx, as a page without JavaScript."""
    model, form_class, tab = EDITABLE[name]

    @member_required(PARTY)
    def view(request: HttpRequest, membership, partnership_id: int, pk: int) -> HttpResponse:
        partnership, may = workspace_partnership_for(membership, partnership_id)
        records = (
            _concerns_of(membership, partnership)
            if model is Concern
            else model.objects.filter(partnership=partnership)
        )
        record = get_object_or_404(records, pk=pk)
        form = form_class(request.POST or None, instance=record)
        if hasattr(form, "limit_parties"):
            form.limit_parties(partnership)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                record_save(
                    actor=request.user,
                    organisation=membership.organisation,
                    record=form.instance,
                    version=form.cleaned_data.get("version"),
                )
            except StaleVersion as stale:
                form.add_error(None, str(stale))  # the form keeps what was typed
                status = 409
            except StateConflict as error:
                add_errors(form, error)
                status = 409
            except ValidationError as error:
                add_errors(form, error)
            else:
                return _done(request, membership, partnership, tab, _("Changes saved."))
        context = workspace_context(request, membership, partnership, tab, may=may)
        context.update(
            {
                "edit_form": form,
                "edit_name": name,
                "record": record,
                "cancel_url": tab_url(membership, partnership, tab),
            }
        )
        return render_page_or_partial(
            request, "partnerships/record_edit.html", "edit-form", context, status=status
        )

    view.__name__ = f"{name}_edit"
    return view


responsibility_edit = record_edit("responsibility")
commitment_edit = record_edit("commitment")
concern_edit = record_edit("concern")
benefit_edit = record_edit("benefit")


def record_remove(name: str):
    """Delete one record (the types ``policy.DELETABLE`` names). A GET shows the confirmation
    (without JavaScript; with htmx the button asks first); only a POST deletes."""
    model, _form_class, tab = EDITABLE[name]

    @member_required(PARTY)
    def view(request: HttpRequest, membership, partnership_id: int, pk: int) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "POST"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        partnership, may = workspace_partnership_for(membership, partnership_id)
        records = model.objects.filter(partnership=partnership)
        if any(field.name == "review" for field in model._meta.fields):
            records = records.select_related("review")
        record = get_object_or_404(records, pk=pk)
        try:
            policy.require_deletable(record)
        except StateConflict as error:  # agreed at a closed review: nothing is deleted
            if request.htmx and request.method == "POST":
                return _refused(request, membership, partnership, tab, error)
            refusal, status = _text(error), 409
        else:
            refusal, status = None, 200
            if request.method == "POST":
                record_delete(
                    actor=request.user, organisation=membership.organisation, record=record
                )
                return _deleted(request, membership, partnership, tab, name, record)
        return render(
            request,
            "partnerships/record_delete.html",
            {
                "membership": membership,
                "organisation": membership.organisation,
                "partnership": partnership,
                "may": may,
                "record": record,
                "refusal": refusal,
                "undo_minutes": settings.RECORD_UNDO_MINUTES,
                "cancel_url": tab_url(membership, partnership, tab),
            },
            status=status,
        )

    view.__name__ = f"{name}_delete"
    return view


def _deleted(request, membership, partnership, tab: str, name: str, record) -> HttpResponse:
    """The tab without the record, saying "Deleted" with its Undo button: at once with htmx,
    after the redirect without JavaScript (the session carries which record, once)."""
    if request.htmx:
        fresh = get_workspace_partnership_or_404(membership, partnership.pk)
        response = render_workspace(request, membership, fresh, tab, undo=(name, record.pk))
        response["HX-Trigger"] = "saved"
        return response
    request.session[UNDO_SESSION_KEY] = [name, record.pk]
    return redirect(tab_url(membership, partnership, tab))


def record_undo(name: str):
    """Bring back a record deleted within the undo window, by the party that deleted it (POST
    only: the Undo button shown once it was deleted)."""
    model, _form_class, tab = EDITABLE[name]

    @member_required(PARTY)
    @require_POST
    def view(request: HttpRequest, membership, partnership_id: int, pk: int) -> HttpResponse:
        partnership, _may = workspace_partnership_for(membership, partnership_id)
        record = get_object_or_404(model.all_objects.filter(partnership=partnership), pk=pk)
        try:
            record_restore(actor=request.user, organisation=membership.organisation, record=record)
        except StateConflict as refusal:  # too late, or not deleted: nothing changes
            return _refused(request, membership, partnership, tab, refusal)
        return _done(request, membership, partnership, tab, _("Deletion undone."))

    view.__name__ = f"{name}_restore"
    return view


responsibility_restore = record_undo("responsibility")
commitment_restore = record_undo("commitment")
benefit_restore = record_undo("benefit")


responsibility_delete = record_remove("responsibility")
commitment_delete = record_remove("commitment")
benefit_delete = record_remove("benefit")


@member_required(PARTY)
@require_POST
def commitment_done(request: HttpRequest, membership, partnership_id: int, pk: int):
    partnership, _may = workspace_partnership_for(membership, partnership_id)
    commitment = get_object_or_404(Commitment.objects.filter(partnership=partnership), pk=pk)
    commitment.status = CommitmentStatus.DONE
    try:
        record_save(actor=request.user, organisation=membership.organisation, record=commitment)
    except (StaleVersion, StateConflict) as refusal:
        return _refused(request, membership, partnership, "commitments", refusal)
    return _done(request, membership, partnership, "commitments", _("Commitment marked done."))


@member_required(PARTY)
@require_POST
def concern_check(request: HttpRequest, membership, partnership_id: int, pk: int):
    """Re-rate a concern: a new check, never an edit of the previous one."""
    partnership, _may = workspace_partnership_for(membership, partnership_id)
    concern = get_object_or_404(_concerns_of(membership, partnership), pk=pk)
    form = ConcernCheckForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            concern_check_record(
                actor=request.user,
                organisation=membership.organisation,
                concern=concern,
                intensity=form.cleaned_data["intensity"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
            status = 409 if isinstance(error, StateConflict) else 200
        else:
            return _done(request, membership, partnership, "concerns", _("New rating recorded."))
    return render_workspace(
        request,
        membership,
        partnership,
        "concerns",
        status=status,
        check_errors={concern.pk: form.errors},
    )


@member_required(PARTY)
@require_POST
def concern_resolve(request: HttpRequest, membership, partnership_id: int, pk: int):
    partnership, may = workspace_partnership_for(membership, partnership_id)
    concern = get_object_or_404(_concerns_of(membership, partnership), pk=pk)
    if not is_confirmed(request):
        return render_confirmation(
            request,
            membership,
            Confirmation(
                title=_("Mark this fear or resistance resolved?"),
                subject=f"{concern.get_kind_display()} · {concern.category_label}",
                consequences=[
                    _("It leaves the open fears and resistances: reviews no longer re-rate it."),
                    _("Its ratings so far stay in the history."),
                ],
                cancel_url=tab_url(membership, partnership, "concerns"),
            ),
            partnership,
            may,
        )
    concern.status = ConcernStatus.RESOLVED
    try:
        record_save(actor=request.user, organisation=membership.organisation, record=concern)
    except (StaleVersion, StateConflict) as refusal:
        return _refused(request, membership, partnership, "concerns", refusal)
    return _done(request, membership, partnership, "concerns", _("Concern marked resolved."))


@member_required(PARTY)
@require_POST
def review_add(request: HttpRequest, membership, partnership_id: int):
    partnership, _may = workspace_partnership_for(membership, partnership_id)
    form = ReviewForm(request.POST, instance=Review(partnership=partnership))
    return _save_form(
        request,
        membership,
        partnership,
        "reviews",
        "review_form",
        form,
        lambda f: review_save(
            actor=request.user, organisation=membership.organisation, review=f.instance
        ),
        _("Review planned."),
    )


@member_required(PARTY)
@require_POST
def level_add(request: HttpRequest, membership, partnership_id: int):
    """Record an agreed, target or perceived level; the ladder is redrawn."""
    partnership, _may = workspace_partnership_for(membership, partnership_id)
    form = LevelForm(request.POST)
    status = 200
    if form.is_valid():
        proposing = form.cleaned_data["kind"] == AssessmentKind.AGREED and (
            policy.agreed_by_proposal(None)
        )
        try:
            if proposing:
                level_propose(
                    actor=request.user,
                    organisation=membership.organisation,
                    partnership=partnership,
                    level=form.cleaned_data["level"],
                    rationale=form.cleaned_data["rationale"],
                )
            else:
                level_record(
                    actor=request.user,
                    organisation=membership.organisation,
                    partnership=partnership,
                    **form.cleaned_data,
                )
        except ValidationError as error:
            add_errors(form, error)
            status = 409 if isinstance(error, StateConflict) else 200
        else:
            message = (
                _(
                    "Proposed to the partners: it becomes the agreed level when every partner "
                    "confirms."
                )
                if proposing
                else _("Level recorded.")
            )
            if request.htmx:
                fresh = get_workspace_partnership_or_404(membership, partnership.pk)
                return render_workspace(
                    request, membership, fresh, "commitments", partial="ladder", notice=message
                )
            messages.success(request, message)
            return redirect(tab_url(membership, partnership, "commitments"))
    return render_workspace(
        request,
        membership,
        partnership,
        "commitments",
        partial="ladder",
        status=status,
        level_form=form,
    )
