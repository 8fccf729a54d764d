from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from partnerships.models import Partnership
from tests.factories import PartyFactory

pytestmark = pytest.mark.django_db


def test_members_of_an_accepted_party_see_the_partnership(partnership, owner, viewer):
    assert list(Partnership.objects.visible_to(owner)) == [partnership]
    assert list(Partnership.objects.visible_to(viewer)) == [partnership]


def test_outsiders_and_anonymous_see_nothing(partnership, outsider):
    assert not Partnership.objects.visible_to(outsider).exists()
    assert not Partnership.objects.visible_to(AnonymousUser()).exists()


def test_an_invited_organisation_does_not_see_it_before_accepting(partnership, org_b, outsider):
    party = PartyFactory(partnership=partnership, organisation=org_b, invitation="invited")
    assert not Partnership.objects.for_organisation(org_b).exists()
    party.invitation = "accepted"
    party.save()
    assert list(Partnership.objects.visible_to(outsider)) == [partnership]


def test_a_user_with_two_organisations_sees_each_partnership_once(partnership, owner, org_c):
    from tests.factories import MembershipFactory

    MembershipFactory(user=owner, organisation=org_c)
    assert Partnership.objects.visible_to(owner).count() == 1
