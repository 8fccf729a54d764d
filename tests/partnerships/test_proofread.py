"""French and English wording found by proofreading, checked on what people read: pages,
charts, e-mails and files."""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from partnerships.choices import (
    AgreementState,
    CommitmentStatus,
    PartnershipStatus,
    ReviewStatus,
)
from partnerships.models import Review
from partnerships.reads.tables import record_export, sheet_title_of
from partnerships.reports.charts import Chart
from partnerships.reports.files import xlsx_response
from partnerships.services.reviews import review_close, review_hold
from tests.factories import (
    CommitmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
NNBSP = "\u202f"


def review_url(name, review):
    kwargs = {"org_slug": "association-a", "partnership_id": review.partnership_id}
    return reverse(f"partnerships:{name}", kwargs={**kwargs, "review_id": review.pk})


def workspace_url(name, partnership):
    kwargs = {"org_slug": "association-a", "partnership_id": partnership.pk}
    return reverse(f"partnerships:{name}", kwargs=kwargs)


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def test_an_empty_chart_says_no_data_in_french():
    chart = Chart(title="Niveaux", x_title="Mois", y_title="Nombre", x_labels=[])
    with translation.override("fr"):
        svg = chart.svg().decode()
    assert "Aucune donnée" in svg and "No data" not in svg
    with translation.override("en"):
        assert "No data" in chart.svg().decode()


def test_a_closed_record_shows_commitment_statuses_translated(
    signed_in, editor, partnership, org_a
):
    CommitmentFactory(
        party=partnership.parties.get(organisation=org_a), status="done", completed_on=D(2026, 3, 1)
    )
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10))
    review_hold(actor=editor, organisation=org_a, review=review, held_on=D(2026, 3, 10))
    closed = review_close(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    assert closed.record["commitments"][0]["status"] == "done"  # the record keeps the key
    page = signed_in.get(review_url("review", review)).content.decode()
    record = page.split('class="record"', 1)[1].split("</dl>", 1)[0]
    assert "Send the calendar" in record and ", Fait)" in record and ", done)" not in record


def test_review_statuses_agree_with_a_review_in_french():
    with translation.override("fr"):
        assert [str(label) for label in ReviewStatus.labels] == [
            "Prévue",
            "Tenue",
            "Clôturée",
            "Annulée",
        ]
        assert str(CommitmentStatus.PLANNED.label) == "Prévu"  # « un engagement prévu »
    with translation.override("en"):
        assert str(ReviewStatus.PLANNED.label) == str(CommitmentStatus.PLANNED.label) == "Planned"


def test_the_review_page_tags_a_planned_review_in_the_feminine(signed_in, partnership):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10))
    page = signed_in.get(review_url("review", review)).content.decode()
    assert '<span class="tag">Prévue</span>' in page


def test_the_timeline_says_who_was_invited_in_a_sentence(signed_in, partnership):
    PartyFactory(
        partnership=partnership,
        organisation=OrganisationFactory(name="Maison des jeunes"),
        invitation="invited",
    )
    page = signed_in.get(workspace_url("tab-timeline", partnership)).content.decode()
    assert f"Invitation envoyée à Maison des jeunes (rôle{NNBSP}: partenaire)" in page
    assert "invitation invitée" not in page
    assert "a accepté l'invitation" in page or "a accepté l&#x27;invitation" in page


def test_the_agenda_says_none_in_the_gender_of_each_list(signed_in, partnership):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10))
    page = signed_in.get(review_url("review-agenda", review)).content.decode()
    questions = page.split("Questions restées ouvertes", 1)[1].split("</li>", 1)[0]
    assert "Aucune." in questions
    commitments = page.split("Engagements en retard", 1)[1].split("</li>", 2)[0]
    assert "Aucun." in commitments and "Aucune." not in commitments
    concerns = page.split("Craintes et résistances nouvelles", 1)[1].split("</li>", 1)[0]
    assert "Aucune." in concerns


def test_a_partnership_starting_later_is_not_there_since_then(signed_in, partnership):
    partnership.starts_on = timezone.localdate() + datetime.timedelta(days=30)
    partnership.save()
    page = signed_in.get(workspace_url("workspace", partnership)).content.decode()
    meta = page.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert "à partir du" in meta and "depuis le" not in meta
    partnership.starts_on = timezone.localdate() - datetime.timedelta(days=30)
    partnership.save()
    page = signed_in.get(workspace_url("workspace", partnership)).content.decode()
    assert "depuis le" in page.split('<p class="meta">', 1)[1].split("</p>", 1)[0]


def test_guests_without_attendees_follow_the_colon_directly(signed_in, partnership):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10), guests="Léa")
    for name in ("review", "review-agenda"):
        page = signed_in.get(review_url(name, review)).content.decode()
        assert f"Participants{NNBSP}: Léa</p>" in page, name
        assert f"{NNBSP}; Léa" not in page


def test_guests_after_attendees_are_separated_by_a_semicolon(signed_in, editor, partnership):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10), guests="Léa")
    review.attendees.set([editor])
    page = signed_in.get(review_url("review", review)).content.decode()
    assert f"{NNBSP}; Léa</p>" in page


def Table(title):  # a figure as the report files read it
    return SimpleNamespace(title=title, columns=["A"], table_rows=[["x"]])


def test_report_sheets_are_named_after_their_translated_titles():
    figures = {
        "levels": Table(title="Niveaux : accord [perçu]/visé ?"),
        "gaps": Table(title="Écarts de perception entre les parties, par mois"),
        "gaps_again": Table(title="Écarts de perception entre les parties, par mois"),
    }
    book = load_workbook(io.BytesIO(xlsx_response(figures, "r.xlsx").content))
    assert book.sheetnames == [
        "Niveaux accord perçu visé",
        "Écarts de perception entre les",
        "Écarts de perception entre (2)",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_record_exports_name_their_sheet_in_the_language(org_a, partnership):
    with translation.override("fr"):
        response = record_export(org_a, "concerns", "xlsx")
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Craintes et résistances"]
    assert sheet_title_of("a:b*c?d/e\\f[g]") == "a b c d e f g"


def test_english_pages_write_dates_day_first(client, partnership, org_a):
    user = UserFactory(username="eve", language="en")
    MembershipFactory(user=user, organisation=org_a, role="editor")
    client.force_login(user)
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 12, 1))
    page = client.get(review_url("review-agenda", review)).content.decode()
    assert "1 December 2026" in page and "Dec. 1, 2026" not in page
    with translation.override("en"):
        rendered = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(
            Context({"day": D(2026, 12, 25)})
        )
    assert rendered == "25/12/2026"


def test_french_writes_the_first_of_the_month_as_an_ordinal(signed_in, partnership):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 12, 1))
    page = signed_in.get(review_url("review-agenda", review)).content.decode()
    assert "du 1er décembre 2026" in page
    template = Template("{% load partnerships %}{{ day|long_date }}")
    with translation.override("fr"):
        assert template.render(Context({"day": D(2026, 12, 2)})) == "2 décembre 2026"
        assert template.render(Context({"day": D(2026, 12, 11)})) == "11 décembre 2026"


def test_an_ended_agreement_agrees_with_la_convention():
    with translation.override("fr"):
        assert str(AgreementState.ENDED.label) == "Terminée"
        assert str(PartnershipStatus.ENDED.label) == "Terminé"  # « un partenariat terminé »
    with translation.override("en"):
        assert str(AgreementState.ENDED.label) == "Ended"
