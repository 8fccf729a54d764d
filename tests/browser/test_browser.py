"""What only a browser shows: htmx swaps without a page load, and accessibility (axe-core)."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from django.db import transaction

from organisations.models import Organisation, User
from partnerships.models import Agreement, Commitment, ConcernCheck, Partnership
from partnerships.services.partner_invitations import partner_invite_by_email
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
ORG = "/o/centre-social-tilleuls"


def mark_page(page) -> None:
    """Set a flag that only survives if the page is not reloaded."""
    page.evaluate("window.__stillHere = true")


def same_page(page) -> bool:
    return page.evaluate("window.__stillHere === true")


def test_sign_in_through_the_form_reaches_the_dashboard(page):
    sign_in(page)
    assert page.url.endswith(ORG + "/")
    assert page.locator("h1").inner_text() == "Centre social des Tilleuls"


def test_filtering_the_list_changes_the_table_without_a_page_load(page):
    sign_in(page)
    page.goto(page.base_url + ORG + "/partnerships/")
    mark_page(page)
    page.select_option("#id_status", "paused")
    page.wait_for_url("**status=paused**")
    rows = page.locator("#results tbody tr")
    rows.first.wait_for()
    titles = rows.locator("td:first-child").all_inner_texts()
    assert titles == ["Lettre d'information du réseau"]
    assert same_page(page)


def test_add_a_commitment_and_rerate_a_fear_inline(page):
    sign_in(page, "julien")
    partnership = Partnership.objects.get(title="Coup de pouce lecture au collège")
    page.goto(page.base_url + f"{ORG}/partnerships/{partnership.pk}/")
    mark_page(page)

    page.click("text=Ajouter un engagement")
    page.select_option("#commitment-form #id_party", label="Centre social des Tilleuls")
    page.fill("#commitment-form #id_title", "Préparer le bilan de fin d'année")
    page.fill("#commitment-form #id_due_on", "2027-06-30")
    page.click("#commitment-form button[type=submit]")
    page.locator("#tab-panel", has_text="Préparer le bilan de fin d'année").wait_for()
    assert Commitment.objects.filter(title="Préparer le bilan de fin d'année").exists()

    page.click("#tab-panel nav a:has-text('Craintes et résistances')")
    page.wait_for_url("**/concerns/")
    concern = page.locator(".concern").first
    before = ConcernCheck.objects.count()
    concern.locator("label.choice:has-text('1') input").check()
    concern.locator("button:has-text('Enregistrer')").click()
    page.wait_for_function(f"document.querySelectorAll('.concern').length > 0 && {before} >= 0")
    page.locator(".concern").first.locator("text=/Dernière intensité/").wait_for()
    page.wait_for_timeout(300)
    assert ConcernCheck.objects.count() == before + 1
    assert same_page(page)


def test_switching_the_language(page):
    sign_in(page)
    page.click("#language-form button[lang=en]")  # one click, in the footer
    page.locator("text=Signals to look at").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/partnerships/",
        "/partnerships/{pk}/",
        "/partnerships/{pk}/agreement/",
        "/partnerships/{pk}/agreements/diff/",
        "/reports/concerns/",
        "/reports/gaps/",
    ],
)
def test_pages_have_no_serious_accessibility_violation(page, path):
    sign_in(page)
    pk = Partnership.objects.get(title="Coup de pouce lecture au collège").pk
    page.goto(page.base_url + ORG + path.format(pk=pk))
    results = Axe().run(page)
    serious = [
        (violation["id"], violation["impact"], [n["target"] for n in violation["nodes"]][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_screenshots_of_the_demo(page, tmp_path):
    """Set UPDATE_SCREENSHOTS=1 to refresh the pictures the README shows."""
    target = (
        Path(settings.BASE_DIR) / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS")
        else tmp_path
    )
    sign_in(page)
    page.goto(page.base_url + ORG + "/")
    page.screenshot(path=target / "dashboard.png", full_page=True)
    pk = Partnership.objects.get(title="Coup de pouce lecture au collège").pk
    page.goto(page.base_url + f"{ORG}/partnerships/{pk}/concerns/")
    page.screenshot(path=target / "workspace.png", full_page=True)
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    mobile.base_url = page.base_url
    sign_in(mobile)
    mobile.goto(page.base_url + f"{ORG}/partnerships/{pk}/")
    mobile.screenshot(path=target / "workspace-phone.png", full_page=False)
    width = mobile.evaluate("document.documentElement.scrollWidth")
    phone.close()
    assert width <= 390  # nothing spills sideways on a phone
    assert (target / "dashboard.png").stat().st_size > 10_000


def test_a_two_party_review_from_planning_to_closing(page, browser):
    partnership = Partnership.objects.get(title="Accueil de loisirs à la médiathèque")
    sign_in(page, "julien")
    page.goto(page.base_url + f"{ORG}/partnerships/{partnership.pk}/reviews/")
    page.click("text=Planifier une revue")
    page.fill("#review-form #id_scheduled_on", "2027-01-15")
    page.fill("#review-form #id_location", "Médiathèque, salle du conte")
    page.click("#review-form button[type=submit]")
    page.locator("#tab-panel a:has-text('15/01/2027')").click()
    page.wait_for_url("**/reviews/*/")
    review_path = page.url.replace(page.base_url, "")
    page.select_option("#rating-form #id_level", "5")
    page.click("#rating-form button[type=submit]")
    page.locator(".blind li:has-text('Centre social des Tilleuls')", has_text="5 ·").wait_for()

    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    partner = other.new_page()
    partner.base_url = page.base_url
    sign_in(partner, "paul")
    partner_path = review_path.replace("centre-social-tilleuls", "mediatheque-jean-mace")
    partner.goto(page.base_url + partner_path)
    row = partner.locator(".blind li:has-text('Centre social des Tilleuls')")
    assert "a évalué" in row.inner_text() and "5 ·" not in row.inner_text()
    partner.select_option("#rating-form #id_level", "3")
    partner.click("#rating-form button[type=submit]")
    partner.locator(".blind li:has-text('Médiathèque Jean-Macé')", has_text="3 ·").wait_for()

    page.reload()
    assert "3 ·" not in page.locator(".blind li:has-text('Médiathèque')").inner_text()
    page.click("#hold-form button")  # planned for 2027: the confirmation page asks first
    page.locator("#confirmation", has_text="la tenir maintenant").wait_for()
    page.check("#confirm-form input[name=meeting_today]")
    page.click("#confirm-form button[type=submit]")
    page.locator("#meeting .messages", has_text="La revue est tenue").wait_for()
    page.select_option("#agreed-form #id_level", "4")
    page.click("#agreed-form button")
    page.locator("#meeting .messages", has_text="Niveau convenu enregistré").wait_for()
    page.fill("#minutes-form #id_minutes", "Chacun a dit comment il vit le partenariat.")
    page.fill("#minutes-form #id_decisions", "Se revoir en avril.")
    page.click("#minutes-form button")
    page.locator("#meeting .messages", has_text="Compte rendu enregistré").wait_for()
    page.click("#close-form button")
    page.locator("#confirmation", has_text="figé définitivement").wait_for()
    page.click("#confirm-form button[type=submit]")
    page.locator("#record-title").wait_for()
    assert "Se revoir en avril." in page.locator(".record").inner_text()

    partner.reload()
    assert "3 · Consultation" in partner.locator(".blind").inner_text()
    assert partner.locator("#rating-form").count() == 0  # closed: nothing to edit
    other.close()


def test_the_last_approval_asks_first_then_brings_the_agreement_into_force(page):
    """Paul administers the médiathèque, whose approval the demo's pending agreement awaits.
    Approving cannot be undone: a confirmation page says so first, and nothing changes
    before it is confirmed."""
    sign_in(page, "paul")
    pk = Partnership.objects.get(title="Accueil de loisirs à la médiathèque").pk
    page.goto(f"{page.base_url}/o/mediatheque-jean-mace/partnerships/{pk}/agreement/")
    page.click("#tab-panel button:has-text('Approuver au nom de Médiathèque Jean-Macé')")
    page.locator("#confirmation", has_text="ne peut pas être retirée").wait_for()
    assert Agreement.objects.get(partnership_id=pk).state == "pending"
    page.click("#confirm-form button[type=submit]")
    page.locator("#tab-panel", has_text="Exemplaire signé numérisé").wait_for()
    assert Agreement.objects.get(partnership_id=pk).state == "in_force"


ENVELOPE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #eef1f5; font-family: system-ui, sans-serif; color: #1d2733; }}
.envelope {{ background: #fff; border-bottom: 1px solid #d0d7de; padding: .75rem 1.5rem; }}
.envelope p {{ margin: .2rem 0; font-size: .9rem; }}
.envelope .subject {{ font-size: 1.05rem; font-weight: 600; }}
iframe {{ display: block; width: 100%; border: 0; background: #fff; }}
</style></head><body>
<div class="envelope"><p class="subject">{subject}</p><p>{to}</p></div>
<iframe srcdoc="{message}"></iframe></body></html>"""


