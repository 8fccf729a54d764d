"""The agreement and the review agenda as PDF files made on the server, and who signs for each
party: representatives named while drafting, signature blocks, French dates.

The PDF tests need WeasyPrint's system libraries (Pango, HarfBuzz): they skip on a machine
without them, and fail in CI, which installs them (.ci/run).
"""

from __future__ import annotations

import datetime
import html
import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from rest_framework.test import APIClient

from core.pdf import PdfUnavailable, load_weasyprint, static_file
from partnerships.exceptions import AgreementStateError
from partnerships.models import AgreementRepresentative
from partnerships.services import agreements as services
from tests.factories import ConcernFactory, ReviewFactory
from tests.services import require
from tests.test_typography import FRENCH_GLUED, allowed_in_french

pytestmark = pytest.mark.django_db
D = datetime.date
NNBSP = "\u202f"


def weasyprint_loads() -> bool:
    try:
        load_weasyprint()
    except PdfUnavailable:
        return False
    return True


@pytest.fixture
def pdf_tools():
    require(
        weasyprint_loads(),
        "WeasyPrint cannot load its system libraries (apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)",
    )


@pytest.fixture(autouse=True)
def default_language_after():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def url(name, partnership_id, **kwargs):
    return reverse(
        f"partnerships:{name}",
        kwargs={"org_slug": "association-a", "partnership_id": partnership_id, **kwargs},
    )


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Words as a reader sees them, whatever line breaks and spaces the layout put between."""
    return " ".join(text.replace(NNBSP, " ").replace("\u00a0", " ").split())


@pytest.fixture
def draft(editor, partnership, org_a):
    return services.agreement_draft(
        actor=editor,
        organisation=org_a,
        partnership=partnership,
        starts_on=D(2026, 12, 1),
        ends_on=D(2027, 11, 30),
        purpose="Faire lire les élèves du collège chaque semaine.",
    )


@pytest.fixture
def in_force(draft, editor, owner, carla, org_a, org_c):
    services.agreement_representative_set(
        actor=editor,
        organisation=org_a,
        agreement=draft,
        name="Claire Martin",
        capacity="Directrice",
    )
    services.agreement_representative_set(
        actor=carla, organisation=org_c, agreement=draft, name="Paul Durand", capacity="Président"
    )
    services.agreement_submit(actor=editor, organisation=org_a, agreement=draft)
    services.agreement_approve(actor=owner, organisation=org_a, agreement=draft)
    return services.agreement_approve(actor=carla, organisation=org_c, agreement=draft)


# --- Representatives -------------------------------------------------------------------------
def test_an_editor_names_the_representative_of_their_own_party_from_the_tab(
    client, editor, draft, org_a, partnership
):
    client.force_login(editor)
    page = client.get(url("tab-agreement", partnership.pk)).content.decode()
    assert 'id="representative-form"' in page
    response = client.post(
        url("agreement-representative", partnership.pk, agreement_id=draft.pk),
        {"name": "Claire Martin", "capacity": "Directrice"},
    )
    assert response.status_code in (200, 302)
    representative = AgreementRepresentative.objects.get()
    assert (representative.organisation, representative.name, representative.capacity) == (
        org_a,
        "Claire Martin",
        "Directrice",
    )
    page = html.unescape(client.get(url("tab-agreement", partnership.pk)).content.decode())
    assert "Claire Martin, Directrice" in page


def test_naming_again_replaces_the_party_s_representative(editor, draft, org_a):
    for name in ("Claire Martin", "Zoé Bernard"):
        services.agreement_representative_set(
            actor=editor, organisation=org_a, agreement=draft, name=name, capacity="Directrice"
        )
    assert list(AgreementRepresentative.objects.values_list("name", flat=True)) == ["Zoé Bernard"]


def test_a_representative_needs_a_name_and_a_capacity(client, editor, draft, partnership):
    client.force_login(editor)
    response = client.post(
        url("agreement-representative", partnership.pk, agreement_id=draft.pk),
        {"name": "Claire Martin", "capacity": ""},
    )
    assert response.status_code == 200
    assert 'id="representative-form"' in response.content.decode()
    assert not AgreementRepresentative.objects.exists()


def test_a_viewer_cannot_name_a_representative(client, viewer, draft, partnership):
    client.force_login(viewer)
    response = client.post(
        url("agreement-representative", partnership.pk, agreement_id=draft.pk),
        {"name": "Victor", "capacity": "Stagiaire"},
    )
    assert response.status_code == 403
    assert not AgreementRepresentative.objects.exists()


def test_the_representatives_are_frozen_with_the_submitted_version(
    client, editor, in_force, partnership
):
    client.force_login(editor)
    response = client.post(
        url("agreement-representative", partnership.pk, agreement_id=in_force.pk),
        {"name": "Quelqu'un d'autre", "capacity": "Directeur"},
    )
    assert response.status_code == 409
    representative = AgreementRepresentative.objects.get(name="Claire Martin")
    representative.name = "Changé"
    with pytest.raises(AgreementStateError):
        representative.save()
    with pytest.raises(AgreementStateError):
        AgreementRepresentative.objects.filter(pk=representative.pk).update(name="Changé")
    with pytest.raises(AgreementStateError):
        representative.delete()


def test_the_printable_agreement_has_representatives_signatures_and_french_dates(
    client, editor, in_force, partnership
):
    client.force_login(editor)
    response = client.get(url("agreement-print", partnership.pk, agreement_id=in_force.pk))
    page = html.unescape(response.content.decode())
    for word in ("Claire Martin", "Directrice", "Paul Durand", "Président"):
        assert word in page
    # French wording: "Fait à" and "Signature" need the French catalog of this branch merged
    # (their msgids are new); the long date comes from core.dates.long_date.
    assert "Fait à" in page and "Signature" in page
    assert "1er décembre 2026" in page
    assert 'class="signature"' in page


# --- PDF files -------------------------------------------------------------------------------
def test_the_agreement_pdf_holds_the_representatives_and_french_dates(
    client, editor, in_force, partnership, pdf_tools
):
    client.force_login(editor)
    response = client.get(url("agreement-pdf", partnership.pk, agreement_id=in_force.pk))
    assert 'filename="agreement-' in response["Content-Disposition"]
    text = flat(pdf_text(response))
    assert "Claire Martin" in text and "Directrice" in text
    assert "Paul Durand" in text and "Président" in text
    assert "Lecture au collège" in text
    assert "1er décembre 2026" in text  # French long dates (core.dates.long_date)
    assert "Fait à" in text  # the signature blocks: needs the merged French catalog


def test_the_pdf_follows_french_typography(client, editor, in_force, partnership, pdf_tools):
    """A narrow no-break space before : ; ? ! in French, as on the pages."""
    client.force_login(editor)
    text = pdf_text(client.get(url("agreement-pdf", partnership.pk, agreement_id=in_force.pk)))
    glued = [
        text[max(match.start() - 20, 0) : match.end() + 5]
        for match in FRENCH_GLUED.finditer(text)
        if not allowed_in_french(text, match.start())
    ]
    assert glued == []
    assert f"{NNBSP}:" in text  # "Nom : …" in the signature blocks, as the page writes it


def test_the_agenda_pdf_leaves_out_private_items_unless_asked(
    client, editor, partnership, org_a, org_c, pdf_tools
):
    own = partnership.parties.get(organisation=org_a)
    other = partnership.parties.get(organisation=org_c)
    ConcernFactory(raised_by=own, description="sharedworry")
    ConcernFactory(raised_by=own, description="ourprivate", visibility="private")
    ConcernFactory(raised_by=other, description="theirprivate", visibility="private")
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 12, 1))
    client.force_login(editor)
    address = url("review-agenda-pdf", partnership.pk, review_id=review.pk)

    text = flat(pdf_text(client.get(address)))
    assert "sharedworry" in text
    assert "ourprivate" not in text and "theirprivate" not in text
    assert "1er décembre 2026" in text  # the meeting's date, in French

    text = flat(pdf_text(client.get(address, {"include_private": "1"})))
    assert "ourprivate" in text and "theirprivate" not in text


def test_outsiders_get_404_on_the_pdfs(client, outsider, in_force, partnership):
    review = ReviewFactory(partnership=partnership)
    client.force_login(outsider)
    for address in (
        reverse(
            "partnerships:agreement-pdf",
            args=["college-b", partnership.pk, in_force.pk],
        ),
        reverse("partnerships:review-agenda-pdf", args=["college-b", partnership.pk, review.pk]),
    ):
        assert client.get(address).status_code == 404


def test_without_weasyprint_the_pdf_link_explains_and_the_page_stays(
    client, editor, in_force, partnership, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it could not be imported
    client.force_login(editor)
    response = client.get(url("agreement-pdf", partnership.pk, agreement_id=in_force.pk))
    assert response.status_code == 503
    page = response.content.decode()
    printable = url("agreement-print", partnership.pk, agreement_id=in_force.pk)
    assert f'href="{printable}"' in page
    assert "PDF" in page
    assert client.get(printable).status_code == 200


def test_weasyprint_is_imported_only_when_a_pdf_is_asked_for():
    """``make run`` works on a machine without Pango: loading the site never imports it."""
    code = (
        "import sys, django; django.setup(); "
        "from django.urls import resolve; resolve('/'); "
        "import config.urls, partnerships.views.meeting, partnerships.views.agreements; "
        "print('weasyprint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_document_fetches_only_the_site_s_static_files():
    base = "http://testserver/"
    assert static_file("http://testserver/static/css/print.css", base).endswith("print.css")
    for refused in (
        "http://example.org/static/css/print.css",
        "http://testserver/media/agreements/1/x.pdf",
        "http://testserver/static/../config/settings/base.py",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            static_file(refused, base)


# --- API -------------------------------------------------------------------------------------
@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def api_url(name, partnership, pk):
    return reverse(f"api:partnership-{name}", kwargs={"partnership_id": partnership.pk, "pk": pk})


def test_api_names_the_representative_and_shows_it_on_the_version(api, editor, draft, partnership):
    answer = api(editor).post(
        api_url("agreements-representative", partnership, draft.pk),
        {"name": "Claire Martin", "capacity": "Directrice"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["representatives"] == [
        {
            "organisation": "association-a",
            "organisation_name": "Association A",
            "name": "Claire Martin",
            "capacity": "Directrice",
        }
    ]
    detail = api(editor).get(api_url("agreements-detail", partnership, draft.pk)).json()
    assert detail["representatives"][0]["name"] == "Claire Martin"


def test_api_refuses_a_representative_once_submitted(api, editor, in_force, partnership):
    answer = api(editor).post(
        api_url("agreements-representative", partnership, in_force.pk),
        {"name": "Quelqu'un", "capacity": "Directeur"},
        format="json",
    )
    assert answer.status_code == 409
    assert not AgreementRepresentative.objects.filter(name="Quelqu'un").exists()


def test_api_serves_the_agreement_and_agenda_pdfs(
    api, editor, in_force, partnership, org_a, pdf_tools
):
    text = flat(pdf_text(api(editor).get(api_url("agreements-pdf", partnership, in_force.pk))))
    assert "Claire Martin" in text and "Paul Durand" in text
    own = partnership.parties.get(organisation=org_a)
    ConcernFactory(raised_by=own, description="ourprivate", visibility="private")
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 12, 1))
    address = api_url("reviews-agenda-pdf", partnership, review.pk)
    assert "ourprivate" not in flat(pdf_text(api(editor).get(address)))
    assert "ourprivate" in flat(pdf_text(api(editor).get(address, {"include_private": "true"})))


def test_api_outsiders_get_404_on_the_pdfs(api, outsider, in_force, partnership):
    review = ReviewFactory(partnership=partnership)
    client = api(outsider)
    assert client.get(api_url("agreements-pdf", partnership, in_force.pk)).status_code == 404
    assert client.get(api_url("reviews-agenda-pdf", partnership, review.pk)).status_code == 404


def test_api_without_weasyprint_answers_503(api, editor, in_force, partnership, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    answer = api(editor).get(api_url("agreements-pdf", partnership, in_force.pk))
    assert answer.status_code == 503
    assert answer.json()["detail"]
