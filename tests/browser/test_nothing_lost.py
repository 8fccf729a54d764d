"""Nothing typed is lost, and irreversible steps ask first, as a browser sees it: the review's
minutes survive saving another block and a reload, the agreement's clauses typed before
"submit" are the ones submitted, holding a review asks first, leaving a page with unsaved
text warns, and a held review takes no new rating."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partnerships.models import Agreement, Commitment, Partnership, Review
from tests.browser.conftest import sign_in
from tests.factories import CommitmentFactory, ReviewFactory

pytestmark = pytest.mark.browser
ORG = "/o/centre-social-tilleuls"
TITLE = "Coup de pouce lecture au collège"


def review_page(page, review: Review) -> str:
    return f"{page.base_url}{ORG}/partnerships/{review.partnership_id}/reviews/{review.pk}/"


def hold_on_the_page(page, review: Review) -> None:
    """Julien holds a review planned for today: the confirmation page asks first (no box to
    tick on the planned day), and nothing changes until it is confirmed."""
    page.goto(review_page(page, review))
    page.click("#hold-form button")
    page.locator("#confirmation").wait_for()
    assert page.locator("#confirm-form input[name=meeting_today]").count() == 0
    assert Review.objects.get(pk=review.pk).status == "planned"
    page.click("#confirm-form button[type=submit]")
    page.locator("#minutes-form").wait_for()
    assert Review.objects.get(pk=review.pk).status == "held"


def test_minutes_typed_survive_saving_another_block_and_a_reload(page):
    review = ReviewFactory(partnership=Partnership.objects.get(title=TITLE))
    sign_in(page, "julien")
    hold_on_the_page(page, review)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))

    page.click("#minutes-form #id_minutes")
    page.keyboard.type("Chacun a dit ce qu'il attend de l'année.")
    page.click("#minutes-form #id_decisions")
    page.keyboard.type("Se revoir en juin.")
    page.select_option("#agreed-form #id_level", "4")  # another block, saved on its own
    page.click("#agreed-form button")
    page.locator("#agreed .messages").wait_for()
    page.reload()

    assert (
        page.input_value("#minutes-form #id_minutes") == "Chacun a dit ce qu'il attend de l'année."
    )
    assert page.input_value("#minutes-form #id_decisions") == "Se revoir en juin."
    review.refresh_from_db()
    assert (review.minutes, review.decisions) == (
        "Chacun a dit ce qu'il attend de l'année.",
        "Se revoir en juin.",
    )
    assert dialogs == []  # saved before leaving: nothing to warn about


def test_holding_asks_explicitly_before_the_planned_date_and_a_held_review_takes_no_rating(page):
    partnership = Partnership.objects.get(title=TITLE)
    later = ReviewFactory(
        partnership=partnership, scheduled_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    sign_in(page, "julien")
    page.goto(review_page(page, later))
    page.click("#hold-form button")
    page.locator("#confirmation").wait_for()
    page.locator("#confirm-form input[name=meeting_today]").wait_for()  # asked explicitly
    page.click("#confirm-form button[type=submit]")  # without ticking the box: not sent
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('#confirm-form').checkValidity()") is False
    assert Review.objects.get(pk=later.pk).status == "planned"
    page.click("#confirm-form a")  # cancel: back to the review, still planned
    page.locator("#hold-form").wait_for()

    today = ReviewFactory(partnership=partnership)
    hold_on_the_page(page, today)
    assert page.locator("#rating-form").count() == 0  # no rating form once held
    # A rating posted anyway (an old tab, a forged form) is refused and changes nothing.
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, level: "6"});
            const response = await fetch(url, {method: "POST", body: body});
            return response.status;
        }""",
        review_page(page, today) + "rate/",
    )
    assert status == 409
    assert not today.level_assessments.exists()


def test_clauses_typed_then_submitted_without_saving_are_the_ones_submitted(page):
    partnership = (
        Partnership.objects.filter(
            parties__organisation__slug="centre-social-tilleuls",
            parties__invitation="accepted",
            parties__left_on=None,
        )
        .exclude(agreements__state__in=["draft", "pending"])
        .order_by("pk")
        .first()
    )
    sign_in(page, "julien")
    page.goto(f"{page.base_url}{ORG}/partnerships/{partnership.pk}/agreement/")
    page.click("#tab-panel form.inline-form button")  # draft the agreement (or an amendment)
    page.locator("#agreement-form").wait_for()
    page.fill("#agreement-form #id_governance", "Un comité de pilotage chaque trimestre.")
    page.fill("#agreement-form #id_exit", "Préavis de trois mois.")
    page.click("#submit-button")  # without saving the draft first
    page.locator("#confirmation").wait_for()
    page.click("#confirm-form button[type=submit]")
    page.wait_for_url("**/agreement/")
    submitted = Agreement.objects.filter(partnership=partnership).order_by("-version").first()
    assert submitted.state == "pending"
    assert submitted.governance == "Un comité de pilotage chaque trimestre."
    assert submitted.exit == "Préavis de trois mois."


def test_leaving_a_page_with_unsaved_text_warns(page):
    partnership = Partnership.objects.get(title=TITLE)
    sign_in(page, "julien")
    page.goto(f"{page.base_url}{ORG}/partnerships/{partnership.pk}/concerns/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.click("text=Enregistrer une crainte ou une résistance")
    page.click("#concern-form #id_description")
    page.keyboard.type("Peur d'être absorbés par le collège")
    page.goto(f"{page.base_url}{ORG}/")
    assert dialogs == ["beforeunload"]


def test_a_deleted_commitment_comes_back_with_undo(page):
    partnership = Partnership.objects.get(title=TITLE)
    party = partnership.parties.get(organisation__slug="centre-social-tilleuls")
    commitment = CommitmentFactory(party=party, title="Tenir la permanence du mercredi")
    sign_in(page, "julien")
    page.goto(f"{page.base_url}{ORG}/partnerships/{partnership.pk}/commitments/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.locator(f"#commitment-{commitment.pk} form.inline-form button").last.click()  # asks
    page.locator("[data-testid=undo]").wait_for()
    assert dialogs == ["confirm"]
    assert not Commitment.objects.filter(pk=commitment.pk).exists()
    page.click("[data-testid=undo]")
    page.locator("#tab-panel", has_text=commitment.title).wait_for()
    page.wait_for_timeout(200)
    assert Commitment.objects.filter(pk=commitment.pk).exists()
