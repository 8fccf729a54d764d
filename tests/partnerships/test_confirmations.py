"""Irreversible steps ask first (partnerships/views/confirm.py): a POST without ``confirmed=1``
answers the confirmation page and changes nothing; the policy's refusals come before it."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from partnerships.models import Agreement, Concern, Party, Review
from partnerships.services import agreements as services
from tests.factories import ConcernFactory, PartyFactory, ReviewFactory

pytestmark = pytest.mark.django_db
CONFIRMED = {"confirmed": "1"}


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class Step:
    url: str
    user: object
    state: Callable[[], str]  # the object's state, read afresh
    before: str
    after: str
    body: dict
    fr: str  # one consequence, in French
    en: str  # the same, in English


def page(name, partnership, **kwargs) -> str:
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk, **kwargs},
    )


def _review(partnership, status="planned") -> Review:
    if status == "planned":
        return ReviewFactory(partnership=partnership)
    return ReviewFactory(partnership=partnership, status=status, held_on=timezone.localdate())


def _review_state(review):
    return lambda: Review.objects.get(pk=review.pk).status


def _agreement_state(agreement):
    return lambda: Agreement.objects.get(pk=agreement.pk).state


def hold(editor, owner, org_a, org_c, partnership) -> Step:
    review = _review(partnership)
    return Step(
        page("review-hold", partnership, review_id=review.pk),
        editor,
        _review_state(review),
        "planned",
        "held",
        {},
        "L'évaluation scellée de chaque partie est révélée à toutes les parties.",
        "Every party's sealed rating is revealed to all the parties.",
    )


def close(editor, owner, org_a, org_c, partnership) -> Step:
    review = _review(partnership, "held")
    return Step(
        page("review-close", partnership, review_id=review.pk),
        editor,
        _review_state(review),
        "held",
        "closed",
        {},
        "Son contenu est figé définitivement\u202f: personne ne pourra plus le modifier.",
        "Its record is frozen for good: nobody can change it afterwards.",
    )


def submit(editor, owner, org_a, org_c, partnership) -> Step:
    agreement = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    return Step(
        page("agreement-submit", partnership, agreement_id=agreement.pk),
        editor,
        _agreement_state(agreement),
        "draft",
        "pending",
        {},
        "La version est figée pendant que les parties décident",
        "The version is frozen while the parties decide: nobody can edit it.",
    )


def _pending(editor, org_a, partnership) -> Agreement:
    agreement = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    return services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)


def approve(editor, owner, org_a, org_c, partnership) -> Step:
    agreement = _pending(editor, org_a, partnership)
    return Step(
        page("agreement-approve", partnership, agreement_id=agreement.pk),
        owner,
        lambda: str(agreement.approvals.count()),
        "0",
        "1",
        {},
        "L'approbation de votre organisation est enregistrée\u202f: elle ne peut pas être retirée.",
        "Your organisation's approval is recorded: it cannot be withdrawn.",
    )


def refuse(editor, owner, org_a, org_c, partnership) -> Step:
    agreement = _pending(editor, org_a, partnership)
    return Step(
        page("agreement-refuse", partnership, agreement_id=agreement.pk),
        owner,
        _agreement_state(agreement),
        "pending",
        "draft",
        {"reason": "La clause de sortie est trop courte."},
        "Le refus de votre organisation est enregistré avec sa raison",
        "Your organisation's refusal is recorded with its reason: every party reads it.",
    )


def resolve(editor, owner, org_a, org_c, partnership) -> Step:
    concern = ConcernFactory(raised_by=partnership.parties.get(organisation=org_a))
    return Step(
        page("concern-resolve", partnership, pk=concern.pk),
        editor,
        lambda: Concern.objects.get(pk=concern.pk).status,
        "open",
        "resolved",
        {},
        "Elle quitte les craintes et résistances ouvertes\u202f: les revues ne la réévaluent plus.",
        "It leaves the open fears and resistances: reviews no longer re-rate it.",
    )


def decline(editor, owner, org_a, org_c, partnership) -> Step:
    invited = PartyFactory(
        partnership=PartyFactory(organisation=org_c, role="lead").partnership,
        organisation=org_a,
        invitation="invited",
        joined_on=None,
    )
    return Step(
        reverse(
            "partnerships:invitation-decline",
            kwargs={"org_slug": "association-a", "pk": invited.pk},
        ),
        owner,
        lambda: Party.objects.get(pk=invited.pk).invitation,
        "invited",
        "declined",
        {},
        "Ce refus est définitif\u202f: ses parties ne pourront plus inviter votre organisation.",
        "Declining is final: its parties cannot invite your organisation again.",
    )


STEPS = [hold, close, submit, approve, refuse, resolve, decline]


@pytest.fixture(params=STEPS, ids=lambda step: step.__name__)
def step(request, editor, owner, org_a, org_c, partnership) -> Step:
    return request.param(editor, owner, org_a, org_c, partnership)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_without_confirmation_nothing_changes_and_the_consequences_are_said(
    client, step, language, htmx
):
    step.user.language = language
    step.user.save()
    client.force_login(step.user)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(step.url, step.body, **extra)
    assert response.status_code == 200
    page = text(response)
    assert (step.fr if language == "fr" else step.en) in page
    assert 'name="confirmed" value="1"' in page
    assert ("Confirmer" if language == "fr" else "Confirm") in page
    assert step.state() == step.before


def test_the_confirmation_posts_again_what_was_posted(client, step):
    client.force_login(step.user)
    page = text(client.post(step.url, step.body))
    for name, value in step.body.items():
        assert f'name="{name}" value="{value}"' in page
        assert value in page.split('id="confirm-form"')[0]  # and says it (the reason)


def test_with_confirmation_the_step_acts(client, step):
    client.force_login(step.user)
    response = client.post(step.url, {**step.body, **CONFIRMED})
    assert response.status_code == 302
    assert step.state() == step.after


def test_a_viewer_is_refused_before_any_confirmation(client, viewer, org_a, partnership):
    review = _review(partnership)
    client.force_login(viewer)
    assert client.post(page("review-hold", partnership, review_id=review.pk)).status_code == 403


@pytest.mark.parametrize("name", ["review-hold", "review-close"])
def test_a_closed_review_is_refused_before_any_confirmation(client, editor, partnership, name):
    review = ReviewFactory(
        partnership=partnership,
        status="closed",
        held_on=timezone.localdate(),
        closed_at=timezone.now(),
    )
    client.force_login(editor)
    response = client.post(page(name, partnership, review_id=review.pk))
    assert response.status_code == 409
    assert 'name="confirmed"' not in text(response)


def test_an_approved_version_is_refused_before_any_confirmation(client, editor, org_a, partnership):
    agreement = _pending(editor, org_a, partnership)
    client.force_login(editor)
    response = client.post(page("agreement-submit", partnership, agreement_id=agreement.pk))
    assert response.status_code == 409
    assert 'name="confirmed"' not in text(response)


@pytest.mark.parametrize(
    ("language", "question", "error"),
    [
        (
            "fr",
            "dans 42\u00a0jours\u202f: la tenir maintenant\u202f?",
            "Cochez la case pour confirmer que la rencontre a lieu aujourd'hui.",
        ),
        (
            "en",
            "in 42 days: hold it now?",
            "Tick the box to confirm that the meeting is taking place today.",
        ),
    ],
)
def test_holding_before_the_planned_date_needs_the_box_ticked(
    client, editor, partnership, language, question, error
):
    editor.language = language
    editor.save()
    review = ReviewFactory(
        partnership=partnership, scheduled_on=timezone.localdate() + datetime.timedelta(days=42)
    )
    url = page("review-hold", partnership, review_id=review.pk)
    client.force_login(editor)
    asked = text(client.post(url))
    assert question.replace("\u00a0", " ") in asked.replace("\u00a0", " ")
    assert 'name="meeting_today"' in asked and error not in asked
    refused = client.post(url, CONFIRMED)
    assert refused.status_code == 200 and error in text(refused)
    review.refresh_from_db()
    assert review.status == "planned"
    assert client.post(url, {**CONFIRMED, "meeting_today": "1"}).status_code == 302
    review.refresh_from_db()
    assert review.status == "held"


def test_holding_on_the_planned_day_asks_no_box(client, editor, partnership):
    review = ReviewFactory(partnership=partnership)
    client.force_login(editor)
    asked = text(client.post(page("review-hold", partnership, review_id=review.pk)))
    assert 'name="meeting_today"' not in asked
    client.post(page("review-hold", partnership, review_id=review.pk), CONFIRMED)
    review.refresh_from_db()
    assert review.status == "held"


def test_the_buttons_ask_the_confirmation_page_not_htmx(client, editor, partnership):
    """The meeting page's hold button is a plain form: the confirmation page comes first."""
    review = ReviewFactory(partnership=partnership)
    client.force_login(editor)
    page_html = text(client.get(page("review", partnership, review_id=review.pk)))
    hold_form = page_html.split('id="hold-form"')[0].rsplit("<form", 1)[1]
    assert "hx-post" not in hold_form and "confirmed" not in hold_form
