"""The coordinator's pages as users see them: full pages, htmx partials, forms and errors."""

from __future__ import annotations

import csv
import datetime
import html
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Commitment, ConcernCheck, LevelAssessment, Partnership
from partnerships.services.proposals import level_propose
from tests.factories import (
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ResponsibilityFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, partnership=None, **kwargs):
    if partnership is not None:
        kwargs["partnership_id"] = partnership.pk
    return reverse(f"partnerships:{name}", kwargs={"org_slug": "association-a", **kwargs})


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    client.get(url("dashboard"))  # the session remembers the organisation once, not per page
    return client


def test_dashboard_counts_what_the_organisation_may_see(signed_in, partnership, org_a, org_c):
    today = timezone.localdate()
    partnership.next_review_on = today + datetime.timedelta(days=10)
    partnership.save()
    party_a = partnership.parties.get(organisation=org_a)
    party_c = partnership.parties.get(organisation=org_c)
    CommitmentFactory(party=party_a, due_on=today - datetime.timedelta(days=3))
    ConcernCheckFactory(concern=ConcernFactory(raised_by=party_c), intensity=5)
    ConcernCheckFactory(
        concern=ConcernFactory(raised_by=party_c, visibility="private"), intensity=5
    )
    response = signed_in.get(url("dashboard"))
    counts = response.context["counts"]
    assert (counts["active"], counts["reviews_due"], counts["overdue_commitments"]) == (1, 1, 1)
    assert counts["high_concerns"] == 1  # C's private concern is not counted for A
    assert "1 engagement est en retard." in response.content.decode()


def test_dashboard_explains_each_signal_in_a_sentence(signed_in, partnership, org_a, org_c):
    for org, level in ((org_a, 6), (org_c, 3)):
        LevelAssessmentFactory(
            partnership=partnership,
            kind="perceived",
            level=level,
            party=partnership.parties.get(organisation=org),
        )
    content = html.unescape(signed_in.get(url("dashboard")).content.decode())
    assert "perçoivent ce partenariat à 3 niveaux d'écart" in content


def test_dashboard_query_count_does_not_grow(
    signed_in, partnership, org_a, django_assert_num_queries
):
    def grow(count):
        for _ in range(count):
            party = PartyFactory(organisation=org_a)
            CommitmentFactory(party=party, due_on=datetime.date(2020, 1, 1))
            ConcernCheckFactory(concern=ConcernFactory(raised_by=party), intensity=4)
            LevelAssessmentFactory(partnership=party.partnership, level=3)

    grow(2)
    # session, user, the user's memberships (the gate's and the organisation switcher's); the
    # to-do (one query, from the read model); one count of everything (totals, the 3 tiles,
    # the partnerships raising a signal, the levels' chart) and the invitations; the first
    # partnerships raising a signal with their health annotations; the intensity chart; the
    # notifications badge
    with django_assert_num_queries(9):
        signed_in.get(url("dashboard"))
    grow(10)
    with django_assert_num_queries(9):
        signed_in.get(url("dashboard"))


def test_charts_are_svg_images_with_their_data_on_the_page(signed_in, partnership):
    LevelAssessmentFactory(partnership=partnership, level=5)
    response = signed_in.get(url("chart-levels"))
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    page = signed_in.get(url("dashboard")).content.decode()
    assert "5 · Coopération" in page  # the table beneath the chart


def test_list_filters_sorts_and_answers_htmx_with_the_table_only(signed_in, org_a, partnership):
    other = PartnershipFactory(title="Zèbre solidaire", status="paused")
    PartyFactory(partnership=other, organisation=org_a)
    response = signed_in.get(url("list"), {"status": "paused"}, **HTMX)
    content = response.content.decode()
    assert "<html" not in content and 'id="results"' in content
    assert "Zèbre solidaire" in content and "Lecture au collège" not in content

    full = signed_in.get(url("list"), {"sort": "-title"}).content.decode()
    assert "<html" in full
    assert full.index("Zèbre solidaire") < full.index("Lecture au collège")


def test_list_filters_by_level_scope_partner_and_text(signed_in, org_a, org_c, partnership):
    LevelAssessmentFactory(partnership=partnership, level=4)
    other = PartnershipFactory(title="Autre chose", purpose="jardin")
    PartyFactory(partnership=other, organisation=org_a)

    def titles(**params):
        return [p.title for p in signed_in.get(url("list"), params).context["page"].object_list]

    assert titles(level=4) == ["Lecture au collège"]
    assert titles(partner=org_c.slug) == ["Lecture au collège"]
    assert titles(q="jardin") == ["Autre chose"]
    assert titles(scope="internal") == ["Autre chose"]  # A alone is one system
    assert titles(level=99) == ["Autre chose", "Lecture au collège"]  # invalid filter ignored


