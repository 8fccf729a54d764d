"""Issue 19 on phones: three members of one party and two of another answer the questionnaire
on a 360 px wide screen, from the link of their invitation; the page fits the screen, and once
closed the review page shows the first party's results to it and, for the second, that too
few answered."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from partnerships.models import Answer, Respondent
from partnerships.services.questionnaires import questionnaire_close, questionnaire_open
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def phone(browser, base_url):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = base_url
    return context, page


def test_five_members_answer_on_their_phones(browser, live_server, transactional_db):
    lire = OrganisationFactory(name="Lire ensemble", slug="lire-ensemble")
    college = OrganisationFactory(name="Collège Jaurès", slug="college-jaures")
    partnership = PartnershipFactory(title="Lecture au collège")
    PartyFactory(partnership=partnership, organisation=lire, role="lead")
    PartyFactory(partnership=partnership, organisation=college)
    coordinator = UserFactory(username="coord")
    MembershipFactory(user=coordinator, organisation=lire, role="editor")
    people = []
    for org, count in ((lire, 3), (college, 2)):
        for n in range(count):
            user = UserFactory(username=f"{org.slug}-{n}")
            MembershipFactory(user=user, organisation=org, role="viewer")
            people.append((user, org))
    review = ReviewFactory(
        partnership=partnership, scheduled_on=timezone.localdate() + datetime.timedelta(days=7)
    )
    questionnaire_open(actor=coordinator, organisation=lire, review=review)

    for n, (user, _org) in enumerate(people):
        link = Notification.objects.get(recipient=user, kind="questionnaire_opened").url
        context, page = phone(browser, live_server.url)
        try:
            page.goto(live_server.url + link)  # the sign-in page first, then back here
            page.fill("#id_login", user.username)
            page.fill("#id_password", "password")
            page.click("button[type=submit].primary")
            page.wait_for_selector("#answer-form")
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"{user.username}: the answer page is wider than the phone"
            page.check(f"input[name=level][value='{3 + n % 3}']")
            page.check("input[name=pleasures][value=learning]")
            page.fill("textarea[name=topics]", f"Sujet {n}")
            page.click("#answer-form button[type=submit]")
            page.wait_for_selector("#questionnaire")
        finally:
            context.close()

    assert Respondent.objects.count() == 5
    assert Answer.objects.filter(question="level").count() == 5
    questionnaire_close(actor=coordinator, organisation=lire, review=review)

    context, page = phone(browser, live_server.url)
    try:
        user = people[0][0]
        page.goto(
            live_server.url + f"/o/{lire.slug}/partnerships/{partnership.pk}/reviews/{review.pk}/"
        )
        page.fill("#id_login", user.username)
        page.fill("#id_password", "password")
        page.click("button[type=submit].primary")
        section = page.locator("#questionnaire")
        section.wait_for()
        text = section.inner_text()
        assert "Sujet 0" in text and "Sujet 3" not in text
        assert page.locator("#questionnaire table.distribution").count() > 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
