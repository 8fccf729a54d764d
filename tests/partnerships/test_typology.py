"""Meeting-proof: the typology explained wherever a level is chosen or shown, the intensity
scale worded, a new concern's starting intensity, pickers that start empty and show what was
saved."""

from __future__ import annotations

import datetime
import html
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from partnerships.choices import INTENSITY_LABELS, LEVEL_SUMMARIES, Level, intensity_choices
from partnerships.forms import (
    AgreedLevelForm,
    BlindRatingForm,
    ChecksForm,
    ConcernCheckForm,
    ConcernEditForm,
    ConcernForm,
    LevelForm,
)
from partnerships.models import Concern, ConcernCheck, LevelAssessment, Review
from partnerships.services import agreements as agreement_services
from partnerships.services.records import concern_raise
from partnerships.services.reviews import review_close, review_hold
from tests.factories import ConcernCheckFactory, ConcernFactory, LevelAssessmentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, partnership, **kwargs):
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk, **kwargs},
    )


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def french(text) -> str:
    with translation.override("fr"):
        return str(text)


# --- 1. The typology explained -----------------------------------------------------------
def test_the_ladder_explains_each_rung(client, editor, partnership):
    client.force_login(editor)
    page = page_of(client.get(url("workspace", partnership)))
    ladder = page.split('<section id="ladder"', 1)[1].split("</ol>", 1)[0]
    for level in Level:
        assert french(LEVEL_SUMMARIES[level]) in ladder
    assert ladder.count('class="rung-summary"') == 7


@pytest.mark.parametrize("form_class", [LevelForm, BlindRatingForm, AgreedLevelForm])
def test_every_level_picker_starts_empty_and_is_explained(form_class):
    with translation.override("en"):
        form = form_class()
        rendered = str(form)
        summaries = [html.escape(str(LEVEL_SUMMARIES[level])) for level in Level]
    assert '<option value="" selected>Choose…</option>' in rendered
    assert 'aria-describedby="id_level_helptext"' in rendered
    assert '<div class="helptext" id="id_level_helptext"><dl class="level-guide">' in rendered
    assert all(summary in rendered for summary in summaries)
    assert not form_class({"level": "", "kind": "agreed"}).is_valid()


def test_the_wished_level_picker_points_to_the_same_guide():
    form = BlindRatingForm()
    assert form["wished_level"].field.widget.attrs["aria-describedby"] == "id_level_helptext"
    assert str(form).count('class="level-guide"') == 1


def test_the_workspace_level_form_starts_on_choose(client, editor, partnership):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=4)
    client.force_login(editor)
    page = page_of(client.get(url("workspace", partnership)))
    form = page.split('class="inline-fields"', 1)[1].split("</form>", 1)[0]
    assert '<option value="" selected>' in form
    assert "selected>1 ·" not in form and 'value="1" selected' not in form


def test_the_printable_agreement_explains_its_levels(
    client, viewer, editor, owner, carla, org_a, org_c, partnership
):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=4)
    LevelAssessmentFactory(partnership=partnership, kind="target", level=5)
    agreement = agreement_services.agreement_draft(
        actor=editor, organisation=org_a, partnership=partnership, purpose="Lire."
    )
    client.force_login(viewer)
    page = page_of(client.get(url("agreement-print", partnership, agreement_id=agreement.pk)))
    meaning = page.split('<dl class="level-meaning">', 1)[1].split("</dl>", 1)[0]
    assert french(LEVEL_SUMMARIES[Level.CONCERTATION]) in meaning
    assert french(LEVEL_SUMMARIES[Level.COOPERATION]) in meaning


