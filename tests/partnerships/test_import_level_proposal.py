"""An imported level becomes a proposal for the agreed level once a partner accepts, whichever
way it accepts (a party invitation, an e-mail invitation); the partner must still confirm."""

from __future__ import annotations

import pytest

from partnerships.choices import AssessmentKind, ProposalState
from partnerships.models import LevelAssessment, LevelProposal, PartnerInvitation, Partnership
from partnerships.services import imports
from partnerships.services.partner_invitations import partner_invitation_accept
from partnerships.services.partnerships import invitation_respond
from partnerships.services.proposals import level_proposal_confirm, level_propose
from tests.partnerships.test_imports import csv_bytes, start

pytestmark = pytest.mark.django_db

HEADERS = ["Intitulé", "Partenaires", "Courriel", "Niveau"]


def imported(owner, org_a, row, django_capture_on_commit_callbacks) -> Partnership:
    job = start(owner, org_a, csv_bytes([HEADERS, row]), "partenaires.csv")
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=owner, job=job)
    return Partnership.objects.get(title=row[0])


def test_a_partner_on_the_platform_accepting_is_asked_to_confirm_the_imported_level(
    owner, org_a, org_c, carla, django_capture_on_commit_callbacks
):
    partnership = imported(
        owner, org_a, ["Fête", "Fondation C", "", "coopération"], django_capture_on_commit_callbacks
    )
    lead = partnership.parties.get(organisation=org_a)
    assert (lead.level_to_propose, lead.level_to_propose_by) == (5, owner)
    assert not LevelProposal.objects.exists()  # nobody to ask yet: nothing agreed alone

    party = partnership.parties.get(organisation=org_c)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_respond(actor=carla, party=party, accept=True)

    proposal = LevelProposal.objects.get(partnership=partnership)
    assert (proposal.level, proposal.state, proposal.author) == (5, ProposalState.PENDING, owner)
    assert proposal.proposed_by == lead
    assert list(proposal.answers.values_list("party__organisation", flat=True)) == [org_c.pk]
    assert not LevelAssessment.objects.filter(kind=AssessmentKind.AGREED).exists()
    lead.refresh_from_db()
    assert lead.level_to_propose is None  # proposed once

    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    agreed = LevelAssessment.objects.get(partnership=partnership, kind=AssessmentKind.AGREED)
    assert agreed.level == 5


def test_a_partner_invited_by_e_mail_accepting_is_asked_to_confirm_the_imported_level(
    owner, org_a, org_c, carla, django_capture_on_commit_callbacks
):
    partnership = imported(
        owner,
        org_a,
        ["Atelier vélo", "Garage solidaire", "garage@example.org", "3"],
        django_capture_on_commit_callbacks,
    )
    invitation = PartnerInvitation.objects.get(partnership=partnership)
    with django_capture_on_commit_callbacks(execute=True):
        partner_invitation_accept(user=carla, invitation=invitation, organisation=org_c)

    proposal = LevelProposal.objects.get(partnership=partnership)
    assert (proposal.level, proposal.state) == (3, ProposalState.PENDING)
    assert proposal.answers.get().party.organisation == org_c
    assert not LevelAssessment.objects.filter(kind=AssessmentKind.AGREED).exists()


def test_no_proposal_when_a_level_is_already_proposed_or_agreed(
    owner, org_a, org_c, carla, django_capture_on_commit_callbacks
):
    partnership = imported(
        owner, org_a, ["Fête", "Fondation C", "", "coopération"], django_capture_on_commit_callbacks
    )
    # Alone, the lead's own proposal is agreed at once (nobody else to ask).
    level_propose(actor=owner, organisation=org_a, partnership=partnership, level=2)
    assert LevelAssessment.objects.filter(partnership=partnership, kind="agreed").count() == 1
    party = partnership.parties.get(organisation=org_c)
    invitation_respond(actor=carla, party=party, accept=True)
    assert not LevelProposal.objects.filter(state=ProposalState.PENDING).exists()
    assert partnership.parties.get(organisation=org_a).level_to_propose is None


def test_an_importer_who_may_no_longer_write_proposes_nothing(
    owner, org_a, org_c, carla, django_capture_on_commit_callbacks
):
    partnership = imported(
        owner, org_a, ["Fête", "Fondation C", "", "coopération"], django_capture_on_commit_callbacks
    )
    membership = owner.memberships.get(organisation=org_a)
    membership.role = "viewer"
    membership.save()
    party = partnership.parties.get(organisation=org_c)
    invitation_respond(actor=carla, party=party, accept=True)
    assert not LevelProposal.objects.exists()
