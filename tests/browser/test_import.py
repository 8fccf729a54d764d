"""Importing a spreadsheet on a phone (360 px): upload a CSV, map its columns, read the
preview, confirm, and find the partnerships in the list; no page scrolls sideways."""

from __future__ import annotations

import pytest

from partnerships.models import PartnerInvitation, Partnership
from tests.browser.conftest import sign_in
from tests.browser.test_widths import overflow

pytestmark = pytest.mark.browser
ORG = "/o/centre-social-tilleuls"

CSV = "\n".join(
    [
        "Nom du projet;Partenaires;Courriel;Début",
        "Jardin partagé de la rue Haute;mediatheque jean mace;;01/09/2025",
        "Atelier vélo solidaire;Garage solidaire;garage@example.org;2025-04-01",
    ]
).encode("cp1252")


def fits(page) -> None:
    measured = overflow(page)
    assert measured["scroll"] <= measured["width"], (page.url, measured["culprits"])


def test_import_a_spreadsheet_on_a_phone(page):
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page)
    page.goto(page.base_url + f"{ORG}/partnerships/import/")
    fits(page)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "partenaires.csv", "mimeType": "text/csv", "buffer": CSV}],
    )
    page.click("main form button[type=submit].primary")
    page.wait_for_url("**/partnerships/import/*/")
    fits(page)

    # "Nom du projet" is not a title the import knows: the person says what it means.
    assert page.locator("#id_column_0").input_value() == "ignore"
    page.select_option("#id_column_0", "title")
    page.click("#mapping-title ~ form button[type=submit]")
    page.wait_for_load_state()
    preview = page.locator("section[aria-labelledby=preview-title]")
    assert preview.get_by_text("Jardin partagé de la rue Haute").is_visible()
    assert preview.get_by_text("garage@example.org", exact=False).is_visible()
    fits(page)
    assert Partnership.objects.filter(title__startswith="Atelier vélo").count() == 0

    page.click("section[aria-labelledby=confirm-title] button[type=submit].primary")
    page.wait_for_selector("#result-title")
    fits(page)
    assert PartnerInvitation.objects.filter(email="garage@example.org").count() == 1

    page.click(f"#import-status a[href='{ORG}/partnerships/']")
    page.wait_for_url(f"**{ORG}/partnerships/")
    assert page.get_by_text("Jardin partagé de la rue Haute").first.is_visible()
    assert page.get_by_text("Atelier vélo solidaire").first.is_visible()
    fits(page)