def test_a_closed_reviews_record_explains_its_levels_and_intensities(
    client, editor, org_a, partnership
):
    party = partnership.parties.get(organisation=org_a)
    concern = ConcernFactory(raised_by=party)
    review = Review.objects.create(partnership=partnership, scheduled_on=datetime.date(2026, 3, 1))
    review_hold(actor=editor, organisation=org_a, review=review)
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=3, review=review)
    ConcernCheckFactory(concern=concern, intensity=4, review=review)
    review_close(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    client.force_login(editor)
    page = page_of(client.get(url("review", partnership, review_id=review.pk)))
    record = page.split('<dl class="record">', 1)[1].split("</dl>", 1)[0]
    assert french(LEVEL_SUMMARIES[Level.CONSULTATION]) in record
    assert f"4/5 (4 · {french(INTENSITY_LABELS[4])})" in record


# --- 2. The intensity scale labelled -----------------------------------------------------
def test_the_intensity_scale_is_worded_once_for_every_step():
    assert sorted(INTENSITY_LABELS) == [0, 1, 2, 3, 4, 5]
    with translation.override("en"):
        labels = [str(label) for _value, label in intensity_choices()]
    assert labels == [
        "0 · gone",
        "1 · faint",
        "2 · present",
        "3 · noticeable",
        "4 · strong",
        "5 · blocking",
    ]
    with translation.override("en"):
        assert str(dict(ConcernCheckForm().fields["intensity"].choices)[5]) == "5 · blocking"


def test_the_meeting_checks_form_labels_each_step(partnership, org_a):
    concern = ConcernFactory(raised_by=partnership.parties.get(organisation=org_a))
    with translation.override("fr"):
        rendered = str(ChecksForm(concerns=[concern]))
    assert f"3 · {french(INTENSITY_LABELS[3])}" in rendered
    assert f"0 · {french(INTENSITY_LABELS[0])}" in rendered


def test_the_concerns_tab_labels_the_radios_and_the_sparkline(client, editor, org_a, partnership):
    concern = ConcernFactory(raised_by=partnership.parties.get(organisation=org_a))
    ConcernCheckFactory(concern=concern, intensity=4, checked_on=datetime.date(2026, 1, 1))
    ConcernCheckFactory(concern=concern, intensity=2, checked_on=datetime.date(2026, 2, 1))
    client.force_login(editor)
    page = page_of(client.get(url("tab-concerns", partnership), **HTMX))
    rerate = page.split('class="rerate"', 1)[1].split("</form>", 1)[0]
    strong, present, blocking = (french(INTENSITY_LABELS[value]) for value in (4, 2, 5))
    assert f'<input type="radio" name="intensity" value="5" required> 5 · {blocking}' in rerate
    assert f"Intensité au fil du temps\u202f: 4 · {strong}, 2 · {present}" in page


# --- 3. A new concern's starting intensity -----------------------------------------------
CONCERN = {
    "kind": "fear",
    "category": "investment",
    "visibility": "shared",
    "description": "Trop de soirées",
    "response": "",
}


def test_the_concern_form_asks_for_a_starting_intensity_with_none_chosen():
    form = ConcernForm()
    assert form.fields["intensity"].required
    assert "checked" not in str(form["intensity"])
    assert "intensity" not in ConcernEditForm().fields
    assert not ConcernForm(CONCERN).is_valid()


def test_a_concern_raised_on_the_page_records_its_first_check(client, editor, partnership):
    client.force_login(editor)
    response = client.post(url("concern-add", partnership), {**CONCERN, "intensity": 3}, **HTMX)
    assert response.status_code == 200
    concern = Concern.objects.get()
    check = ConcernCheck.objects.get()
    assert (check.concern, check.intensity, check.author) == (concern, 3, editor)


def test_a_concern_without_intensity_is_not_recorded(client, editor, partnership):
    client.force_login(editor)
    response = client.post(url("concern-add", partnership), CONCERN, **HTMX)
    assert response.status_code == 200
    assert response.context["concern_form"].errors["intensity"]
    assert not Concern.objects.exists() and not ConcernCheck.objects.exists()


def test_a_refused_first_check_leaves_no_concern(editor, org_a, partnership):
    concern = Concern(partnership=partnership, kind="fear", category="power", description="x")
    with (
        mock.patch(
            "partnerships.services.records.concern_check_record",
            side_effect=ValidationError("refused"),
        ),
        pytest.raises(ValidationError),
    ):
        concern_raise(actor=editor, organisation=org_a, concern=concern, intensity=2)
    assert not Concern.objects.exists()


def api_url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/concerns/"


def test_the_api_records_the_first_check_when_an_intensity_is_given(editor, partnership):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.post(api_url(partnership), {**CONCERN, "intensity": 4}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["latest_intensity"] == 4
    assert "intensity" not in response.json()
    assert ConcernCheck.objects.get().intensity == 4


def test_the_api_intensity_is_optional_and_bounded(editor, partnership):
    client = APIClient()
    client.force_authenticate(editor)
    assert client.post(api_url(partnership), CONCERN, format="json").status_code == 201
    assert not ConcernCheck.objects.exists()
    refused = client.post(api_url(partnership), {**CONCERN, "intensity": 6}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["intensity"]
    assert Concern.objects.count() == 1


def test_the_api_schema_documents_the_starting_intensity(client):
    schema = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en").json()
    create = schema["components"]["schemas"]["ConcernCreateRequest"]["properties"]
    assert "first check" in create["intensity"]["description"]


# --- 4. Pickers show the saved value -----------------------------------------------------
@pytest.fixture
def planned(partnership):
    return Review.objects.create(partnership=partnership, scheduled_on=datetime.date(2026, 3, 1))


def test_the_rating_form_shows_the_saved_rating(client, editor, partnership, planned):
    client.force_login(editor)
    rate = url("review-rate", partnership, review_id=planned.pk)
    client.post(rate, {"level": 3, "wished_level": 5}, **HTMX)
    response = client.get(url("review", partnership, review_id=planned.pk))
    form = response.context["rating_form"]
    assert form.initial == {"level": 3, "wished_level": 5}
    rendered = str(form)
    assert '<option value="3" selected>' in rendered and '<option value="5" selected>' in rendered


def test_changing_the_rating_keeps_the_prefilled_wished_level(client, editor, partnership, planned):
    client.force_login(editor)
    page = url("review", partnership, review_id=planned.pk)
    rate = url("review-rate", partnership, review_id=planned.pk)
    client.post(rate, {"level": 3, "wished_level": 5}, **HTMX)
    form = client.get(page).context["rating_form"]
    # The person changes the level only: the wished-for level goes back as it was prefilled.
    posted = {name: form[name].value() for name in form.fields} | {"level": 4}
    client.post(rate, posted, **HTMX)
    latest = LevelAssessment.objects.filter(review=planned).order_by("assessed_on", "pk").last()
    assert (latest.level, latest.wished_level) == (4, 5)
    assert client.get(page).context["rating_form"].initial == {"level": 4, "wished_level": 5}


def test_the_rating_form_never_shows_another_partys_rating(
    client, editor, carla, partnership, planned
):
    client.force_login(carla)
    client.post(
        reverse(
            "partnerships:review-rate",
            kwargs={
                "org_slug": "fondation-c",
                "partnership_id": partnership.pk,
                "review_id": planned.pk,
            },
        ),
        {"level": 6, "wished_level": 7},
        **HTMX,
    )
    client.force_login(editor)
    form = client.get(url("review", partnership, review_id=planned.pk)).context["rating_form"]
    assert form.initial == {}
    assert '<option value="" selected>' in str(form["level"])
