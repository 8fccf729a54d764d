"""Nothing typed is lost on a refused save: every form where people write long text (concerns,
commitments, the partnership, the agreement's clauses, the review's minutes) answers a
validation error or a version conflict (409) with the text as it was typed, with and without
htmx, and saves nothing."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from partnerships.models import Agreement, Commitment, Concern, Partnership
from partnerships.services.reviews import review_hold
from tests.factories import CommitmentFactory, ConcernFactory, ReviewFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
LONG = "Nous avons longuement discuté du calendrier et des rôles de chacun « en détail »."
WAYS = pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])


def page(name, partnership, **kwargs):
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk, **kwargs},
    )


def kept(response, typed: str = LONG) -> bool:
    """The typed text is in the answer (a textarea's or an input's value)."""
    return typed in html.unescape(response.content.decode())


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def own_party(partnership, org_a):
    return partnership.parties.get(organisation=org_a)


# --- Validation errors -----------------------------------------------------------------------
@WAYS
def test_a_refused_new_concern_keeps_its_description_and_response(signed_in, partnership, headers):
    body = {
        "kind": "fear",
        "category": "not-a-category",
        "visibility": "shared",
        "description": LONG,
        "response": "Un plan « détaillé » pour y répondre",
        "intensity": 3,
    }
    response = signed_in.post(page("concern-add", partnership), body, **headers)
    assert response.status_code == 200
    assert kept(response) and kept(response, "Un plan « détaillé » pour y répondre")
    assert not Concern.objects.exists()


@WAYS
def test_a_refused_new_commitment_keeps_its_details(signed_in, own_party, partnership, headers):
    body = {
        "party": own_party.pk,
        "title": "Préparer la rentrée",
        "description": LONG,
        "status": "planned",
        "due_on": "pas une date",
    }
    response = signed_in.post(page("commitment-add", partnership), body, **headers)
    assert response.status_code == 200
    assert kept(response) and kept(response, "Préparer la rentrée")
    assert not Commitment.objects.exists()


@WAYS
def test_refused_minutes_keep_minutes_and_decisions(signed_in, editor, org_a, partnership, headers):
    review = review_hold(
        actor=editor, organisation=org_a, review=ReviewFactory(partnership=partnership)
    )
    body = {
        "minutes": LONG,
        "decisions": "Décision : on continue",
        "open_items": "",
        "next_review_on": "pas une date",
        "version": review.version,
    }
    response = signed_in.post(
        page("review-minutes", partnership, review_id=review.pk), body, **headers
    )
    assert response.status_code == 200
    assert kept(response) and kept(response, "Décision : on continue")
    review.refresh_from_db()
    assert review.minutes == ""


# --- Version conflicts (409) -------------------------------------------------------------------
@WAYS
def test_a_stale_partnership_edit_keeps_the_purpose(signed_in, partnership, headers):
    body = {
        "title": partnership.title,
        "purpose": "Premier objectif",
        "status": partnership.status,
        "review_cadence": partnership.review_cadence,
        "version": partnership.version,
    }
    assert signed_in.post(page("edit", partnership), body).status_code == 302
    response = signed_in.post(page("edit", partnership), {**body, "purpose": LONG}, **headers)
    assert response.status_code == 409
    assert kept(response)
    assert Partnership.objects.get(pk=partnership.pk).purpose == "Premier objectif"


@WAYS
def test_a_stale_concern_edit_keeps_description_and_response(
    signed_in, own_party, partnership, headers
):
    concern = ConcernFactory(raised_by=own_party, visibility="shared")
    body = {
        "category": concern.category,
        "visibility": "shared",
        "status": concern.status,
        "description": concern.description,
        "response": "Premier plan",
        "version": concern.version,
    }
    edit = page("concern-edit", partnership, pk=concern.pk)
    assert signed_in.post(edit, body).status_code == 302
    response = signed_in.post(edit, {**body, "response": LONG}, **headers)
    assert response.status_code == 409
    assert kept(response)
    assert Concern.objects.get(pk=concern.pk).response == "Premier plan"


@WAYS
def test_a_stale_commitment_edit_keeps_its_details(signed_in, own_party, partnership, headers):
    commitment = CommitmentFactory(party=own_party)
    body = {
        "party": own_party.pk,
        "title": commitment.title,
        "description": "Premier détail",
        "status": "planned",
        "due_on": "",
        "version": commitment.version,
    }
    edit = page("commitment-edit", partnership, pk=commitment.pk)
    assert signed_in.post(edit, body).status_code == 302
    response = signed_in.post(edit, {**body, "description": LONG}, **headers)
    assert response.status_code == 409
    assert kept(response)
    assert Commitment.objects.get(pk=commitment.pk).description == "Premier détail"


@WAYS
def test_stale_minutes_keep_minutes_and_decisions(signed_in, editor, org_a, partnership, headers):
    review = review_hold(
        actor=editor, organisation=org_a, review=ReviewFactory(partnership=partnership)
    )
    minutes = page("review-minutes", partnership, review_id=review.pk)
    body = {"minutes": "Premier compte rendu", "decisions": "", "version": review.version}
    assert signed_in.post(minutes, body).status_code == 302
    response = signed_in.post(
        minutes, {**body, "minutes": LONG, "decisions": "Décision : on continue"}, **headers
    )
    assert response.status_code == 409
    assert kept(response) and kept(response, "Décision : on continue")
    review.refresh_from_db()
    assert review.minutes == "Premier compte rendu"


@WAYS
def test_a_stale_agreement_draft_keeps_its_clauses(signed_in, partnership, headers):
    signed_in.post(page("agreement-add", partnership))
    agreement = Agreement.objects.get()
    edit = page("agreement-edit", partnership, agreement_id=agreement.pk)
    body = {"review_cadence": 3, "revision": agreement.revision}
    assert signed_in.post(edit, {**body, "governance": "Premier texte"}).status_code == 302
    response = signed_in.post(
        edit, {**body, "governance": LONG, "exit": "Préavis de trois mois."}, **headers
    )
    assert response.status_code == 409
    assert kept(response) and kept(response, "Préavis de trois mois.")
    agreement.refresh_from_db()
    assert agreement.governance == "Premier texte"
