"""The policy layer on its own: party states, who acts, who sees, and the order of refusals
(404 before 403 before 409). Pages and API are checked against the same rules by
tests/policy/test_parity_matrix.py."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from partnerships import policy
from partnerships.choices import Invitation, ReviewStatus
from partnerships.exceptions import NotVisible, ReviewFrozen, StateConflict
from partnerships.models import Concern, LevelAssessment, Partnership
from tests.factories import (
    CommitmentFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ResponsibilityFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def party_of(partnership, organisation):
    return partnership.parties.get(organisation=organisation)


def leave(partnership, organisation):
    party = party_of(partnership, organisation)
    party.left_on = timezone.localdate()
    party.save()
    return party


def actor(user, organisation):
    return policy.Actor.of(user, organisation)


def closed_review(partnership):
    return ReviewFactory(
        partnership=partnership,
        status=ReviewStatus.CLOSED,
        held_on=timezone.localdate(),
        closed_at=timezone.now(),
    )


# --- Party states ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("invitation", "left", "state"),
    [
        (Invitation.INVITED, False, "invited"),
        (Invitation.ACCEPTED, False, "accepted"),
        (Invitation.DECLINED, False, "declined"),
        (Invitation.ACCEPTED, True, "left"),
    ],
)
def test_party_state_reads_the_invitation_and_the_date_it_left(invitation, left, state):
    party = PartyFactory(invitation=invitation, left_on=timezone.localdate() if left else None)
    assert policy.party_state(party) == state


def test_an_organisation_that_is_no_party_has_no_state():
    assert policy.party_state(None) is None


# --- The order of refusals -------------------------------------------------------------------
def test_an_outsider_is_not_told_the_partnership_exists(outsider, org_b, partnership):
    with pytest.raises(NotVisible):
        policy.require_writer(actor(outsider, org_b), partnership)


@pytest.mark.parametrize("invitation", [Invitation.INVITED, Invitation.DECLINED])
def test_an_organisation_only_invited_or_that_declined_gets_404(invitation, partnership):
    organisation = OrganisationFactory()
    PartyFactory(partnership=partnership, organisation=organisation, invitation=invitation)
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=organisation, role="admin")
    with pytest.raises(NotVisible):
        policy.require_reader(actor(admin, organisation), partnership)


def test_an_inactive_organisation_is_refused_like_an_outsider(owner, org_a, partnership):
    org_a.active = False
    org_a.save()
    with pytest.raises(NotVisible):
        policy.require_reader(actor(owner, org_a), partnership)


def test_a_party_that_left_reads_but_gets_403_on_every_write(owner, org_a, partnership):
    leave(partnership, org_a)
    policy.require_reader(actor(owner, org_a), partnership)
    for require in (
        policy.require_writer,
        policy.require_party_admin,
        policy.require_may_delete_partnership,
    ):
        with pytest.raises(PermissionDenied):
            require(actor(owner, org_a), partnership)


def test_a_viewer_gets_403_on_a_write(viewer, org_a, partnership):
    with pytest.raises(PermissionDenied):
        policy.require_writer(actor(viewer, org_a), partnership)


def test_an_editor_writes_but_does_not_decide(editor, org_a, partnership):
    policy.require_writer(actor(editor, org_a), partnership)
    with pytest.raises(PermissionDenied):
        policy.require_party_admin(actor(editor, org_a), partnership)


def test_only_the_leads_administrators_delete(owner, org_a, org_c, partnership):
    policy.require_may_delete_partnership(actor(owner, org_a), partnership)
    admin_of_c = UserFactory()
    MembershipFactory(user=admin_of_c, organisation=org_c, role="admin")
    with pytest.raises(PermissionDenied):
        policy.require_may_delete_partnership(actor(admin_of_c, org_c), partnership)


def test_a_partnership_whose_agreement_was_approved_is_not_deleted(owner, org_a, partnership):
    from tests.factories import AgreementFactory

    AgreementFactory(partnership=partnership, state="in_force", in_force_at=timezone.now())
    with pytest.raises(StateConflict):
        policy.require_may_delete_partnership(actor(owner, org_a), partnership)


def test_an_invitation_is_answered_once_by_the_invited_administrators(partnership):
    organisation = OrganisationFactory()
    party = PartyFactory(
        partnership=partnership, organisation=organisation, invitation=Invitation.INVITED
    )
    admin, editor = UserFactory(), UserFactory()
    MembershipFactory(user=admin, organisation=organisation, role="admin")
    MembershipFactory(user=editor, organisation=organisation, role="editor")
    policy.require_invitation_answerer(actor(admin, organisation), party)
    with pytest.raises(PermissionDenied):
        policy.require_invitation_answerer(actor(editor, organisation), party)
    party.invitation = Invitation.ACCEPTED
    with pytest.raises(StateConflict):
        policy.require_invitation_answerer(actor(admin, organisation), party)


# --- Objects' states -------------------------------------------------------------------------
def test_a_closed_review_takes_nothing_new(partnership):
    with pytest.raises(ReviewFrozen):
        policy.require_review_open(closed_review(partnership))


def test_a_held_review_takes_no_more_ratings(partnership):
    held = ReviewFactory(
        partnership=partnership, status=ReviewStatus.HELD, held_on=timezone.localdate()
    )
    policy.require_review_open(held)
    with pytest.raises(StateConflict):
        policy.require_rating_open(held)


def test_a_record_agreed_at_a_closed_review_stays_linked_to_it(partnership):
    closed, planned = closed_review(partnership), ReviewFactory(partnership=partnership)
    policy.require_review_link(closed, closed)  # unchanged: the record moves on
    policy.require_review_link(None, planned)
    with pytest.raises(ReviewFrozen):
        policy.require_review_link(closed, planned)
    with pytest.raises(ReviewFrozen):
        policy.require_review_link(None, closed)


def test_deleting_is_decided_per_record_type(partnership, org_a):
    party = party_of(partnership, org_a)
    policy.require_deletable(ResponsibilityFactory(party=party))
    policy.require_deletable(CommitmentFactory(party=party))
    with pytest.raises(PermissionDenied):
        policy.require_deletable(ConcernFactory(raised_by=party))
    with pytest.raises(StateConflict):
        policy.require_deletable(CommitmentFactory(party=party, review=closed_review(partnership)))


# --- Choice lists ----------------------------------------------------------------------------
def test_records_name_only_parties_taking_part(partnership, org_a, org_c):
    PartyFactory(partnership=partnership, invitation=Invitation.INVITED)
    leave(partnership, org_c)
    assert list(policy.nameable_parties(partnership)) == [party_of(partnership, org_a)]


def test_attendees_are_members_of_parties_taking_part(owner, outsider, org_c, partnership):
    member_of_c = UserFactory()
    MembershipFactory(user=member_of_c, organisation=org_c)
    assert set(policy.attendee_candidates(partnership)) == {owner, member_of_c}
    leave(partnership, org_c)
    assert set(policy.attendee_candidates(partnership)) == {owner}


# --- Visibility ------------------------------------------------------------------------------
def test_a_user_reads_only_through_active_organisations(owner, org_a, partnership):
    assert list(Partnership.objects.visible_to(owner)) == [partnership]
    org_a.active = False
    org_a.save()
    assert not Partnership.objects.visible_to(owner).exists()


def test_a_party_that_left_still_reads_the_record(owner, org_a, partnership):
    leave(partnership, org_a)
    assert list(Partnership.objects.for_organisation(org_a)) == [partnership]


def test_a_private_concern_is_seen_only_by_the_organisation_that_raised_it(
    owner, org_a, org_c, partnership
):
    ConcernFactory(raised_by=party_of(partnership, org_c), visibility="private")
    assert not Concern.objects.visible_to(owner).exists()
    assert Concern.objects.visible_to(org_c).count() == 1
    assert Concern.objects.visible_to(policy.Viewer.platform_staff()).count() == 1


def test_a_sealed_rating_is_seen_only_by_its_party_until_the_review_is_held(
    owner, org_a, org_c, partnership
):
    review = ReviewFactory(partnership=partnership, scheduled_on=datetime.date(2026, 6, 1))
    LevelAssessmentFactory(
        partnership=partnership,
        kind="perceived",
        party=party_of(partnership, org_c),
        review=review,
    )
    assert not LevelAssessment.objects.visible_to(owner).exists()
    assert LevelAssessment.objects.visible_to(org_c).count() == 1


def test_templates_get_decisions_not_roles(editor, viewer, org_a, partnership):
    may = policy.permissions_for(actor(editor, org_a), partnership)
    assert (may.read, may.write, may.invite, may.decide, may.delete) == (
        True,
        True,
        True,
        False,
        False,
    )
    assert not policy.permissions_for(actor(viewer, org_a), partnership).write
    leave(partnership, org_a)
    may = policy.permissions_for(actor(editor, org_a), partnership)
    assert may.read and may.has_left and not may.write
