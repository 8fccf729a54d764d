"""The review meeting: one page from planning to closing, each step a small POST.

With htmx a step answers with its own block of the page only (the partial of the same name as
the block's id and the form's ``hx-target``), so that what is typed in the other blocks stays;
holding and closing answer the whole meeting section. Without JavaScript a step redirects back
to the page. The minutes save themselves while typed (``review_minutes_autosave``). A closed
review only shows its frozen record.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.dates import long_date
from core.pdf import pdf_response
from organisations.access import PARTY, member_required
from partnerships import policy
from partnerships.forms import (
    AgreedLevelForm,
    BenefitForm,
    BlindRatingForm,
    ChecksForm,
    CommitmentForm,
    MinutesForm,
    ReviewCancelForm,
    ReviewPlanForm,
)
from partnerships.reads import documents
from partnerships.reads.agenda import (
    accepted_parties,
    blind_status,
    build_agenda,
    review_table,
    visible_record,
)
from partnerships.reads.ical import review_calendar
from partnerships.reports import charts
from partnerships.services import reviews
from partnerships.services.records import (
    concern_check_record,
    level_record,
    record_save,
    review_save,
)
from partnerships.services.versions import StaleVersion

from ..choices import AssessmentKind, CommitmentStatus
from ..exceptions import StateConflict
from ..models import Commitment, Concern, Review
from ..reads.questionnaires import questionnaire_history
from .common import (
    Require,
    get_partnership_or_404,
    partnership_for,
    permissions,
    render_page_or_partial,
)
from .confirm import Confirmation, is_confirmed, render_confirmation
from .questionnaire import questionnaire_context
from .records import add_errors


def get_review_or_404(
    membership, partnership_id: int, review_id: int, require: Require = policy.require_reader
):
    """The partnership, the review and ``may``, once the policy allowed ``require``."""
    partnership, may = partnership_for(membership, partnership_id, require)
    review = get_object_or_404(
        Review.objects.filter(partnership=partnership).prefetch_related("attendees"),
        pk=review_id,
    )
    return partnership, review, may


def review_url(membership, review) -> str:
    return reverse(
        "partnerships:review",
        kwargs={
            "org_slug": membership.organisation.slug,
            "partnership_id": review.partnership_id,
            "review_id": review.pk,
        },
    )


def _open_concerns(membership, partnership):
    return (
        Concern.objects.visible_to_organisation(membership.organisation)
        .filter(partnership=partnership)
        .open()
        .with_latest_intensity()
        .order_by("kind", "category", "pk")
    )


def _own_rating(blind, party) -> dict:
    """The acting party's saved rating for the review (the latest entry), to show it again:
    recording anew without touching the wished-for level keeps it."""
    own = next((row for row in blind if party is not None and row.party.pk == party.pk), None)
    if own is None or own.level is None:
        return {}
    return {"level": own.level, "wished_level": own.wished}


def meeting_context(request, membership, partnership, review, may=None, **forms) -> dict:
    organisation = membership.organisation
    may = may or permissions(membership, partnership)
    blind = blind_status(review, organisation)
    context = {
        "may": may,
        "may_rate": policy.may_rate(may, review),
        "may_cancel": policy.may_cancel_review(may, review),
        "refusal": forms.pop("refusal", None),  # why the review's state refused a step (409)
        "membership": membership,
        "organisation": organisation,
        "partnership": partnership,
        "review": review,
        "agenda": build_agenda(review, organisation),
        "blind": blind,
        **questionnaire_context(membership, review, may),
    }
    if review.is_cancelled:
        return context
    if review.is_closed:
        context["record"] = visible_record(review.record, {organisation.slug})
        return context
    concerns = _open_concerns(membership, partnership)
    commitment_form = forms.get("commitment_form") or CommitmentForm()
    commitment_form.limit_parties(partnership)
    benefit_form = forms.get("benefit_form") or BenefitForm()
    benefit_form.limit_parties(partnership)
    context.update(
        {
            "plan_form": forms.get("plan_form")
            or ReviewPlanForm(instance=review, partnership=partnership),
            "rating_form": forms.get("rating_form")
            or BlindRatingForm(initial=_own_rating(blind, may.party)),
            "agreed_form": forms.get("agreed_form")
            or AgreedLevelForm(initial={"level": partnership.agreed_level}),
            "checks_form": forms.get("checks_form") or ChecksForm(concerns=concerns),
            "minutes_form": forms.get("minutes_form") or MinutesForm(instance=review),
            "cancel_form": forms.get("cancel_form") or ReviewCancelForm(),
            "commitments": Commitment.objects.filter(partnership=partnership)
            .exclude(status__in=[CommitmentStatus.DONE, CommitmentStatus.DROPPED])
            .select_related("party__organisation")
            .order_by("due_on", "pk"),
            "commitment_form": commitment_form,
            "benefit_form": benefit_form,
        }
    )
    return context


def render_meeting(
    request, membership, partnership, review, status=200, block: str | None = None, **forms
):
    """The meeting page, or for htmx its section (or only ``block``, a partial of the page that
    shows the step's messages itself); ``forms`` carry bound forms, ``may`` and a ``refusal``."""
    context = meeting_context(request, membership, partnership, review, **forms)
    context["step_block"] = block if request.htmx else None  # not "block": Django sets it
    return render_page_or_partial(
        request, "partnerships/review.html", block or "meeting", context, status=status
    )


@member_required()
def review_page(request: HttpRequest, membership, partnership_id: int, review_id: int):
    partnership, review, may = get_review_or_404(membership, partnership_id, review_id)
    return render_meeting(request, membership, partnership, review, may=may)


def meeting_step(
    form_name: str | None,
    message: str,
    confirm: Callable | None = None,
    block: str | None = None,
):
    """A POST step of the meeting: ``handle(request, membership, partnership, review)`` returns
    a bound form with errors to show again, or None when the step succeeded. With htmx it
    answers ``block`` only (the whole meeting section without one).

    ``confirm(request, membership, partnership, review, may)``, for an irreversible step, runs
    once the policy and the review's state allowed it: it answers the confirmation page, or
    None once the step was confirmed."""

    def decorator(handle: Callable) -> Callable:
        @member_required(PARTY)
        @require_POST
        def view(request: HttpRequest, membership, partnership_id: int, review_id: int):
            partnership, review, may = get_review_or_404(
                membership, partnership_id, review_id, policy.require_writer
            )
            try:
                # A closed review takes nothing new and changes nothing it recorded; a
                # cancelled one is read-only.
                policy.require_review_active(review)
                if confirm is not None:
                    asking = confirm(request, membership, partnership, review, may)
                    if asking is not None:
                        return asking
                with transaction.atomic():
                    failed = handle(request, membership, partnership, review)
            except StateConflict as error:  # the review's state refuses the step: 409
                return render_meeting(
                    request,
                    membership,
                    partnership,
                    Review.objects.prefetch_related("attendees").get(pk=review.pk),
                    status=409,
                    block=block,
                    may=may,
                    refusal=" ".join(error.messages),
                )
            except ValidationError as error:
                failed = None
                messages.error(request, " ".join(error.messages))
                if not request.htmx:
                    return redirect(review_url(membership, review))
                return render_meeting(
                    request,
                    membership,
                    partnership,
                    Review.objects.get(pk=review.pk),
                    status=200,
                    block=block,
                )
            if failed is not None:
                status = 409 if getattr(failed, "stale", False) else 200
                return render_meeting(
                    request,
                    membership,
                    partnership,
                    review,
                    status,
                    block=block,
                    may=may,
                    **{form_name: failed},
                )
            messages.success(request, message)
            if request.htmx:
                fresh = Review.objects.prefetch_related("attendees").get(pk=review.pk)
                partnership = get_partnership_or_404(membership, partnership.pk)
                return render_meeting(request, membership, partnership, fresh, block=block)
            return redirect(review_url(membership, review))

        view.__name__ = handle.__name__
        return view

    return decorator


def _validated(form, save) -> object | None:
    if not form.is_valid():
        return form
    try:
        with transaction.atomic():  # a refused save leaves nothing half-written
            save(form)
    except StaleVersion as stale:
        form.add_error(None, str(stale))  # the form keeps what was typed
        form.stale = True
        return form
    except ValidationError as error:
        add_errors(form, error)
        form.stale = isinstance(error, StateConflict)  # a state refusal is a 409 too
        return form
    return None


@meeting_step("plan_form", _("Review details saved."), block="plan")
def review_plan(request, membership, partnership, review):
    form = ReviewPlanForm(request.POST, instance=review, partnership=partnership)

    def save(f):
        f.save(commit=False)  # only this gives the form its save_m2m (the attendees)
        review_save(
            actor=request.user,
            organisation=membership.organisation,
            review=f.instance,
            version=f.cleaned_data["version"],
        )
        f.save_m2m()

    return _validated(form, save)


@meeting_step(
    "rating_form",
    _("Your rating is recorded; the others see it once the review is held."),
    block="rating",
)
def review_rate(request, membership, partnership, review):
    form = BlindRatingForm(request.POST)

    def save(f):
        policy.require_rating_open(review)  # sealed until held; once held, it never changes
        level_record(
            actor=request.user,
            organisation=membership.organisation,
            partnership=partnership,
            kind=AssessmentKind.PERCEIVED,
            review=review,
            **f.cleaned_data,
        )

    return _validated(form, save)


MEETING_TODAY = "meeting_today"


def _confirm_hold(request, membership, partnership, review, may):
    """Holding reveals every sealed rating; before the planned date it asks explicitly."""
    reviews.require_holdable(review)
    days = (review.scheduled_on - timezone.localdate()).days
    confirmed = is_confirmed(request)
    if confirmed and (days <= 0 or request.POST.get(MEETING_TODAY) == "1"):
        return None
    confirmation = Confirmation(
        title=gettext("Hold the review now?"),
        consequences=[
            gettext("Every party's sealed rating is revealed to all the parties."),
            gettext("No rating can be given or changed for this review afterwards."),
        ],
        cancel_url=review_url(membership, review),
    )
    if days > 0:
        confirmation.question = ngettext(
            "This review is planned for %(date)s, in %(days)s day: hold it now?",
            "This review is planned for %(date)s, in %(days)s days: hold it now?",
            days,
        ) % {"date": long_date(review.scheduled_on), "days": days}
        confirmation.tick_name = MEETING_TODAY
        confirmation.tick_label = gettext("Yes, the meeting is taking place today")
        if confirmed:
            confirmation.error = gettext(
                "Tick the box to confirm that the meeting is taking place today."
            )
    return render_confirmation(request, membership, confirmation, partnership, may)


def _confirm_close(request, membership, partnership, review, may):
    """Closing freezes the review's record for good."""
    reviews.require_closable(review)
    if is_confirmed(request):
        return None
    return render_confirmation(
        request,
        membership,
        Confirmation(
            title=gettext("Close the review?"),
            consequences=[
                gettext("Its record is frozen for good: nobody can change it afterwards."),
                gettext("Corrections are recorded at the next review."),
            ],
            cancel_url=review_url(membership, review),
        ),
        partnership,
        may,
    )


def _confirm_cancel(request, membership, partnership, review, may):
    """Cancelling is for good: the review becomes read-only and calendars drop it."""
    policy.require_review_cancellable(review)
    form = ReviewCancelForm(request.POST)
    if form.is_valid() and is_confirmed(request):
        return None
    if not form.is_valid():
        return render_meeting(
            request, membership, partnership, review, status=200, may=may, cancel_form=form
        )
    return render_confirmation(
        request,
        membership,
        Confirmation(
            title=gettext("Cancel the review?"),
            consequences=[
                gettext("The review becomes read-only: it can no longer be held or changed."),
                gettext("Calendars that added it remove the event."),
            ],
            cancel_url=review_url(membership, review),
            subject=form.cleaned_data["reason"],
            subject_label=gettext("Reason"),
            carried=["reason"],
        ),
        partnership,
        may,
    )


@meeting_step(None, _("The review is cancelled."), confirm=_confirm_cancel)
def review_cancel(request, membership, partnership, review):
    reviews.review_cancel(
        actor=request.user,
        organisation=membership.organisation,
        review=review,
        reason=request.POST.get("reason", ""),
    )


@meeting_step(
    None, _("The review is held: every party's rating is now visible."), confirm=_confirm_hold
)
def review_hold(request, membership, partnership, review):
    reviews.review_hold(actor=request.user, organisation=membership.organisation, review=review)


@meeting_step("agreed_form", _("Agreed level recorded."), block="agreed")
def review_agreed_level(request, membership, partnership, review):
    form = AgreedLevelForm(request.POST)
    return _validated(
        form,
        lambda f: level_record(
            actor=request.user,
            organisation=membership.organisation,
            partnership=partnership,
            kind=AssessmentKind.AGREED,
            review=review,
            **f.cleaned_data,
        ),
    )


@meeting_step("checks_form", _("New ratings recorded."), block="checks")
def review_checks(request, membership, partnership, review):
    form = ChecksForm(request.POST, concerns=_open_concerns(membership, partnership))

    def save(f):
        for concern, intensity in f.ratings():
            concern_check_record(
                actor=request.user,
                organisation=membership.organisation,
                concern=concern,
                intensity=intensity,
                review=review,
                checked_on=review.held_on,
            )

    return _validated(form, save)


@meeting_step("minutes_form", _("Minutes saved."), block="minutes")
def review_minutes(request, membership, partnership, review):
    return _save_minutes(request, membership, review, MinutesForm(request.POST, instance=review))


def _save_minutes(request, membership, review, form):
    return _validated(
        form,
        lambda f: review_save(
            actor=request.user,
            organisation=membership.organisation,
            review=f.instance,
            version=f.cleaned_data["version"],
        ),
    )


@member_required(PARTY)
@require_POST
def review_minutes_autosave(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """The minutes saved while typed (htmx): a small status, never the form again, so the
    textareas keep what is being typed. Saved: "Saved at 10:42" and the new ``version`` (an
    out-of-band swap of the form's hidden field), so the next save is not refused as stale.
    Refused (stale version, closed review): 409 with the reason; nothing else changes."""
    _partnership, review, _may = get_review_or_404(
        membership, partnership_id, review_id, policy.require_writer
    )
    status_template = "partnerships/_minutes_status.html"
    try:
        policy.require_review_open(review)
        form = MinutesForm(request.POST, instance=review)
        failed = _save_minutes(request, membership, review, form)
    except StateConflict as error:
        refused = " ".join(error.messages)
        return render(request, status_template, {"refused": refused}, status=409)
    if failed is not None:
        refused = " ".join(
            str(message) for messages_ in failed.errors.values() for message in messages_
        )
        status = 409 if getattr(failed, "stale", False) else 200
        return render(request, status_template, {"refused": refused}, status=status)
    version = Review.objects.values_list("version", flat=True).get(pk=review.pk)
    return render(request, status_template, {"saved_at": timezone.now(), "version": version})


@meeting_step("commitment_form", _("Commitment added."), block="commitments")
def review_commitment_add(request, membership, partnership, review):
    form = CommitmentForm(request.POST)
    form.limit_parties(partnership)
    form.instance.partnership = partnership
    form.instance.review = review
    return _validated(
        form,
        lambda f: record_save(
            actor=request.user, organisation=membership.organisation, record=f.instance
        ),
    )


@meeting_step("benefit_form", _("Pleasure recorded."), block="benefit")
def review_benefit_add(request, membership, partnership, review):
    form = BenefitForm(request.POST, initial={"observed_on": review.held_on})
    form.limit_parties(partnership)
    form.instance.partnership = partnership
    return _validated(
        form,
        lambda f: record_save(
            actor=request.user, organisation=membership.organisation, record=f.instance
        ),
    )


@meeting_step(None, _("The review is closed; its record is frozen."), confirm=_confirm_close)
def review_close(request, membership, partnership, review):
    reviews.review_close(actor=request.user, organisation=membership.organisation, review=review)


INCLUDE_PRIVATE = "include_private"


def _agenda_page(request: HttpRequest, membership, partnership_id: int, review_id: int) -> dict:
    """What the printable agenda shows, as a page or a PDF: the same read, the same rule for
    private items (none of another organisation's; one's own only when asked)."""
    partnership, review, _may = get_review_or_404(membership, partnership_id, review_id)
    include_private = request.GET.get(INCLUDE_PRIVATE) == "1"
    return {
        "membership": membership,
        **documents.agenda_document(
            partnership, review, membership.organisation, include_private=include_private
        ),
    }


@member_required()
def review_agenda(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """The agenda as a printable page: no navigation, a print stylesheet."""
    context = _agenda_page(request, membership, partnership_id, review_id)
    return render(request, documents.AGENDA_TEMPLATE, context)


@member_required()
def review_agenda_pdf(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """The printable agenda as a PDF file, made from the same template."""
    context = _agenda_page(request, membership, partnership_id, review_id)
    html_url = reverse(
        "partnerships:review-agenda",
        args=[membership.organisation.slug, partnership_id, review_id],
    )
    if context["include_private"]:
        html_url += f"?{INCLUDE_PRIVATE}=1"
    return pdf_response(
        request,
        documents.AGENDA_TEMPLATE,
        context,
        filename=documents.agenda_filename(context["review"]),
        html_url=html_url,
    )


@member_required()
def review_ics(request: HttpRequest, membership, partnership_id: int, review_id: int):
    partnership, review, _may = get_review_or_404(membership, partnership_id, review_id)
    response = HttpResponse(
        review_calendar(
            review, partnership, request.build_absolute_uri(review_url(membership, review))
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
    return response


@member_required()
def review_history(request: HttpRequest, membership, partnership_id: int):
    """Every review's record side by side, with levels and concern intensity over time."""
    partnership = get_partnership_or_404(membership, partnership_id)
    organisation = membership.organisation
    parties = accepted_parties(partnership)
    rows = [
        (row, [row.perceived.get(party.pk) for party in parties])
        for row in review_table(partnership, organisation)
    ]
    return render(
        request,
        "partnerships/review_history.html",
        {
            "membership": membership,
            "organisation": organisation,
            "partnership": partnership,
            "rows": rows,
            "parties": parties,
            "levels_chart": charts.levels_over_time(partnership, organisation),
            "concerns_chart": charts.partnership_concerns_over_time(partnership, organisation),
            "questionnaire_history": questionnaire_history(partnership, parties),
            "today": timezone.localdate(),
        },
    )
