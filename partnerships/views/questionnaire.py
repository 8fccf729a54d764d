"""The questionnaire before a review, pages: opening and closing it from the review page, the
answer page (phone-friendly: one question after another, big touch targets), and what the
review page and the agenda show of its results.

Nothing here shows who answered what: a person sees their own answers (to change them until
closing), and everyone the results as ``partnerships.reads.questionnaires`` allows.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.dates import long_date
from organisations.access import PARTY, member_required
from partnerships import policy
from partnerships.exceptions import StateConflict
from partnerships.models import (
    MAX_CUSTOM_QUESTIONS,
    Answer,
    CustomQuestion,
    CustomQuestionKind,
    Party,
    Questionnaire,
    Review,
)
from partnerships.reads.questionnaires import (
    CHOICE,
    LEVEL,
    SCALE,
    TEXT_MAX,
    agenda_lines,
    questions_for_party,
    visible_results,
)
from partnerships.services import questionnaires as services

from .common import partnership_for
from .confirm import Confirmation, is_confirmed, render_confirmation


def _review(membership, partnership_id: int, review_id: int, require=policy.require_reader):
    partnership, may = partnership_for(membership, partnership_id, require)
    review = get_object_or_404(Review.objects.filter(partnership=partnership), pk=review_id)
    return partnership, review, may


def _review_url(membership, review) -> str:
    from .meeting import review_url

    return review_url(membership, review)


def questionnaire_context(membership, review, may) -> dict:
    """What the review page and the agenda show of the questionnaire, for the acting
    organisation: the blind rule and the threshold are ``visible_results``'s."""
    questionnaire = Questionnaire.objects.filter(review=review).first()
    own = {may.party.pk} if may.party is not None else set()
    results = visible_results(questionnaire, review, own)
    lines, topics = agenda_lines(results)
    answered = (
        questionnaire is not None
        and questionnaire.respondents.filter(user_id=membership.user_id).exists()
    )
    asked = may.party is None or policy.questionnaire_asks(
        questionnaire, may.party.pk, membership.user_id
    )
    may_choose = may.party is not None and policy.may_choose_questionnaire_members(
        may, review, questionnaire
    )
    may_open = policy.may_open_questionnaire(may, review, questionnaire)
    members = services.asked_members(None, may.party) if (may_open or may_choose) else []
    custom_questions = list(
        CustomQuestion.objects.filter(partnership_id=review.partnership_id).order_by("pk")
    )
    return {
        "questionnaire": questionnaire,
        "questionnaire_results": results,
        "questionnaire_lines": lines,
        "questionnaire_topics": topics,
        "questionnaire_answered": answered,
        "may_open_questionnaire": may_open,
        "may_close_questionnaire": policy.may_close_questionnaire(may, review, questionnaire),
        "may_answer_questionnaire": policy.may_answer_questionnaire(may, questionnaire, asked),
        "questionnaire_asked": asked,
        "may_choose_questionnaire_members": may_choose,
        "questionnaire_open_form": OpenForm(
            members,
            initial={
                "closes_on": services.default_closing(review, _today()),
                "members": [user.pk for user in members],
            },
        ),
        "questionnaire_members_form": MembersForm(
            members,
            initial={
                "members": [user.pk for user in services.asked_members(questionnaire, may.party)]
                if may_choose
                else []
            },
        ),
        "threshold": policy.QUESTIONNAIRE_THRESHOLD,
        "custom_questions": custom_questions,
        "may_add_custom_question": policy.may_add_custom_question(may, len(custom_questions)),
        "custom_question_form": CustomQuestionForm(),
        "max_custom_questions": MAX_CUSTOM_QUESTIONS,
    }


def _today():
    from django.utils import timezone

    return timezone.localdate()


