"""Organisation and membership writes: the role rules hold whatever path calls them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organisations.models import Membership
from organisations.services import (
    free_slug,
    member_invite,
    membership_remove,
    membership_update,
    organisation_create,
    organisation_update,
)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_creator_becomes_the_first_administrator(viewer):
    organisation = organisation_create(actor=viewer, name="Ludothèque", kind="association")
    assert organisation.slug == "ludotheque"
    assert Membership.objects.get(organisation=organisation).role == "admin"


def test_a_free_slug_skips_the_taken_ones(db):
    OrganisationFactory(slug="ludotheque")
    OrganisationFactory(slug="ludotheque-2")
    assert free_slug("Ludothèque") == "ludotheque-3"
    assert free_slug("!!!") == "organisation"


def test_only_administrators_update_or_manage_members(editor, viewer, org_a):
    with pytest.raises(PermissionDenied):
        organisation_update(actor=editor, organisation=org_a, name="x")
    with pytest.raises(PermissionDenied):
        member_invite(actor=editor, organisation=org_a, user=UserFactory(), role="viewer")
    membership = Membership.objects.get(user=viewer)
    with pytest.raises(PermissionDenied):
        membership_update(actor=editor, membership=membership, role="admin")


def test_the_last_administrator_stays(owner, org_a):
    membership = Membership.objects.get(user=owner)
    with pytest.raises(ValidationError):
        membership_update(actor=owner, membership=membership, role="editor")
    with pytest.raises(ValidationError):
        membership_remove(actor=owner, membership=membership)
    assert Membership.objects.get(user=owner).role == "admin"


def test_members_other_than_the_last_administrator_can_leave(owner, viewer, org_a):
    membership_remove(actor=owner, membership=Membership.objects.get(user=viewer))
    assert not Membership.objects.filter(user=viewer).exists()
