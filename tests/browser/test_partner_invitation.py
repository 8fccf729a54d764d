"""The contact of an organisation not on the platform follows the e-mail's link on a phone,
creates an account, registers the organisation and joins the partnership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import PartnerInvitation, Party
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def invitation(transactional_db):
    lead = OrganisationFactory(name="Association A", slug="association-a")
    owner = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    MembershipFactory(user=owner, organisation=lead, role="admin")
    partnership = PartnershipFactory(title="Lecture au collège")
    PartyFactory(partnership=partnership, organisation=lead, role="lead")
    return PartnerInvitation.objects.create(
        partnership=partnership,
        organisation_name="Centre social des Tilleuls",
        email="contact@tilleuls.example",
        invited_by=owner,
        inviting_organisation=lead,
        expires_at=timezone.now() + timedelta(days=30),
    )


def test_the_invited_contact_signs_up_registers_and_joins_on_a_phone(
    browser, live_server, invitation
):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        link = reverse("partner-invitation", kwargs={"invitation_token": invitation.token})
        page.goto(live_server.url + link)
        assert "Lecture au collège" in page.inner_text("h1")
        page.fill("#id_username", "tina")
        page.fill("#id_first_name", "Tina")
        page.fill("#id_last_name", "Tilleul")
        page.fill("#id_password1", "a-long-Passphrase-42")
        page.fill("#id_password2", "a-long-Passphrase-42")
        page.click("#account-form button[type=submit]")
        page.wait_for_selector("#answer-form")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        assert page.input_value("#id_new-name") == "Centre social des Tilleuls"
        page.select_option("#id_new-kind", "association")
        page.click("button[name=answer][value=accept]")
        page.wait_for_url("**/o/**/partnerships/**")
        party = Party.objects.get(partnership=invitation.partnership, role="partner")
        assert party.invitation == "accepted"
        assert party.organisation.name == "Centre social des Tilleuls"
    finally:
        context.close()