def test_list_pages_by_25(signed_in, org_a):
    for _ in range(30):
        PartyFactory(organisation=org_a)
    first = signed_in.get(url("list"))
    assert len(first.context["page"].object_list) == 25
    assert len(signed_in.get(url("list"), {"page": 2}).context["page"].object_list) == 5


def test_list_rows_show_each_partnership_as_the_organisation_sees_it(
    signed_in, partnership, org_a, org_b, org_c
):
    """A row: the title linked to the workspace, status, scope, agreed level, the gap with its
    tag, the other parties that joined (by name, not the viewer, not one only invited), the
    next review with its tag once past; a dash where there is nothing."""
    partnership.title = "Lecture <à voix haute>"
    partnership.next_review_on = datetime.date(2020, 3, 2)
    partnership.save()
    PartyFactory(partnership=partnership, organisation=org_b)
    PartyFactory(
        partnership=partnership,
        organisation=OrganisationFactory(name="Invitée"),
        invitation="invited",
    )
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=4)
    for organisation, level in ((org_a, 2), (org_c, 5)):
        LevelAssessmentFactory(
            partnership=partnership,
            kind="perceived",
            level=level,
            party=partnership.parties.get(organisation=organisation),
        )
    quiet = PartnershipFactory(title="Sans revue")
    PartyFactory(partnership=quiet, organisation=org_a)

    content = signed_in.get(url("list")).content.decode()
    rows = content.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    first, second = rows.split("</tr>")[:2]
    workspace = url("workspace", partnership)
    assert f'<a href="{workspace}">Lecture &lt;à voix haute&gt;</a>' in first
    assert "<td>Actif</td>" in first
    assert "<td>4 · Concertation</td>" in first
    assert '<td>3 <span class="tag warn">à clarifier</span></td>' in first
    assert (
        '<td><span class="party">Collège B</span><span class="party">Fondation C</span></td>'
        in first
    )
    assert "Invitée" not in first and "Association A" not in first
    assert '<td>02/03/2020 <span class="tag warn">en retard</span></td>' in first
    assert "Sans revue" in second
    assert second.count("<td>—</td>") == 3  # no level, no gap, no review; no partner either
    assert "<td></td>" in second


def test_list_query_count_does_not_grow(signed_in, org_a, django_assert_num_queries):
    for _ in range(3):
        PartyFactory(organisation=org_a)
    # session, user, the user's memberships (the gate's and the switcher's), the filter's
    # partner choices, count, page, the names of each partnership's other parties, the
    # notifications badge
    with django_assert_num_queries(8):
        signed_in.get(url("list"))
    for _ in range(20):
        PartyFactory(organisation=org_a)
    with django_assert_num_queries(8):
        signed_in.get(url("list"))


def test_csv_export_follows_the_filters(signed_in, org_a, partnership):
    LevelAssessmentFactory(partnership=partnership, level=6)
    PartyFactory(organisation=org_a, partnership=PartnershipFactory(title="Hors filtre"))
    response = signed_in.get(url("export"), {"level": 6})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Titre"
    assert [row[0] for row in rows[1:]] == ["Lecture au collège"]
    assert rows[1][3:5] == ["6", "Partenariat de réciprocité"]


