"""Scope is derived from the parties' root systems and follows every change of parties."""

from __future__ import annotations

import datetime

import pytest

from partnerships.services.partnerships import invitation_respond, partnership_create, party_invite
from tests.factories import MembershipFactory, OrganisationFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator")


def create(coordinator, organisation, partners, title="Ateliers"):
    """``coordinator`` creates a partnership as an admin of ``organisation``."""
    MembershipFactory(user=coordinator, organisation=organisation, role="admin")
    return partnership_create(
        actor=coordinator, organisation=organisation, title=title, partners=partners
    )


@pytest.fixture
def town():
    return OrganisationFactory(name="Ville", kind="public_body")


@pytest.fixture
def library(town):
    return OrganisationFactory(name="Médiathèque", parent=town)


@pytest.fixture
def youth_service(town):
    return OrganisationFactory(name="Service jeunesse", parent=town)


@pytest.fixture
def club(youth_service):
    """A unit of a unit: its root system is still the town."""
    return OrganisationFactory(name="Club ados", parent=youth_service)


def test_units_of_one_system_make_an_internal_partnership(coordinator, library, club):
    assert create(coordinator, library, [(club, "partner")]).scope == "internal"


def test_a_system_and_its_own_unit_are_internal(coordinator, town, library):
    assert create(coordinator, town, [(library, "partner")]).scope == "internal"


def test_organisations_of_different_systems_are_external(coordinator, org_a, library):
    assert create(coordinator, org_a, [(library, "partner")]).scope == "external"


def test_scope_follows_parties_joining_declining_and_leaving(
    coordinator, outsider, library, youth_service, org_b
):
    partnership = create(coordinator, library, [(youth_service, "partner")])
    assert partnership.scope == "internal"

    outside = party_invite(
        actor=coordinator,
        acting=library,
        partnership=partnership,
        organisation=org_b,
        role="funder",
    )
    partnership.refresh_from_db()
    assert partnership.scope == "external"

    invitation_respond(actor=outsider, party=outside, accept=False)
    partnership.refresh_from_db()
    assert partnership.scope == "internal"

    joined = PartyFactory(partnership=partnership, organisation=OrganisationFactory())
    partnership.refresh_from_db()
    assert partnership.scope == "external"

    joined.left_on = joined.joined_on + datetime.timedelta(days=30)
    joined.save()
    partnership.refresh_from_db()
    assert partnership.scope == "internal"

    PartyFactory(partnership=partnership, organisation=OrganisationFactory()).delete()
    partnership.refresh_from_db()
    assert partnership.scope == "internal"


def test_scope_follows_an_organisation_moving_into_another_system(
    coordinator, org_a, library, club
):
    partnership = create(coordinator, org_a, [(club, "partner")])
    assert partnership.scope == "external"

    org_a.parent = library  # org A joins the town's system, two levels above the club
    org_a.save()
    partnership.refresh_from_db()
    assert partnership.scope == "internal"


def test_a_system_moving_carries_its_units(coordinator, org_a, town, club):
    partnership = create(coordinator, org_a, [(club, "partner")])
    town.parent = org_a
    town.save()
    partnership.refresh_from_db()
    assert partnership.scope == "internal"
