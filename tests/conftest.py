"""The fixed cast: owner, editor and viewer of organisation A; outsider of organisation B;
carla, administrator of the partner organisation C.

A partnership of A (with partner organisation C) is shared by the tests that need one.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from partnerships.services.audit import guard_unrecorded_writes
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    UserFactory,
)


@pytest.fixture(autouse=True, scope="session")
def no_unrecorded_writes():
    """A bulk update of an audited model without its history rows fails the test that ran it."""
    with guard_unrecorded_writes():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (the token endpoint's throttle) live in the cache: none carries over."""
    cache.clear()
    yield


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Association A", slug="association-a")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Collège B", slug="college-b", kind="school")


@pytest.fixture
def org_c(db):
    return OrganisationFactory(name="Fondation C", slug="fondation-c", kind="foundation")


@pytest.fixture
def owner(org_a):
    user = UserFactory(username="alice")
    MembershipFactory(user=user, organisation=org_a, role="admin")
    return user


@pytest.fixture
def editor(org_a):
    user = UserFactory(username="bob")
    MembershipFactory(user=user, organisation=org_a, role="editor")
    return user


@pytest.fixture
def viewer(org_a):
    user = UserFactory(username="victor")
    MembershipFactory(user=user, organisation=org_a, role="viewer")
    return user


@pytest.fixture
def carla(org_c):
    """Administrator of the partner organisation C."""
    user = UserFactory(username="carla", first_name="Carla", last_name="Costa")
    MembershipFactory(user=user, organisation=org_c, role="admin")
    return user


@pytest.fixture
def outsider(org_b):
    user = UserFactory(username="charlie")
    MembershipFactory(user=user, organisation=org_b, role="admin")
    return user


@pytest.fixture
def partnership(org_a, org_c):
    partnership = PartnershipFactory(title="Lecture au collège")
    PartyFactory(partnership=partnership, organisation=org_a, role="lead")
    PartyFactory(partnership=partnership, organisation=org_c)
    return partnership


@pytest.fixture
def superuser(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)