def test_csv_export_keeps_a_formula_typed_as_a_title_as_text(signed_in, org_a, partnership):
    PartyFactory(organisation=org_a, partnership=PartnershipFactory(title='=HYPERLINK("x")'))
    response = signed_in.get(url("export"), {"sort": "title"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("x")', "Lecture au collège"]


def test_new_partnership_makes_the_organisation_first_party_and_invites(signed_in, org_b, org_a):
    response = signed_in.post(
        url("new"),
        {
            "title": "Forum",
            "purpose": "",
            "status": "proposed",
            "review_cadence": 3,
            "starts_on": "2026-01-01",
            "ends_on": "",
            "next_review_on": "",
            "partners-TOTAL_FORMS": 3,
            "partners-INITIAL_FORMS": 0,
            "partners-0-organisation": org_b.pk,
            "partners-0-role": "funder",
            "partners-1-role": "partner",
            "partners-2-role": "partner",
        },
    )
    partnership = Partnership.objects.get(title="Forum")
    assert response["Location"] == url("workspace", partnership)
    assert {(p.organisation, p.invitation) for p in partnership.parties.all()} == {
        (org_a, "accepted"),
        (org_b, "invited"),
    }


def test_new_partnership_shows_errors_and_stores_nothing(signed_in):
    response = signed_in.post(
        url("new"),
        {
            "title": "",
            "status": "active",
            "review_cadence": 3,
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
            "partners-TOTAL_FORMS": 0,
            "partners-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce champ est obligatoire." in content
    assert not Partnership.objects.exists()


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(signed_in, partnership):
    form = {"title": "Version A", "status": "active", "review_cadence": 3, "version": 1}
    assert signed_in.post(url("edit", partnership), form).status_code == 302
    response = signed_in.post(url("edit", partnership), {**form, "title": "Version B"})
    assert response.status_code == 409
    assert "Quelqu'un d'autre a modifié ce partenariat" in html.unescape(response.content.decode())
    partnership.refresh_from_db()
    assert (partnership.title, partnership.version) == ("Version A", 2)


@pytest.mark.parametrize("tab", ["commitments", "concerns", "pleasures", "reviews", "timeline"])
def test_each_tab_is_a_page_and_an_htmx_partial(signed_in, partnership, tab):
    page = signed_in.get(url(f"tab-{tab}", partnership))
    assert page.status_code == 200 and "<html" in page.content.decode()
    partial = signed_in.get(url(f"tab-{tab}", partnership), **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="tab-panel"')
    assert "<html" not in partial


@pytest.mark.parametrize(
    ("tab", "queries"),
    [("commitments", 7), ("concerns", 7), ("pleasures", 6), ("reviews", 6), ("timeline", 14)],
)
def test_tab_query_counts_do_not_grow(
    signed_in, partnership, org_a, tab, queries, django_assert_num_queries
):
    """Five queries for every tab: session, user, membership, the partnership with its health
    annotations, its parties. Then the tab's own: commitments 2 (responsibilities,
    commitments; the forms' party menus list the parties loaded already), concerns 2
    (concerns, their checks: a concern is raised by the acting party, no choice), pleasures 1
    (its form's party menu too), reviews 1, timeline 9 (one per source merged, agreement
    versions included, and the level proposals and their answers)."""
    party = partnership.parties.get(organisation=org_a)

    def grow(count):
        for _ in range(count):
            CommitmentFactory(party=party)
            concern = ConcernFactory(raised_by=party)
            ConcernCheckFactory(concern=concern)
            LevelAssessmentFactory(partnership=partnership)

    grow(1)
    with django_assert_num_queries(queries):
        signed_in.get(url(f"tab-{tab}", partnership), **HTMX)
    grow(8)
    with django_assert_num_queries(queries):
        signed_in.get(url(f"tab-{tab}", partnership), **HTMX)


def test_the_workspace_query_count_does_not_grow(
    signed_in, editor, partnership, org_a, django_assert_num_queries
):
    """Session, user, membership, the partnership with its health annotations and the pk of
    its pending level proposal, its parties, responsibilities, commitments, the level entries
    (the ladder's and the chart's), the notifications badge. Each record's party is taken from
    the parties loaded already; the proposal is read only when there is one (with its answers:
    two more)."""
    party = partnership.parties.get(organisation=org_a)
    for _ in range(6):
        CommitmentFactory(party=party)
        ResponsibilityFactory(party=party)
        LevelAssessmentFactory(partnership=partnership, party=party, kind="perceived")
    with django_assert_num_queries(9):
        page = signed_in.get(url("workspace", partnership)).content.decode()
    assert "Proposé comme niveau convenu" not in page
    level_propose(actor=editor, organisation=org_a, partnership=partnership, level=5)
    with django_assert_num_queries(11):
        page = signed_in.get(url("workspace", partnership)).content.decode()
    proposal = html.unescape(page).split("Proposé comme niveau convenu", 1)[1]
    assert proposal.split("</h3>", 1)[0].endswith("Coopération")


def test_adding_a_commitment_inline_returns_the_refreshed_tab(signed_in, partnership, org_a):
    party = partnership.parties.get(organisation=org_a)
    response = signed_in.post(
        url("commitment-add", partnership),
        {
            "party": party.pk,
            "title": "Envoyer le calendrier",
            "due_on": "2026-12-01",
            "status": "planned",
        },
        **HTMX,
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="tab-panel"')
    assert "Envoyer le calendrier" in content
    assert Commitment.objects.get().history.latest().history_user.username == "bob"


def test_an_invalid_commitment_shows_its_errors_in_the_partial(signed_in, partnership, org_a):
    response = signed_in.post(
        url("commitment-add", partnership), {"party": "", "title": "", "status": "planned"}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in content and "<html" not in content
    assert not Commitment.objects.exists()


def test_a_party_of_another_partnership_is_refused(signed_in, partnership):
    stranger = PartyFactory()
    signed_in.post(
        url("commitment-add", partnership),
        {"party": stranger.pk, "title": "x", "status": "planned"},
        **HTMX,
    )
    assert not Commitment.objects.exists()


def test_marking_a_commitment_done_records_the_date(signed_in, partnership, org_a):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    signed_in.post(url("commitment-done", partnership, pk=commitment.pk), **HTMX)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.completed_on) == ("done", timezone.localdate())


def test_without_javascript_a_write_redirects_to_its_tab(signed_in, partnership, org_a):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    response = signed_in.post(url("commitment-done", partnership, pk=commitment.pk))
    assert response["Location"] == url("tab-commitments", partnership)


def test_rerating_a_concern_appends_a_check(signed_in, partnership, org_a):
    concern = ConcernFactory(raised_by=partnership.parties.get(organisation=org_a))
    ConcernCheckFactory(concern=concern, intensity=4)
    response = signed_in.post(
        url("concern-check", partnership, pk=concern.pk), {"intensity": 2, "note": "mieux"}, **HTMX
    )
    assert list(concern.checks.order_by("pk").values_list("intensity", flat=True)) == [4, 2]
    assert "2/5" in response.content.decode()


def test_an_out_of_range_rating_is_refused_inline(signed_in, partnership, org_a):
    concern = ConcernFactory(raised_by=partnership.parties.get(organisation=org_a))
    response = signed_in.post(
        url("concern-check", partnership, pk=concern.pk), {"intensity": 9}, **HTMX
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not ConcernCheck.objects.exists()


def test_another_organisations_private_concern_is_invisible(signed_in, partnership, org_c):
    hidden = ConcernFactory(
        raised_by=partnership.parties.get(organisation=org_c),
        visibility="private",
        description="Secret de C",
    )
    assert "Secret de C" not in signed_in.get(url("tab-concerns", partnership)).content.decode()
    response = signed_in.post(url("concern-check", partnership, pk=hidden.pk), {"intensity": 1})
    assert response.status_code == 404


def test_a_perceived_level_is_recorded_for_the_acting_organisation(signed_in, partnership, org_a):
    response = signed_in.post(
        url("level-add", partnership), {"kind": "perceived", "level": 5, "rationale": ""}, **HTMX
    )
    assert response.content.decode().lstrip().startswith('<section id="ladder"')
    assessment = LevelAssessment.objects.get()
    assert (assessment.party.organisation, assessment.level) == (org_a, 5)


def test_invitations_are_answered_by_the_invited_admin(client, owner, org_a, org_c):
    invited = PartyFactory(
        partnership=PartyFactory(organisation=org_c, role="lead").partnership,
        organisation=org_a,
        invitation="invited",
    )
    client.force_login(owner)
    page = client.get(url("invitations")).content.decode()
    assert invited.partnership.title in page and "Fondation C" in page
    response = client.post(url("invitation-accept", pk=invited.pk))
    invited.refresh_from_db()
    assert invited.invitation == "accepted"
    assert response["Location"] == url("workspace", invited.partnership)


def test_inviting_another_organisation_into_a_partnership(client, owner, partnership):
    newcomer = OrganisationFactory(name="Newcomer")
    client.force_login(owner)
    client.post(url("invite", partnership), {"organisation": newcomer.pk, "role": "partner"})
    assert partnership.parties.get(organisation=newcomer).invitation == "invited"


def test_only_admins_of_the_lead_delete(client, owner, partnership):
    client.force_login(owner)
    assert client.post(url("delete", partnership))["Location"] == url("list")
    assert not Partnership.objects.filter(pk=partnership.pk).exists()


def test_a_nul_character_in_a_filter_is_ignored_not_a_server_error(signed_in, partnership):
    """PostgreSQL fails a query comparing a string holding NUL; the form refuses it first."""
    response = signed_in.get(url("list"), {"partner": "a\x00b", "q": "x\x00"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Responsibility added."), ("fr", "Responsabilité ajoutée.")]
)
def test_the_confirmation_is_in_the_language_of_the_person_who_acted(
    client, editor, partnership, language, expected
):
    editor.language = language
    editor.save()
    client.force_login(editor)
    party = partnership.parties.get(organisation__slug="association-a")
    response = client.post(
        url("responsibility-add", partnership_id=partnership.pk),
        {"party": party.pk, "title": "Accueil des familles", "description": ""},
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]] == [expected]
