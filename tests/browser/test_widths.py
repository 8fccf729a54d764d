"""Every main page, signed in on the demo, at a phone's, a tablet's and a laptop's width:
nothing scrolls sideways, axe finds no serious violation (at 360 and 1280 px), and a
screenshot of each is kept (in a temporary folder, or in the folder LAYOUT_SCREENSHOTS names;
UPDATE_SCREENSHOTS=1 refreshes the README's pictures)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from partnerships.models import Partnership, Review
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
ORG = "/o/centre-social-tilleuls"
WIDTHS = (360, 768, 1280)


def main_pages() -> dict[str, str]:
    partnership = Partnership.objects.get(title="Coup de pouce lecture au collège")
    workspace = f"{ORG}/partnerships/{partnership.pk}/"
    review = Review.objects.filter(partnership=partnership).order_by("-scheduled_on").first()
    pages = {
        "dashboard": f"{ORG}/",
        "todo": f"{ORG}/todo/",
        "list": f"{ORG}/partnerships/",
        "workspace": workspace,
        "commitments": workspace + "commitments/",
        "concerns": workspace + "concerns/",
        "pleasures": workspace + "pleasures/",
        "reviews": workspace + "reviews/",
        "agreement": workspace + "agreement/",
        "timeline": workspace + "timeline/",
        "review-history": workspace + "reviews/history/",
        "invitations": f"{ORG}/invitations/",
        "reports": f"{ORG}/reports/",
        "report-gaps": f"{ORG}/reports/gaps/",
        "report-reviews": f"{ORG}/reports/reviews/",
        "report-concerns": f"{ORG}/reports/concerns/",
        "members": f"{ORG}/members/",
        "notifications": "/accounts/notifications/",
        "profile": "/accounts/profile/",
        "my-data": "/accounts/my-data/",
    }
    if review:
        pages["review"] = f"{workspace}reviews/{review.pk}/"
    return pages


def overflow(page) -> dict:
    """How far the page reaches beyond the window, and the widest elements that do."""
    return page.evaluate(
        """() => {
        const width = window.innerWidth;
        const culprits = [];
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.right > width + 1 && box.width > 0) {
                const name = typeof el.className === 'string' ? el.className : '';
                culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                    (name ? '.' + name.trim().split(/\\s+/).join('.') : '') +
                    ' ' + Math.round(box.right));
            }
        }
        const scroll = document.documentElement.scrollWidth;
        return {scroll: scroll, width: width, culprits: culprits.slice(0, 5)};
    }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(page, tmp_path, width):
    shots = Path(os.environ.get("LAYOUT_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    readme = Path(settings.BASE_DIR) / "docs" / "screenshots"
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page)
    wide, serious = [], []
    for name, path in main_pages().items():
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        found = overflow(page)
        if found["scroll"] > found["width"]:
            wide.append((name, found))
        if width in (360, 1280):  # axe: no serious or critical violation on a phone or laptop
            serious += [
                (name, violation["id"], [node["target"] for node in violation["nodes"]][:3])
                for violation in Axe().run(page).response["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
        page.screenshot(path=shots / f"{name}-{width}.png", full_page=True)
        if os.environ.get("UPDATE_SCREENSHOTS") and name in ("dashboard", "workspace", "review"):
            suffix = {360: "-phone", 1280: ""}.get(width)
            if suffix is not None:
                page.screenshot(path=readme / f"{name}{suffix}.png", full_page=suffix == "")
    assert wide == []
    assert serious == []


def test_the_menu_folds_on_a_phone_and_opens_with_one_tap(page):
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page)
    assert not page.locator(".main-nav").is_visible()
    page.click("#nav-menu > summary")
    assert page.locator(".main-nav").is_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(".main-nav").wait_for(state="visible")
    assert not page.locator("#nav-menu > summary").is_visible()


def test_tables_become_cards_with_their_labels_on_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page)
    partnership = Partnership.objects.get(title="Coup de pouce lecture au collège")
    page.goto(f"{page.base_url}{ORG}/partnerships/{partnership.pk}/commitments/")
    cell = page.locator("#tab-panel table tbody tr").first.locator("td").nth(1)
    assert cell.get_attribute("data-label")
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label")
    done = page.locator("#tab-panel button:has-text('Marquer comme fait')").first
    if done.count():
        box = done.bounding_box()
        assert box["x"] + box["width"] <= 360


def test_the_style_guide_shows_every_component(page, tmp_path):
    from organisations.models import User

    camille = User.objects.get(username="camille")
    camille.is_staff = True
    camille.save()
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 360:
            sign_in(page)
        page.goto(page.base_url + "/styleguide/")
        for selector in (
            ".site-header",
            "button.primary",
            "button.danger",
            ".tag.status-active",
            ".level[data-level='7']",
            ".tabs",
            ".table-wrap table",
            ".alert",
            ".empty-state",
            ".confirm-panel",
            ".errorlist",
        ):
            assert page.locator(selector).count(), selector
        assert overflow(page)["scroll"] <= width
        page.screenshot(path=tmp_path / f"styleguide-{width}.png", full_page=True)
