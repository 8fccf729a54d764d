"""Under the Content-Security-Policy, what only a browser tells: nothing the pages need is
blocked (no `securitypolicyviolation` event, no console error), htmx included."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from organisations.models import Organisation, User
from partnerships.models import Partnership
from partnerships.services.records import level_record
from tests.browser.conftest import sign_in
from tests.factories import ReviewFactory

pytestmark = pytest.mark.browser
ORG = "/o/centre-social-tilleuls"

# Runs in every page before its own scripts (Playwright injects it, outside the policy).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording policy violations and console errors on every document it loads."""
    page.add_init_script(LISTEN)
    page.console_errors = []
    page.on("console", lambda message: _record(page, message))
    return page


def _record(page, message) -> None:
    if message.type != "error":
        return
    url = message.location.get("url", "")
    if url.endswith("/favicon.ico"):  # the browser asks for one on its own; there is none
        return
    page.console_errors.append(f"{message.text} ({url})")


def violations(page) -> list[str]:
    return page.evaluate("window.__violations") + page.console_errors


def test_the_dashboard_and_an_htmx_tab_switch_break_no_rule(watched):
    page = watched
    sign_in(page)
    assert violations(page) == []
    page.goto(page.base_url + ORG + "/")
    page.locator("img").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof htmx") == "object"
    assert violations(page) == []

    pk = Partnership.objects.get(title="Coup de pouce lecture au collège").pk
    page.goto(page.base_url + f"{ORG}/partnerships/{pk}/")
    page.evaluate("window.__stillHere = true")
    page.click("#tab-panel nav a:has-text('Craintes et résistances')")
    page.wait_for_url("**/concerns/")
    page.locator(".concern").first.wait_for()
    assert page.evaluate("window.__stillHere === true")  # swapped by htmx, not reloaded
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_a_chart_opened_on_its_own_breaks_no_rule(watched):
    page = watched
    sign_in(page)
    page.goto(page.base_url + ORG + "/charts/levels.svg")
    page.wait_for_load_state("networkidle")
    # pygal's inline <script> is blocked by design (scripts stay forbidden); nothing else is.
    assert [v for v in violations(page) if "script-src" not in v] == []


def test_the_api_docs_render_under_the_policy(watched):
    page = watched
    sign_in(page)
    page.goto(page.base_url + "/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for()
    page.wait_for_load_state("networkidle")
    found = violations(page)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/partnerships/partnership/",
        "/admin/partnerships/partnership/{pk}/change/",
        "/admin/partnerships/commitment/add/",
        "/admin/axes/accessattempt/",
        "/admin/reports/concerns/",
    ],
)
def test_the_admin_works_under_the_policy(watched, path):
    page = watched
    sign_in_admin(page)
    pk = Partnership.objects.get(title="Coup de pouce lecture au collège").pk
    page.goto(page.base_url + path.format(pk=pk))
    page.wait_for_load_state("networkidle")
    found = violations(page)
    assert found == [], "\n".join(found)


def sign_in_admin(page) -> None:
    page.goto(page.base_url + "/admin/login/")  # the site's own sign-in, then back
    page.fill("#id_login", "admin")
    page.fill("#id_password", "partenariat-demo")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/admin/")


def test_holding_a_review_asks_first_then_reveals_the_ratings(watched):
    """The hold button opens the confirmation page; planned in ten days, it needs the box
    ticked; once confirmed, the partner's sealed rating shows. No rule is broken on the way."""
    page = watched
    partnership = Partnership.objects.get(title="Accueil de loisirs à la médiathèque")
    review = ReviewFactory(
        partnership=partnership, scheduled_on=timezone.localdate() + datetime.timedelta(days=10)
    )
    for username, slug, level in (
        ("camille", "centre-social-tilleuls", 5),
        ("paul", "mediatheque-jean-mace", 3),
    ):
        level_record(
            actor=User.objects.get(username=username),
            organisation=Organisation.objects.get(slug=slug),
            partnership=partnership,
            kind="perceived",
            level=level,
            review=review,
        )
    sign_in(page)
    page.goto(page.base_url + f"{ORG}/partnerships/{partnership.pk}/reviews/{review.pk}/")
    partner = page.locator(".blind li:has-text('Médiathèque Jean-Macé')")
    assert "3 ·" not in partner.inner_text()  # sealed until the review is held

    page.click("#hold-form button")
    page.locator("#confirmation", has_text="dans 10\u00a0jours").or_(
        page.locator("#confirmation", has_text="dans 10 jours")
    ).wait_for()
    assert "révélée à toutes les parties" in page.locator("#confirmation").inner_text()
    page.click("#confirm-form button[type=submit]")  # the box is required: nothing is sent
    assert page.locator("#confirmation").count() == 1
    review.refresh_from_db()
    assert review.status == "planned"

    page.check("#confirm-form input[name=meeting_today]")
    page.click("#confirm-form button[type=submit]")
    page.locator("#meeting .messages", has_text="La revue est tenue").wait_for()
    assert "3 ·" in page.locator(".blind li:has-text('Médiathèque Jean-Macé')").inner_text()
    review.refresh_from_db()
    assert review.status == "held"
    page.wait_for_load_state("networkidle")
    found = violations(page)
    assert found == [], "\n".join(found)
