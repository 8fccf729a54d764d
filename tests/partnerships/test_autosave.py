"""Nothing typed is lost: the minutes save themselves, a step redraws only its own block, and
submitting a draft saves what was typed first."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from partnerships.models import Agreement
from partnerships.services.reviews import review_close, review_hold
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, partnership, **kwargs):
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk, **kwargs},
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def held(editor, org_a, partnership):
    return review_hold(
        actor=editor, organisation=org_a, review=ReviewFactory(partnership=partnership)
    )


def test_an_autosave_answers_saved_and_the_new_version(client, editor, held, partnership):
    client.force_login(editor)
    autosave = url("review-minutes-autosave", partnership, review_id=held.pk)
    data = {"minutes": "On a parlé.", "decisions": "Se revoir.", "version": held.version}
    response = client.post(autosave, data, **HTMX)
    assert response.status_code == 200
    body = text(response)
    assert 'class="saved"' in body and "id_minutes" not in body  # the textareas stay
    held.refresh_from_db()
    assert (held.minutes, held.decisions) == ("On a parlé.", "Se revoir.")
    assert f'name="version" value="{held.version}"' in body and "hx-swap-oob" in body
    again = client.post(autosave, {**data, "minutes": "Plus", "version": held.version}, **HTMX)
    assert again.status_code == 200  # the next autosave, at the new version, is not stale


def test_a_stale_autosave_is_refused_and_changes_nothing(client, editor, held, partnership):
    client.force_login(editor)
    autosave = url("review-minutes-autosave", partnership, review_id=held.pk)
    read_at = held.version
    assert (
        client.post(autosave, {"minutes": "Premier", "version": read_at}, **HTMX).status_code == 200
    )
    stale = client.post(autosave, {"minutes": "Second", "version": read_at}, **HTMX)
    assert stale.status_code == 409
    assert "Quelqu'un d'autre a modifié cette revue" in text(stale)
    assert "id_minutes" not in text(stale)  # the form is not replaced: the text stays typed
    held.refresh_from_db()
    assert held.minutes == "Premier"


def test_an_autosave_on_a_review_closed_since_is_refused(client, editor, org_a, held, partnership):
    client.force_login(editor)
    version = held.version
    review_close(actor=editor, organisation=org_a, review=held)
    response = client.post(
        url("review-minutes-autosave", partnership, review_id=held.pk),
        {"minutes": "Trop tard", "version": version},
        **HTMX,
    )
    assert response.status_code == 409
    assert 'role="alert"' in text(response)
    held.refresh_from_db()
    assert held.minutes != "Trop tard"


def test_recording_the_agreed_level_redraws_only_its_block(client, editor, held, partnership):
    client.force_login(editor)
    response = client.post(
        url("review-agreed-level", partnership, review_id=held.pk), {"level": 3}, **HTMX
    )
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<div id="agreed">')
    assert "Niveau convenu enregistré" in body
    assert "minutes-form" not in body and 'id="meeting"' not in body


def test_submit_saves_the_typed_draft_first_then_submits_it(client, editor, partnership):
    client.force_login(editor)
    client.post(url("agreement-add", partnership))
    agreement = Agreement.objects.get()
    submit = url("agreement-submit", partnership, agreement_id=agreement.pk)
    typed = {
        "review_cadence": 6,
        "governance": "Un comité de pilotage chaque trimestre.",
        "exit": "Préavis de trois mois.",
        "revision": agreement.revision,
    }
    asking = client.post(submit, typed, **HTMX)  # the button of the drafting form
    assert asking.status_code == 200 and 'id="confirmation"' in asking.content.decode()
    assert asking["HX-Retarget"] == "body"
    agreement.refresh_from_db()
    assert agreement.state == "draft" and agreement.exit == "Préavis de trois mois."
    client.post(submit, {"confirmed": "1"})
    agreement.refresh_from_db()
    assert agreement.state == "pending"
    assert agreement.governance == "Un comité de pilotage chaque trimestre."
    assert agreement.exit == "Préavis de trois mois."


def test_submit_with_a_stale_draft_keeps_the_text_and_submits_nothing(client, editor, partnership):
    client.force_login(editor)
    client.post(url("agreement-add", partnership))
    agreement = Agreement.objects.get()
    read_at = agreement.revision
    edit = url("agreement-edit", partnership, agreement_id=agreement.pk)
    assert client.post(edit, {"review_cadence": 3, "revision": read_at}).status_code == 302
    submit = url("agreement-submit", partnership, agreement_id=agreement.pk)
    response = client.post(
        submit, {"review_cadence": 3, "exit": "Mon texte", "revision": read_at}, **HTMX
    )
    assert response.status_code == 409 and "Mon texte" in text(response)
    agreement.refresh_from_db()
    assert agreement.state == "draft" and agreement.exit != "Mon texte"
