"""The Agreement tab, the printable version, the diff and the signed scan, as users see them."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from partnerships.models import Agreement
from partnerships.reads.agreement_diff import compare, word_diff
from partnerships.services import agreements as services
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    LevelAssessmentFactory,
    ResponsibilityFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CONFIRMED = {"confirmed": "1"}  # the steps that ask first (partnerships/views/confirm.py)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url(name, partnership, **kwargs):
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk, **kwargs},
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def default_language_after():
    """A request by an English-speaking user leaves English active in the test's thread (the
    user-language middleware activates it and nothing resets it): restore the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def in_force(editor, owner, carla, org_a, org_c, partnership):
    """Version 1, approved by both parties."""
    agreement = services.agreement_draft(
        actor=editor,
        organisation=org_a,
        partnership=partnership,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        purpose="Faire lire les élèves du collège chaque semaine.",
        exit="Chaque partie peut se retirer avec un préavis de trois mois.",
    )
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    services.agreement_approve(actor=owner, organisation=org_a, agreement=agreement)
    return services.agreement_approve(actor=carla, organisation=org_c, agreement=agreement)


def test_an_editor_drafts_saves_and_submits_from_the_tab(client, editor, partnership):
    client.force_login(editor)
    client.post(url("agreement-add", partnership), **HTMX)
    agreement = Agreement.objects.get()
    form = {
        "starts_on": "2026-02-01",
        "ends_on": "2027-01-31",
        "review_cadence": 6,
        "governance": "Un comité de pilotage chaque trimestre.",
    }
    response = client.post(
        url("agreement-edit", partnership, agreement_id=agreement.pk), form, **HTMX
    )
    assert response.status_code == 200 and 'id="tab-panel"' in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.governance == "Un comité de pilotage chaque trimestre."
    client.post(url("agreement-submit", partnership, agreement_id=agreement.pk), CONFIRMED)
    agreement.refresh_from_db()
    assert agreement.state == "pending"
    page = text(client.get(url("tab-agreement", partnership)))
    assert "Pas encore décidé" in page and "Association A" in page and "Fondation C" in page
    assert "Approuver au nom de" not in page  # an editor does not decide


def test_two_people_drafting_at_once_the_second_is_refused_and_keeps_its_text(
    client, editor, owner, partnership
):
    client.force_login(editor)
    client.post(url("agreement-add", partnership))
    agreement = Agreement.objects.get()
    read_at = agreement.revision
    edit = url("agreement-edit", partnership, agreement_id=agreement.pk)
    first = {"review_cadence": 3, "governance": "Comité mensuel.", "revision": read_at}
    assert client.post(edit, first, **HTMX).status_code == 200
    client.force_login(owner)  # read the draft before the first save, saves after it
    second = {"review_cadence": 3, "governance": "Comité annuel.", "revision": read_at}
    response = client.post(edit, second, **HTMX)
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un d'autre a modifié ce brouillon" in page
    assert "Comité annuel." in page  # what the second person typed is still in the form
    agreement.refresh_from_db()
    assert (agreement.governance, agreement.revision) == ("Comité mensuel.", read_at + 1)


def test_the_drafting_form_carries_the_revision_it_shows(client, editor, partnership):
    client.force_login(editor)
    client.post(url("agreement-add", partnership))
    agreement = Agreement.objects.get()
    page = client.get(url("tab-agreement", partnership)).content.decode()
    assert f'name="revision" value="{agreement.revision}"' in page


def test_wrong_dates_show_on_the_form_and_change_nothing(client, editor, partnership):
    client.force_login(editor)
    client.post(url("agreement-add", partnership))
    agreement = Agreement.objects.get()
    form = {"starts_on": "2026-05-01", "ends_on": "2026-01-01", "review_cadence": 3}
    response = client.post(url("agreement-edit", partnership, agreement_id=agreement.pk), form)
    assert "La date de fin ne peut pas précéder la date de début." in text(response)
    assert Agreement.objects.get().ends_on is None


def test_administrators_see_who_approved_and_decide_for_their_organisation(
    client, editor, owner, carla, org_a, partnership
):
    agreement = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    client.force_login(owner)
    assert "Approuver au nom de Association A" in text(
        client.get(url("tab-agreement", partnership))
    )
    client.post(url("agreement-approve", partnership, agreement_id=agreement.pk), CONFIRMED)
    page = text(client.get(url("tab-agreement", partnership)))
    assert re.search(r"Association A</strong> —\s+Approuvée par alice", page)
    assert "Approuver au nom de" not in page  # decided once


