"""Write rules live in services, so every path (views, API, tasks) gets the same refusals."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from partnerships.exceptions import StateConflict
from partnerships.models import Commitment, LevelAssessment, Partnership
from partnerships.services.partnerships import (
    invitation_respond,
    partnership_create,
    partnership_delete,
    partnership_update,
    party_invite,
)
from partnerships.services.records import (
    concern_check_record,
    level_record,
    record_save,
    review_save,
)
from partnerships.services.versions import StaleVersion
from tests.factories import ConcernFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_viewers_and_outsiders_cannot_create(viewer, outsider, org_a):
    with pytest.raises(PermissionDenied):
        partnership_create(actor=viewer, organisation=org_a, title="x")
    with pytest.raises(Http404):  # an outsider of the organisation is not told it exists
        partnership_create(actor=outsider, organisation=org_a, title="x")
    assert not Partnership.objects.exists()


def test_creator_is_the_accepted_first_party_and_partners_are_invited(editor, org_a, org_b):
    partnership = partnership_create(
        actor=editor, organisation=org_a, title="Forum", partners=[(org_b, "funder")]
    )
    parties = {p.organisation: (p.role, p.invitation) for p in partnership.parties.all()}
    assert parties == {org_a: ("lead", "accepted"), org_b: ("funder", "invited")}
    assert partnership.history.latest().history_user == editor


def test_update_with_the_current_version_bumps_it(editor, org_a, partnership):
    updated = partnership_update(
        actor=editor, organisation=org_a, partnership=partnership, version=1, title="Nouveau"
    )
    assert (updated.title, updated.version) == ("Nouveau", 2)


def test_update_with_a_stale_version_changes_nothing(editor, org_a, partnership):
    partnership_update(
        actor=editor, organisation=org_a, partnership=partnership, version=1, title="Premier"
    )
    with pytest.raises(StaleVersion) as error:
        partnership_update(
            actor=editor, organisation=org_a, partnership=partnership, version=1, title="Second"
        )
    assert error.value.current_version == 2
    partnership.refresh_from_db()
    assert (partnership.title, partnership.version) == ("Premier", 2)


def test_only_lead_admins_delete(owner, editor, org_a, org_c, partnership):
    with pytest.raises(PermissionDenied):
        partnership_delete(actor=editor, organisation=org_a, partnership=partnership)
    partnership_delete(actor=owner, organisation=org_a, partnership=partnership)
    assert not Partnership.objects.exists()


def test_inviting_needs_a_writer_and_answering_the_invited_admin(
    owner, editor, viewer, outsider, org_a, org_b, partnership
):
    with pytest.raises(PermissionDenied):
        party_invite(
            actor=viewer, acting=org_a, partnership=partnership, organisation=org_b, role="partner"
        )
    party = party_invite(
        actor=editor, acting=org_a, partnership=partnership, organisation=org_b, role="partner"
    )
    with pytest.raises(Http404):
        invitation_respond(actor=owner, party=party, accept=True)  # A cannot accept for B
    party = invitation_respond(actor=outsider, party=party, accept=True)
    assert party.invitation == "accepted"
    with pytest.raises(StateConflict):
        invitation_respond(actor=outsider, party=party, accept=False)


def test_a_perceived_level_is_always_the_acting_organisations_own(editor, org_a, partnership):
    assessment = level_record(
        actor=editor, organisation=org_a, partnership=partnership, kind="perceived", level=4
    )
    assert assessment.party.organisation == org_a
    assert assessment.author == editor


def test_outsiders_cannot_record_levels(outsider, org_b, partnership):
    with pytest.raises(Http404):
        level_record(
            actor=outsider, organisation=org_b, partnership=partnership, kind="agreed", level=4
        )
    assert not LevelAssessment.objects.exists()


def test_a_closed_review_refuses_new_entries_and_changes(editor, org_a, partnership):
    review = ReviewFactory(
        partnership=partnership,
        status="closed",
        held_on=datetime.date(2025, 3, 1),
        closed_at=datetime.datetime(2025, 3, 1, 18, tzinfo=datetime.UTC),
    )
    with pytest.raises(ValidationError):
        level_record(
            actor=editor,
            organisation=org_a,
            partnership=partnership,
            kind="agreed",
            level=4,
            review=review,
        )
    review.minutes = "rewritten"
    with pytest.raises(ValidationError):
        review_save(actor=editor, organisation=org_a, review=review)


def test_private_concerns_are_touched_only_by_their_organisation(editor, org_a, org_c, partnership):
    theirs = ConcernFactory(
        raised_by=partnership.parties.get(organisation=org_c), visibility="private"
    )
    with pytest.raises(Http404):  # it does not exist for the other parties
        concern_check_record(actor=editor, organisation=org_a, concern=theirs, intensity=2)
    theirs.description = "changed"
    with pytest.raises(Http404):
        record_save(actor=editor, organisation=org_a, record=theirs)


def test_a_party_that_left_no_longer_records_anything(editor, org_a, partnership):
    party = partnership.parties.get(organisation=org_a)
    party.left_on = datetime.date.today()
    party.save()
    commitment = Commitment(partnership=partnership, party=party, title="Bilan")
    with pytest.raises(PermissionDenied):
        record_save(actor=editor, organisation=org_a, record=commitment)
    assert not Commitment.objects.exists()


def test_commitment_completion_date_follows_its_status(editor, org_a, partnership):
    commitment = Commitment(
        partnership=partnership, party=partnership.parties.first(), title="Bilan", status="done"
    )
    record_save(actor=editor, organisation=org_a, record=commitment)
    assert commitment.completed_on is not None
    commitment.status = "in_progress"
    record_save(actor=editor, organisation=org_a, record=commitment)
    assert commitment.completed_on is None
