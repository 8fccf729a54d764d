"""Blank forms rendered once and reused (``core.forms.ReusedWhenBlank``): the HTML reused is
the HTML a fresh render gives, for every language and every set of choices; what someone sent
and a record being edited are always rendered afresh."""

from __future__ import annotations

from unittest import mock

import pytest
from django import forms
from django.core.cache import caches
from django.utils import translation

from core.forms import BLANK_FORMS_CACHE, FormRenderer, ReusedWhenBlank
from partnerships.forms import (
    BenefitForm,
    CommitmentEditForm,
    CommitmentForm,
    ConcernForm,
    LevelForm,
    ResponsibilityForm,
    ReviewForm,
)
from partnerships.models import Partnership
from tests.factories import CommitmentFactory

REUSED = [LevelForm, ResponsibilityForm, CommitmentForm, ConcernForm, BenefitForm, ReviewForm]


@pytest.fixture(autouse=True)
def _empty_blank_forms():
    caches[BLANK_FORMS_CACHE].clear()
    yield
    caches[BLANK_FORMS_CACHE].clear()


def blank(form_class, partnership=None, **kwargs):
    form = form_class(**kwargs)
    if partnership is not None and hasattr(form, "limit_parties"):
        form.limit_parties(partnership)
    return form


def fresh_html(form) -> str:
    """The form's HTML as Django renders it, nothing reused."""
    return forms.Form.render(form)


def loaded(partnership) -> Partnership:
    """The partnership with its parties and their organisations, as the workspace reads it."""
    return Partnership.objects.prefetch_related("parties__organisation").get(pk=partnership.pk)


@pytest.mark.parametrize("form_class", REUSED, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_reused_html_is_what_a_fresh_render_gives(form_class, language, partnership):
    with translation.override(language):
        first = str(blank(form_class, loaded(partnership)))
        with mock.patch.object(FormRenderer, "render", side_effect=AssertionError("rendered")):
            again = str(blank(form_class, loaded(partnership)))  # no template rendered
        assert again == first == fresh_html(blank(form_class, loaded(partnership)))


def test_each_language_has_its_own_html(partnership):
    with translation.override("en"):
        english = str(blank(CommitmentForm, loaded(partnership)))
    with translation.override("fr"):
        french = str(blank(CommitmentForm, loaded(partnership)))
    assert french != english
    assert "Responsable" in french and "Owner" in english
    with translation.override("fr"):
        assert french == fresh_html(blank(CommitmentForm, loaded(partnership)))


def test_another_set_of_parties_or_a_renamed_partner_gets_its_own_html(partnership, org_c):
    before = str(blank(ResponsibilityForm, loaded(partnership)))
    assert "Fondation C" in before
    org_c.name = "Fondation Cé"
    org_c.save()
    renamed = str(blank(ResponsibilityForm, loaded(partnership)))
    assert "Fondation Cé" in renamed
    assert "Fondation C<" not in renamed
    assert renamed == fresh_html(blank(ResponsibilityForm, loaded(partnership)))


def test_an_initial_party_is_part_of_what_is_reused(partnership):
    parties = sorted(party.pk for party in loaded(partnership).parties.all())
    first, second = (
        str(blank(BenefitForm, loaded(partnership), initial={"party": pk})) for pk in parties
    )
    assert first != second
    assert f'<option value="{parties[1]}" selected>' in second


def test_a_form_sent_back_with_errors_is_rendered_afresh(partnership):
    str(blank(CommitmentForm, loaded(partnership)))  # the blank one is kept
    sent = CommitmentForm(data={"title": "Un atelier par mois", "status": "nonsense"})
    sent.limit_parties(loaded(partnership))
    assert not sent.is_valid()
    html = str(sent)
    assert "Un atelier par mois" in html
    assert 'class="errorlist' in html
    assert sent.blank_key() is None


def test_a_record_being_edited_is_never_kept(partnership):
    commitment = CommitmentFactory(partnership=partnership, title="Prêter la salle")
    form = CommitmentEditForm(instance=commitment)
    form.limit_parties(loaded(partnership))
    assert form.blank_key() is None
    assert "Prêter la salle" in str(form)
    kept = caches[BLANK_FORMS_CACHE].get(blank(CommitmentForm, loaded(partnership)).blank_key())
    assert kept is None


def test_a_menu_still_reading_the_database_is_never_kept(partnership):
    """Without ``limit_parties`` the party menu would query its choices: not reused."""
    assert CommitmentForm().blank_key() is None
    assert blank(CommitmentForm, loaded(partnership)).blank_key() is not None


class Greeting(ReusedWhenBlank, forms.Form):
    name = forms.CharField(label="Name", max_length=20)


def test_a_form_rendered_with_another_template_is_not_the_blank_html():
    form = Greeting()
    assert str(form) == fresh_html(form)
    assert form.as_p() != str(form)
    assert "<p>" in form.as_p()


def test_widget_attributes_and_labels_are_part_of_the_key():
    plain = Greeting()
    other = Greeting()
    other.fields["name"].widget.attrs["placeholder"] = "Camille"
    relabelled = Greeting()
    relabelled.fields["name"].label = "Nom"
    keys = {form.blank_key() for form in (plain, other, relabelled)}
    assert len(keys) == 3
    assert 'placeholder="Camille"' in str(other)
    assert "Nom" in str(relabelled)