def test_a_refusal_from_the_tab_needs_a_reason(client, editor, owner, org_a, partnership):
    agreement = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    client.force_login(owner)
    refuse = url("agreement-refuse", partnership, agreement_id=agreement.pk)
    assert "Ce champ est obligatoire." in text(client.post(refuse, {"reason": ""}))
    client.post(refuse, {"reason": "La clause de sortie est trop courte.", **CONFIRMED})
    assert Agreement.objects.get().state == "draft"
    page = text(client.get(url("tab-agreement", partnership)))
    assert "Association A l'a refusée" in page and "La clause de sortie est trop courte." in page


def test_an_approved_version_cannot_be_edited_from_the_tab(client, editor, in_force, partnership):
    client.force_login(editor)
    response = client.post(
        url("agreement-edit", partnership, agreement_id=in_force.pk),
        {"review_cadence": 3, "purpose": "Réécrit"},
        **HTMX,
    )
    assert "ne peut plus être modifiée" in text(response)
    assert Agreement.objects.get().purpose.startswith("Faire lire")


def test_the_printable_version_reads_as_a_document_in_french(client, viewer, in_force, partnership):
    client.force_login(viewer)
    page = text(client.get(url("agreement-print", partnership, agreement_id=in_force.pk)))
    assert "css/print.css" in page and "<nav" not in page
    assert "Convention de partenariat" in page and "Lecture au collège" in page
    assert "La présente convention court du 1er janvier 2026 au 31 décembre 2026." in page
    assert "7. Retrait et fin de la convention" in page and "préavis de trois mois" in page
    assert "Association A" in page and "en tant que Chef de file" in page
    assert "Approuvée" in page and "Carla Costa" in page
    assert "En vigueur, approuvée par toutes les parties le" in page
    assert "Niveau convenu\u202f: — · niveau visé\u202f: —" in page


def test_the_printable_version_reads_as_a_document_in_english(
    client, viewer, in_force, partnership
):
    viewer.language = "en"
    viewer.save()
    client.force_login(viewer)
    page = text(client.get(url("agreement-print", partnership, agreement_id=in_force.pk)))
    assert '<html lang="en">' in page
    assert "Partnership agreement" in page
    assert "This agreement runs from 1 January 2026 to 31 December 2026." in page
    assert "7. Exit and ending" in page and "as Lead" in page
    assert "Approved" in page and "Carla Costa" in page
    assert "In force, approved by every party on" in page


def test_the_diff_shows_what_changed_between_two_versions(
    client, editor, owner, carla, org_a, org_c, in_force, partnership
):
    party_a = partnership.parties.get(organisation=org_a)
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=5)
    ResponsibilityFactory(party=party_a, title="Animer les ateliers")
    CommitmentFactory(party=party_a, title="Prêter la salle", due_on=datetime.date(2026, 9, 1))
    second = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    services.agreement_update(
        actor=editor,
        organisation=org_a,
        agreement=second,
        ends_on=datetime.date(2027, 12, 31),
        exit="Chaque partie peut se retirer avec un préavis de six mois.",
    )
    client.force_login(editor)
    response = client.get(
        url("agreement-diff", partnership), {"old": in_force.pk, "new": second.pk}
    )
    page = text(response)
    assert "De la version 1 à la version 2" in page
    assert "<del>31 décembre 2026</del>" in page and "<ins>31 décembre 2027</ins>" in page
    assert "<ins>5 · Coopération</ins>" in page
    assert "+ Association A — Animer les ateliers" in page
    assert "+ Association A — Prêter la salle (Prévu), à tenir pour le 1er septembre 2026" in page
    assert "<del>trois</del><ins>six</ins>" in page


def test_word_diff_keeps_the_unchanged_words_and_marks_the_others():
    assert word_diff("un comité chaque mois", "un comité chaque trimestre") == [
        ("equal", "un comité chaque "),
        ("delete", "mois"),
        ("insert", "trimestre"),
    ]


def test_versions_that_say_the_same_have_an_empty_diff(partnership):
    one = AgreementFactory(partnership=partnership, version=1)
    two = AgreementFactory(partnership=partnership, version=2)
    assert compare(one, two).is_empty


