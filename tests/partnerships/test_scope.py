"""Scope is derived from the parties' root systems and follows every change of parties."""

from __future__ import annotations

import datetime

import pytest

from partnerships.services import invitation_respond, partnership_create, party_invite
from tests.factories import OrganisationFactory, PartyFactory

pytestmark = pytest.mark.django_db


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


def test_units_of_one_system_make_an_internal_partnership(owner, library, club):
    partnership = partnership_create(
        actor=owner, organisation=library, title="Ateliers", partners=[(club, "partner")]
    )
    assert partnership.scope == "internal"


def test_a_system_and_its_own_unit_are_internal(owner, town, library):
    partnership = partnership_create(
        actor=owner, organisation=town, title="Budget", partners=[(library, "partner")]
    )
    assert partnership.scope == "internal"


def test_organisations_of_different_systems_make_an_external_partnership(owner, org_a, library):
    partnership = partnership_create(
        actor=owner, organisation=org_a, title="Lecture", partners=[(library, "partner")]
    )
    assert partnership.scope == "external"


def test_scope_follows_parties_joining_declining_and_leaving(owner, library, youth_service, org_b):
    partnership = partnership_create(
        actor=owner, organisation=library, title="Été", partners=[(youth_service, "partner")]
    )
    assert partnership.scope == "internal"

    outside = party_invite(actor=owner, partnership=partnership, organisation=org_b, role="funder")
    partnership.refresh_from_db()
    assert partnership.scope == "external"

    invitation_respond(actor=owner, party=outside, accept=False)
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


def test_scope_follows_an_organisation_moving_into_another_system(owner, org_a, library, club):
    partnership = partnership_create(
        actor=owner, organisation=org_a, title="Lecture", partners=[(club, "partner")]
    )
    assert partnership.scope == "external"

    org_a.parent = library  # org A joins the town's system, two levels above the club
    org_a.save()
    partnership.refresh_from_db()
    assert partnership.scope == "internal"


def test_a_system_moving_carries_its_units(owner, org_a, town, club):
    partnership = partnership_create(
        actor=owner, organisation=org_a, title="Sport", partners=[(club, "partner")]
    )
    town.parent = org_a
    town.save()
    partnership.refresh_from_db()
    assert partnership.scope == "internal"
