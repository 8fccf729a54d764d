"""The events sent as signals (level proposals, a party leaving, requests to join an
organisation) and the withdrawal of an invitation sent by e-mail: who hears of them, once."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Notification
from organisations.signup import join_request_answer, join_request_create
from partnerships import policy
from partnerships.choices import TodoKind
from partnerships.models import LevelProposal
from partnerships.reads.todo import todo_items
from partnerships.services.partner_invitations import (
    partner_invitation_withdraw,
    partner_invite_by_email,
)
from partnerships.services.partnerships import party_leave
from partnerships.services.proposals import (
    level_proposal_confirm,
    level_proposal_refuse,
    level_propose,
)
from partnerships.signals import level_agreed, level_proposed
from tests.factories import PartyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as a request would: what it tells leaves once it is committed."""

    def run(change, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(**kwargs)

    return run


def propose(commit, owner, org_a, partnership, level=4):
    return commit(
        level_propose, actor=owner, organisation=org_a, partnership=partnership, level=level
    )


# --- The level agreed together -------------------------------------------------------------------
def test_a_proposal_asks_the_other_parties_and_its_agreement_is_told_to_all(
    commit, cast, owner, carla, org_a, org_c, partnership, told, mailed
):
    proposal = propose(commit, owner, org_a, partnership)
    # C's coordinators answer; A proposed it (its viewer and the outsider hear nothing).
    assert told("level_proposed") == {"carla", "cora"}
    assert mailed() == {"carla", "cora"}
    text = Notification.objects.filter(kind="level_proposed", recipient=carla).get().text
    assert "Concertation" in text and partnership.title in text
    # C's to-do asks for the answer, A's does not.
    kinds_c = [item.kind for item in todo_items(policy.Actor.of(carla, org_c))]
    kinds_a = [item.kind for item in todo_items(policy.Actor.of(owner, org_a))]
    assert TodoKind.ANSWER_LEVEL_PROPOSAL in kinds_c
    assert TodoKind.ANSWER_LEVEL_PROPOSAL not in kinds_a

    commit(level_proposal_confirm, actor=carla, organisation=org_c, proposal=proposal)
    assert told("level_agreed") == {"alice", "bob", "carla", "cora"}
    # The same signals again tell nobody more.
    rows, mails = Notification.objects.count(), len(mail.outbox)
    level_proposed.send(LevelProposal, proposal=proposal)
    level_agreed.send(LevelProposal, proposal=proposal)
    assert (Notification.objects.count(), len(mail.outbox)) == (rows, mails)
    assert TodoKind.ANSWER_LEVEL_PROPOSAL not in [
        item.kind for item in todo_items(policy.Actor.of(carla, org_c))
    ]
    assert Notification.objects.filter(kind="level_agreed").count() == 4


def test_a_refusal_is_told_to_the_others_with_its_reason(
    commit, cast, owner, carla, org_a, org_c, partnership, told
):
    proposal = propose(commit, owner, org_a, partnership)
    commit(
        level_proposal_refuse,
        actor=carla,
        organisation=org_c,
        proposal=proposal,
        reason="Trop tôt pour le dire",
    )
    assert told("level_refused") == {"alice", "bob"}
    assert told("level_agreed") == set()
    notification = Notification.objects.filter(kind="level_refused", recipient=owner).get()
    assert notification.params["reason"] == "Trop tôt pour le dire"


# --- A party leaving -----------------------------------------------------------------------------
def test_a_partner_leaving_is_told_to_the_remaining_parties(
    commit, cast, carla, org_c, partnership, told
):
    commit(
        party_leave,
        actor=carla,
        organisation=org_c,
        partnership=partnership,
        reason="Fin du projet",
    )
    assert told("party_left") == {"alice", "bob"}
    assert told("lead_needed") == set()  # the lead is still there


def test_when_the_lead_leaves_the_remaining_administrators_are_asked_for_a_new_lead(
    commit, cast, owner, org_a, org_b, partnership, told
):
    PartyFactory(partnership=partnership, organisation=org_b, invitation="accepted")
    commit(party_leave, actor=owner, organisation=org_a, partnership=partnership)
    assert told("party_left") == {"carla", "cora", "charlie"}
    assert told("lead_needed") == {"carla", "charlie"}  # administrators only
    url = Notification.objects.filter(kind="lead_needed", recipient__username="carla").get().url
    assert url.endswith(f"/partnerships/{partnership.pk}/lead/")


# --- Requests to join an organisation ------------------------------------------------------------
def test_a_request_to_join_is_told_to_the_administrators_then_its_answer_to_the_person(
    commit, cast, owner, outsider, org_a, told
):
    request = commit(join_request_create, actor=outsider, organisation=org_a, message="Bonjour")
    assert told("join_requested") == {"alice"}  # administrators only
    commit(join_request_answer, actor=owner, join_request=request, approve=True)
    assert told("join_answered") == {"charlie"}
    text = Notification.objects.get(kind="join_answered").text
    assert org_a.name in text


# --- An invitation by e-mail withdrawn -----------------------------------------------------------
def test_the_contact_hears_that_an_invitation_by_email_was_withdrawn(
    commit, cast, owner, org_a, partnership
):
    invitation = commit(
        partner_invite_by_email,
        actor=owner,
        acting=org_a,
        partnership=partnership,
        organisation_name="Maison des jeunes",
        email="mj@example.org",
        role="partner",
    )
    assert [m.to for m in mail.outbox] == [["mj@example.org"]]
    commit(partner_invitation_withdraw, actor=owner, acting=org_a, invitation=invitation)
    withdrawn = mail.outbox[-1]
    assert withdrawn.to == ["mj@example.org"] and len(mail.outbox) == 2
    assert partnership.title in withdrawn.subject
    assert "no longer works" in withdrawn.body or "ne fonctionne plus" in withdrawn.body