def test_screenshots_of_the_todo_and_the_invitation_email(page, tmp_path):
    """1000 px wide, as the README shows them (UPDATE_SCREENSHOTS=1 to refresh): camille's
    to-do, and the HTML e-mail inviting a partner not on the platform, as the service sends it."""
    target = (
        Path(settings.BASE_DIR) / "docs" / "screenshots"
        if os.environ.get("UPDATE_SCREENSHOTS")
        else tmp_path
    )
    narrow = page.context.browser.new_context(
        viewport={"width": 1000, "height": 1200}, locale="fr-FR"
    )
    shot = narrow.new_page()
    shot.base_url = page.base_url
    sign_in(shot)
    todo = shot.locator("#todo")
    assert todo.locator(".todo-item").count() >= 3  # the demo gives camille things to do
    box = todo.bounding_box()
    bottom = box["y"] + box["height"] + 16
    shot.screenshot(
        path=target / "todo.png", clip={"x": 0, "y": 0, "width": 1000, "height": bottom}
    )

    with transaction.atomic():  # the e-mail leaves once the invitation is committed
        partner_invite_by_email(
            actor=User.objects.get(username="camille"),
            acting=Organisation.objects.get(slug="centre-social-tilleuls"),
            partnership=Partnership.objects.get(title="Coup de pouce lecture au collège"),
            organisation_name="Association Lire et faire lire",
            email="contact@lire-et-faire-lire.example",
            role="partner",
        )
    (message,) = [m for m in mail.outbox if "contact@lire-et-faire-lire.example" in m.to]
    (body,) = [content for content, kind in message.alternatives if kind == "text/html"]
    shot = narrow.new_page()  # a blank page: the site's CSP would block the e-mail's styles
    shot.set_viewport_size({"width": 1000, "height": 200})
    shot.set_content(
        ENVELOPE.format(
            subject=escape(message.subject), to=escape(message.to[0]), message=escape(body)
        )
    )
    frame = "document.querySelector('iframe')"
    height = shot.evaluate(f"{frame}.contentDocument.documentElement.scrollHeight")
    shot.evaluate(f"{frame}.style.height = '{height}px'")
    shot.screenshot(path=target / "invitation-email.png", full_page=True)
    narrow.close()
    assert "Lire et faire lire" in body