class MembersForm(forms.Form):
    """Which members of the coordinator's own organisation are asked (default: all)."""

    members = forms.TypedMultipleChoiceField(
        label=_("Members of your organisation asked to answer"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only they may answer; they are invited and reminded."),
    )

    def __init__(self, users=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (user.pk, user.get_full_name() or user.username) for user in users
        ]


class OpenForm(MembersForm):
    closes_on = forms.DateField(
        label=_("Answers taken until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("At the latest the day of the meeting."),
    )
    field_order = ["closes_on", "members"]

    def __init__(self, users=(), *args, **kwargs):
        super().__init__(users, *args, **kwargs)
        # Left out of the form (no choice made): every member is asked.
        self.fields["members"].required = False


@member_required(PARTY)
@require_POST
def questionnaire_open(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """Open the questionnaire (one click from the review page)."""
    _partnership, review, may = _review(
        membership, partnership_id, review_id, policy.require_writer
    )
    form = OpenForm(services.party_members(may.party), request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
        services.questionnaire_open(
            actor=request.user,
            organisation=membership.organisation,
            review=review,
            closes_on=form.cleaned_data["closes_on"],
            members=form.cleaned_data["members"] or None,
        )
    except (ValidationError, StateConflict) as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_review_url(membership, review))
    messages.success(
        request, gettext("The questionnaire is open: the members of every party are invited.")
    )
    return redirect(_review_url(membership, review))


@member_required(PARTY)
@require_POST
def questionnaire_members(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """Change which members of the coordinator's own organisation are asked, while open."""
    _partnership, review, may = _review(
        membership, partnership_id, review_id, policy.require_writer
    )
    form = MembersForm(services.party_members(may.party), request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
        services.questionnaire_members_choose(
            actor=request.user,
            organisation=membership.organisation,
            review=review,
            members=form.cleaned_data["members"],
        )
    except (ValidationError, StateConflict) as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_review_url(membership, review))
    messages.success(request, gettext("The members asked are saved."))
    return redirect(_review_url(membership, review))


@member_required(PARTY)
@require_POST
def questionnaire_close(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """Close it early, after a confirmation: answers no longer change."""
    partnership, review, may = _review(membership, partnership_id, review_id, policy.require_writer)
    try:
        policy.require_questionnaire_coordinator(may.actor, review)
        policy.require_questionnaire_open(Questionnaire.objects.filter(review=review).first())
        if not is_confirmed(request):
            return render_confirmation(
                request,
                membership,
                Confirmation(
                    title=gettext("Close the questionnaire now?"),
                    consequences=[
                        gettext("Nobody can answer or change their answers afterwards."),
                        gettext("The results are computed and shown as the parties may see them."),
                    ],
                    cancel_url=_review_url(membership, review),
                ),
                partnership,
                may,
            )
        services.questionnaire_close(
            actor=request.user, organisation=membership.organisation, review=review
        )
    except StateConflict as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_review_url(membership, review))
    messages.success(request, gettext("The questionnaire is closed."))
    return redirect(_review_url(membership, review))


def _field(question: dict) -> forms.Field:
    kind = question["kind"]
    options = {"label": question["text"], "required": False}
    if question.get("detail"):
        options["help_text"] = question["detail"]
    if kind in (LEVEL, SCALE):
        if "choices" in question:
            choices = [(c["value"], c["label"]) for c in question["choices"]]
        else:
            scale = question["scale"]
            choices = [(v, str(v)) for v in range(scale["min"], scale["max"] + 1)]
        return forms.TypedChoiceField(
            choices=[("", gettext("No answer")), *choices],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            **options,
        )
    if kind == CHOICE:
        choices = [(c["value"], c["label"]) for c in question["choices"]]
        if question.get("multiple"):
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **options
            )
        return forms.ChoiceField(
            choices=[("", gettext("No answer")), *choices], widget=forms.RadioSelect, **options
        )
    return forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), **options)


class AnswerForm(forms.Form):
    def __init__(self, questions: list[dict], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question["id"]] = _field(question)

    def answers(self) -> list[dict]:
        rows = []
        for question in self.questions:
            value = self.cleaned_data.get(question["id"])
            if question["kind"] == CHOICE and not question.get("multiple") and value:
                value = [value]
            rows.append({"question": question["id"], "value": value})
        return rows


def _initial(questions: list[dict], stored: dict) -> dict:
    initial = {}
    for question in questions:
        value = stored.get(question["id"])
        if value is None:
            continue
        if question["kind"] == CHOICE and not question.get("multiple"):
            value = value[0] if value else None
        initial[question["id"]] = value
    return initial


@member_required(PARTY)
def questionnaire_answer(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """Answer (or change one's answers) for the organisation acted for, until closing."""
    partnership, review, may = _review(
        membership, partnership_id, review_id, policy.require_questionnaire_answerer
    )
    questionnaire = get_object_or_404(Questionnaire, review=review)
    party: Party = may.party
    policy.require_questionnaire_asked(questionnaire, party, request.user)
    questions = questions_for_party(questionnaire, party.pk)
    key = services.answer_key(request.user, questionnaire)
    stored = dict(
        Answer.objects.filter(questionnaire=questionnaire, key=key).values_list("question", "value")
    )
    closed = not policy.questionnaire_accepts_answers(questionnaire)
    status = 200
    if request.method == "POST" and not closed:
        form = AnswerForm(questions, request.POST)
        if form.is_valid():
            try:
                services.answers_save(
                    actor=request.user,
                    organisation=membership.organisation,
                    review=review,
                    answers=form.answers(),
                )
            except StateConflict as error:
                messages.error(request, " ".join(error.messages))
                return redirect(_review_url(membership, review))
            except ValidationError as error:
                form.add_error(None, error.messages)
                status = 400
            else:
                messages.success(
                    request,
                    gettext(
                        "Thank you: your answers are recorded. You may change them until %(date)s."
                    )
                    % {"date": long_date(questionnaire.closes_on)},
                )
                return redirect(_review_url(membership, review))
        else:
            status = 400
    elif request.method == "POST":
        status = 409
        form = AnswerForm(questions, initial=_initial(questions, stored))
        messages.error(
            request, gettext("This questionnaire is closed: its answers no longer change.")
        )
    else:
        form = AnswerForm(questions, initial=_initial(questions, stored))
    return render(
        request,
        "partnerships/questionnaire_answer.html",
        {
            "membership": membership,
            "organisation": membership.organisation,
            "partnership": partnership,
            "review": review,
            "may": may,
            "questionnaire": questionnaire,
            "form": form,
            "closed": closed,
            "answered": bool(stored)
            or questionnaire.respondents.filter(user_id=membership.user_id).exists(),
        },
        status=status,
    )


# --- The partnership's own questions ---------------------------------------------------------
class CustomQuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomQuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(
        label=_("Options, one per line (for a choice)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@member_required(PARTY)
@require_POST
def custom_question_add(request: HttpRequest, membership, partnership_id: int, review_id: int):
    """Add one of the partnership's own questions (coordinators; five at most)."""
    partnership, review, _may = _review(
        membership, partnership_id, review_id, policy.require_writer
    )
    form = CustomQuestionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
        services.custom_question_add(
            actor=request.user,
            organisation=membership.organisation,
            partnership=partnership,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            options=form.cleaned_data["options"].splitlines(),
        )
    except (ValidationError, StateConflict) as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The question is added to the next questionnaire."))
    return redirect(_review_url(membership, review))


@member_required(PARTY)
@require_POST
def custom_question_delete(
    request: HttpRequest, membership, partnership_id: int, review_id: int, pk: int
):
    """Stop asking one of the partnership's own questions, after a confirmation."""
    partnership, review, may = _review(membership, partnership_id, review_id, policy.require_writer)
    question = get_object_or_404(CustomQuestion, partnership=partnership, pk=pk)
    if not is_confirmed(request):
        return render_confirmation(
            request,
            membership,
            Confirmation(
                title=gettext("Stop asking this question?"),
                consequences=[
                    gettext("It is no longer asked in the questionnaires opened from now on."),
                    gettext("Questionnaires already opened keep it, with their answers."),
                ],
                cancel_url=_review_url(membership, review),
                subject=question.text,
            ),
            partnership,
            may,
        )
    services.custom_question_delete(
        actor=request.user, organisation=membership.organisation, question=question
    )
    messages.success(request, gettext("The question is no longer asked."))
    return redirect(_review_url(membership, review))