def test_a_signed_pdf_is_stored_under_a_name_nobody_can_guess_and_served_to_members(
    client, editor, viewer, in_force, partnership
):
    client.force_login(editor)
    scan = SimpleUploadedFile("convention signée.pdf", PDF, content_type="application/pdf")
    client.post(url("agreement-scan", partnership, agreement_id=in_force.pk), {"scan": scan})
    in_force.refresh_from_db()
    assert re.fullmatch(
        rf"agreements/{partnership.pk}/[0-9a-f]{{32}}\.pdf", in_force.signed_scan.name
    )
    client.force_login(viewer)
    response = client.get(url("agreement-scan-download", partnership, agreement_id=in_force.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_second_scan_does_not_replace_the_first(client, editor, in_force, partnership):
    client.force_login(editor)
    scan_url = url("agreement-scan", partnership, agreement_id=in_force.pk)
    client.post(scan_url, {"scan": SimpleUploadedFile("a.pdf", PDF)})
    first = Agreement.objects.get().signed_scan.name
    response = client.post(scan_url, {"scan": SimpleUploadedFile("b.pdf", PDF + b"2")}, **HTMX)
    assert "a déjà son exemplaire signé" in text(response)
    assert Agreement.objects.get().signed_scan.name == first


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("scan.pdf", b"<html><script>alert(1)</script>", "n'est pas un document PDF"),
        ("scan.exe", PDF, "Envoyez un fichier PDF."),
    ],
)
def test_only_pdf_content_is_accepted(client, editor, in_force, partnership, name, content, error):
    client.force_login(editor)
    response = client.post(
        url("agreement-scan", partnership, agreement_id=in_force.pk),
        {"scan": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )
    assert error in text(response)
    assert not Agreement.objects.get().signed_scan


def test_a_scan_over_the_size_limit_is_refused(client, editor, in_force, partnership, settings):
    settings.AGREEMENT_SCAN_MAX_BYTES = 1024
    client.force_login(editor)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * 2000)
    response = client.post(
        url("agreement-scan", partnership, agreement_id=in_force.pk), {"scan": big}
    )
    assert "Le fichier est trop volumineux" in text(response)
    assert not Agreement.objects.get().signed_scan


def test_no_scan_no_download(client, viewer, in_force, partnership):
    client.force_login(viewer)
    response = client.get(url("agreement-scan-download", partnership, agreement_id=in_force.pk))
    assert response.status_code == 404


def test_the_tab_is_a_page_and_an_htmx_partial(client, viewer, in_force, partnership):
    client.force_login(viewer)
    page = client.get(url("tab-agreement", partnership)).content.decode()
    assert "<html" in page and "Version en vigueur" in page
    partial = client.get(url("tab-agreement", partnership), **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="tab-panel"') and "<html" not in partial


def test_the_tab_query_count_does_not_grow_with_the_versions(
    client, editor, owner, carla, org_a, org_c, partnership, django_assert_num_queries
):
    """Session, user, membership, the partnership with its health, its parties; then the
    versions and their decisions."""
    client.force_login(editor)
    client.get(url("tab-agreement", partnership))  # the session remembers the organisation

    def new_version():
        agreement = services.agreement_draft(
            actor=editor, organisation=org_a, partnership=partnership
        )
        services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
        services.agreement_approve(actor=owner, organisation=org_a, agreement=agreement)
        services.agreement_approve(actor=carla, organisation=org_c, agreement=agreement)

    new_version()
    # one more than the versions and their decisions: who signs each version (representatives)
    with django_assert_num_queries(8):
        client.get(url("tab-agreement", partnership), **HTMX)
    for _ in range(4):
        new_version()
    with django_assert_num_queries(8):
        client.get(url("tab-agreement", partnership), **HTMX)
    assert Agreement.objects.filter(state="superseded").count() == 4


def test_the_timeline_tells_each_step_of_the_agreement(client, viewer, in_force, partnership):
    client.force_login(viewer)
    page = text(client.get(url("tab-timeline", partnership)))
    for state in ("brouillon", "en attente des approbations", "en vigueur"):
        assert f"Convention, version 1\u202f: {state}" in page


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("fr", "Soumise\u202f: les administrateurs"),
        ("en", "Submitted: every party's administrators"),
    ],
)
def test_without_javascript_a_step_redirects_and_says_it_in_the_users_language(
    client, editor, org_a, partnership, language, said
):
    editor.language = language
    editor.save()
    agreement = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    client.force_login(editor)
    response = client.post(
        url("agreement-submit", partnership, agreement_id=agreement.pk), CONFIRMED, follow=True
    )
    assert response.redirect_chain[-1][0] == url("tab-agreement", partnership)
    assert said in text(response)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("fr", "Le refus de votre organisation est enregistré"),
        ("en", "Your organisation's refusal is recorded; the version is a draft again."),
    ],
)
def test_the_refusal_is_confirmed_in_the_users_language(
    client, editor, owner, org_a, partnership, language, said
):
    """The confirmation is translated per request, not once when the module was imported."""
    owner.language = language
    owner.save()
    agreement = services.agreement_draft(actor=editor, organisation=org_a, partnership=partnership)
    services.agreement_submit(actor=editor, organisation=org_a, agreement=agreement)
    client.force_login(owner)
    response = client.post(
        url("agreement-refuse", partnership, agreement_id=agreement.pk),
        {"reason": "La clause de sortie est trop courte.", **CONFIRMED},
        follow=True,
    )
    assert said in text(response)
