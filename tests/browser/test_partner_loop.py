"""The whole loop, in two browsers: a coordinator signs up, registers an organisation and
invites a partner not on the platform by e-mail; the partner's contact follows the e-mail's
link, signs up, registers the organisation and accepts; both see the partnership, their to-do
and their notifications; an agreement is drafted, submitted and approved by both parties, the
partner opening it from the notification."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from notifications.models import Notification
from partnerships.models import Agreement, Party

pytestmark = pytest.mark.browser

PASSWORD = "a-long-Passphrase-42"


def link_in(message, path: str) -> str:
    """The path of the message's link to ``path`` (e-mails sent outside a request name the
    configured site, not the live server)."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s>)]*)", message.body)
    assert found, message.body
    return found.group(1)


def new_page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = base_url
    return context, page


def test_from_sign_up_to_an_agreement_in_force(browser, live_server, transactional_db):
    coordinator_context, coordinator = new_page(browser, live_server.url)
    partner_context, partner = new_page(browser, live_server.url)
    try:
        # 1. The coordinator signs up, verifies the address, registers the organisation.
        coordinator.goto(live_server.url + "/accounts/signup/")
        coordinator.fill("#id_email", "anna@lecture.example")
        coordinator.fill("#id_username", "anna")
        coordinator.fill("#id_password1", PASSWORD)
        coordinator.fill("#id_password2", PASSWORD)
        coordinator.click("main form button[type=submit]")
        coordinator.wait_for_url("**/confirm-email/**")
        (verification,) = [m for m in mail.outbox if "anna@lecture.example" in m.to]
        coordinator.goto(live_server.url + link_in(verification, "/accounts/confirm-email/"))
        coordinator.click("main form button[type=submit]")
        coordinator.wait_for_url("**/accounts/login/**")
        coordinator.fill("#id_login", "anna")
        coordinator.fill("#id_password", PASSWORD)
        coordinator.click("button[type=submit].primary")
        coordinator.click("a[href='/accounts/organisations/new/']")
        coordinator.fill("#id_name", "Lire ensemble")
        coordinator.select_option("#id_kind", "association")
        coordinator.select_option("#id_size_band", index=1)
        coordinator.click("form button[type=submit].primary")
        coordinator.wait_for_url("**/o/lire-ensemble/")

        # ... and creates a partnership, inviting a partner not on the platform by e-mail.
        coordinator.goto(live_server.url + "/o/lire-ensemble/partnerships/new/")
        coordinator.fill("#id_title", "Lecture au collège")
        coordinator.fill("#id_purpose", "Des lectures à voix haute chaque semaine.")
        coordinator.fill("#id_partners-0-organisation_name", "Collège Jean-Moulin")
        coordinator.fill("#id_partners-0-email", "direction@college.example")
        coordinator.click("form button[type=submit].primary")
        coordinator.wait_for_url("**/partnerships/*/")
        workspace = coordinator.url

        # 2. The partner's contact follows the e-mail's link, signs up, registers, accepts.
        (invitation,) = [m for m in mail.outbox if "direction@college.example" in m.to]
        partner.goto(live_server.url + link_in(invitation, "/accounts/partner-invitations/"))
        assert "Lecture au collège" in partner.inner_text("h1")
        partner.fill("#id_username", "bruno")
        partner.fill("#id_first_name", "Bruno")
        partner.fill("#id_last_name", "Moulin")
        partner.fill("#id_password1", PASSWORD)
        partner.fill("#id_password2", PASSWORD)
        partner.click("#account-form button[type=submit]")
        partner.wait_for_selector("#answer-form")
        assert partner.input_value("#id_new-name") == "Collège Jean-Moulin"
        partner.select_option("#id_new-kind", "school")
        partner.click("button[name=answer][value=accept]")
        partner.wait_for_url("**/o/**/partnerships/*/")
        party = Party.objects.get(role="partner")
        assert party.invitation == "accepted"
        partner_org = party.organisation.slug

        # 3. Both see the partnership; the coordinator is told the invitation was accepted.
        coordinator.goto(workspace)
        assert "Collège Jean-Moulin" in coordinator.inner_text("main")
        partner.goto(live_server.url + f"/o/{partner_org}/partnerships/")
        assert "Lecture au collège" in partner.inner_text("main")
        coordinator.goto(live_server.url + "/accounts/notifications/")
        accepted = Notification.objects.get(recipient__username="anna")
        assert accepted.kind == "invitation_accepted"
        assert "Collège Jean-Moulin" in coordinator.inner_text(".notification-list")

        # 4. The coordinator drafts the agreement and submits it, after confirming.
        coordinator.goto(workspace + "agreement/")
        coordinator.click("#tab-panel form.inline-form button")  # "Draft the agreement"
        coordinator.wait_for_selector("#agreement-form")
        coordinator.click("#submit-button")
        coordinator.wait_for_selector("#confirmation")
        assert Agreement.objects.get().state == "draft"  # nothing before confirming
        coordinator.click("#confirm-form button[type=submit]")
        coordinator.wait_for_selector("#approve-form")
        agreement = Agreement.objects.get()
        assert agreement.state == "pending"

        # Each party's to-do asks it to decide (the submitting party approves too).
        for page, slug in ((coordinator, "lire-ensemble"), (partner, partner_org)):
            page.goto(live_server.url + f"/o/{slug}/")
            assert page.locator("#todo .todo-approve_agreement").count() == 1

        # The partner opens the notification from the list and approves from there.
        submitted = Notification.objects.get(
            recipient__username="bruno", kind="agreement_submitted"
        )
        partner.goto(live_server.url + "/accounts/notifications/")
        partner.click(f".notification-list a[href='/accounts/notifications/{submitted.pk}/']")
        partner.wait_for_url(f"**/o/{partner_org}/partnerships/*/agreement/")
        partner.click("#approve-form button")
        partner.wait_for_selector("#confirmation")
        partner.click("#confirm-form button[type=submit]")
        partner.wait_for_selector("#tab-panel .decisions")
        agreement.refresh_from_db()
        assert agreement.state == "pending"  # the coordinator's organisation has not approved

        # The coordinator follows the to-do and approves last: the version comes into force.
        coordinator.reload()
        coordinator.click("#todo .todo-approve_agreement a")
        coordinator.click("#approve-form button")
        coordinator.wait_for_selector("#confirmation")
        coordinator.click("#confirm-form button[type=submit]")
        coordinator.wait_for_selector("#tab-panel")
        agreement.refresh_from_db()
        assert agreement.state == "in_force"
        assert coordinator.locator("#approve-form").count() == 0
        assert Notification.objects.filter(
            recipient__username="bruno", kind="agreement_in_force"
        ).exists()
    finally:
        coordinator_context.close()
        partner_context.close()
