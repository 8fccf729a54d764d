"""The level agreed together, outside a review: one party proposes, every other party taking
part confirms, and only then is it the agreed level; a refusal ends it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from partnerships import signals
from partnerships.exceptions import StateConflict
from partnerships.models import LevelAssessment, LevelProposal, Partnership
from partnerships.services.proposals import (
    level_proposal_confirm,
    level_proposal_refuse,
    level_propose,
)
from partnerships.services.records import level_record
from tests.factories import (
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def org_d(db):
    return OrganisationFactory(name="Mairie D", slug="mairie-d", kind="public_body")


@pytest.fixture
def dan(org_d):
    """Editor of the third party, D."""
    user = UserFactory(username="dan")
    MembershipFactory(user=user, organisation=org_d, role="editor")
    return user


@pytest.fixture
def three_parties(partnership, org_d):
    """A (lead), C and D take part."""
    PartyFactory(partnership=partnership, organisation=org_d)
    return partnership


def agreed_level(partnership) -> int | None:
    return Partnership.objects.with_levels().get(pk=partnership.pk).agreed_level


def propose(editor, org_a, partnership, level=5) -> LevelProposal:
    return level_propose(actor=editor, organisation=org_a, partnership=partnership, level=level)


# --- The rules, at the services ----------------------------------------------------------------
def test_with_two_partners_the_level_is_agreed_only_when_both_confirmed(
    editor, org_a, carla, org_c, dan, org_d, three_parties, django_capture_on_commit_callbacks
):
    proposal = propose(editor, org_a, three_parties)
    assert {a.party.organisation for a in proposal.answers.all()} == {org_c, org_d}

    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.state == "pending"
    assert agreed_level(three_parties) is None

    with django_capture_on_commit_callbacks(execute=True):
        level_proposal_confirm(actor=dan, organisation=org_d, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.state == "agreed" and proposal.decided_at is not None
    assert agreed_level(three_parties) == 5
    entry = LevelAssessment.objects.get(kind="agreed", partnership=three_parties)
    assert (entry.level, entry.author, entry.review) == (5, editor, None)
    assert proposal.assessment == entry


def test_a_refusal_ends_the_proposal_and_keeps_the_previous_level(
    editor, org_a, carla, org_c, dan, org_d, three_parties
):
    LevelAssessmentFactory(partnership=three_parties, kind="agreed", level=3)
    proposal = propose(editor, org_a, three_parties)
    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    level_proposal_refuse(actor=dan, organisation=org_d, proposal=proposal, reason="Trop tôt")
    proposal.refresh_from_db()
    assert proposal.state == "refused"
    assert agreed_level(three_parties) == 3
    refusal = proposal.answers.get(party__organisation=org_d)
    assert (refusal.state, refusal.reason, refusal.answered_by) == ("refused", "Trop tôt", dan)
    with pytest.raises(StateConflict):  # decided: nobody answers any more
        level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)


def test_outsiders_neither_propose_nor_answer(outsider, org_b, editor, org_a, partnership):
    with pytest.raises(Http404):
        propose(outsider, org_b, partnership)
    proposal = propose(editor, org_a, partnership)
    with pytest.raises(Http404):
        level_proposal_confirm(actor=outsider, organisation=org_b, proposal=proposal)
    assert LevelProposal.objects.count() == 1


def test_a_party_that_left_neither_proposes_nor_answers(
    editor, org_a, carla, org_c, dan, org_d, three_parties
):
    proposal = propose(editor, org_a, three_parties)
    gone = three_parties.parties.get(organisation=org_d)
    gone.left_on = timezone.localdate()
    gone.save()
    with pytest.raises(PermissionDenied):
        level_proposal_confirm(actor=dan, organisation=org_d, proposal=proposal)
    with pytest.raises(PermissionDenied):
        propose(dan, org_d, three_parties)


def test_viewers_neither_propose_nor_answer(viewer, org_a, carla, org_c, partnership):
    with pytest.raises(PermissionDenied):
        propose(viewer, org_a, partnership)


def test_an_answer_is_given_once_and_the_proposer_does_not_answer_its_own(
    editor, owner, org_a, carla, org_c, dan, org_d, three_parties
):
    proposal = propose(editor, org_a, three_parties)
    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    with pytest.raises(StateConflict):
        level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    with pytest.raises(StateConflict):
        level_proposal_refuse(actor=carla, organisation=org_c, proposal=proposal)
    with pytest.raises(StateConflict):
        level_proposal_confirm(actor=owner, organisation=org_a, proposal=proposal)


def test_a_new_proposal_replaces_the_pending_one(editor, org_a, carla, org_c, partnership):
    first = propose(editor, org_a, partnership, level=5)
    counter = propose(carla, org_c, partnership, level=4)
    first.refresh_from_db()
    assert (first.state, first.superseded_by) == ("superseded", counter)
    assert list(LevelProposal.objects.filter(state="pending")) == [counter]
    level_proposal_confirm(actor=editor, organisation=org_a, proposal=counter)
    assert agreed_level(partnership) == 4


def test_when_a_party_leaves_the_remaining_parties_decide(
    editor, org_a, carla, org_c, org_d, three_parties
):
    proposal = propose(editor, org_a, three_parties)
    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    gone = three_parties.parties.get(organisation=org_d)
    gone.left_on = timezone.localdate()
    gone.save()  # D never answered: C's confirmation is the last one needed
    proposal.refresh_from_db()
    assert proposal.state == "agreed"
    assert agreed_level(three_parties) == 5
    assert not proposal.answers.filter(party=gone).exists()


def test_a_party_joining_while_pending_is_asked_too(editor, org_a, carla, org_c, partnership):
    proposal = propose(editor, org_a, partnership)
    newcomer = PartyFactory(partnership=partnership, invitation="invited", joined_on=None)
    assert not proposal.answers.filter(party=newcomer).exists()  # invited is not taking part
    newcomer.invitation = "accepted"
    newcomer.joined_on = timezone.localdate()
    newcomer.save()
    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.state == "pending"  # the newcomer has not answered
    assert proposal.answers.get(party=newcomer).state == "pending"


def test_the_level_agreed_at_a_held_review_is_recorded_at_once_and_replaces_a_proposal(
    editor, org_a, partnership
):
    proposal = propose(editor, org_a, partnership, level=6)
    review = ReviewFactory(
        partnership=partnership,
        status="held",
        held_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    level_record(
        actor=editor,
        organisation=org_a,
        partnership=partnership,
        kind="agreed",
        level=4,
        review=review,
    )
    proposal.refresh_from_db()
    assert proposal.state == "superseded"
    assert agreed_level(partnership) == 4


def test_an_agreed_level_is_not_recorded_for_a_review_not_held_nor_outside_one(
    editor, org_a, partnership
):
    planned = ReviewFactory(partnership=partnership)
    for review in (planned, None):
        with pytest.raises(StateConflict):
            level_record(
                actor=editor,
                organisation=org_a,
                partnership=partnership,
                kind="agreed",
                level=4,
                review=review,
            )
    assert not LevelAssessment.objects.exists()


def test_the_signals_are_sent_after_commit_with_who_answered(
    editor, org_a, carla, org_c, partnership, django_capture_on_commit_callbacks
):
    heard = []

    def listen(signal_name):
        def receiver(sender, **kwargs):
            heard.append((signal_name, kwargs.get("party"), kwargs.get("accepted")))

        return receiver

    receivers = {
        name: listen(name) for name in ("level_proposed", "level_proposal_answered", "level_agreed")
    }
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            proposal = propose(editor, org_a, partnership)
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver)
    party_c = partnership.parties.get(organisation=org_c)
    assert heard == [
        ("level_proposed", None, None),
        ("level_proposal_answered", party_c, True),
        ("level_agreed", None, None),
    ]


# --- The pages ---------------------------------------------------------------------------------
def login(client, user) -> None:
    """Signed in with English chosen: the assertions below read the English wording."""
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)


def page(name, partnership, slug="association-a", **kwargs):
    kwargs["partnership_id"] = partnership.pk
    return reverse(f"partnerships:{name}", kwargs={"org_slug": slug, **kwargs})


def test_recording_the_agreed_level_on_the_workspace_proposes_it(client, editor, partnership):
    login(client, editor)
    response = client.post(
        page("level-add", partnership), {"kind": "agreed", "level": 5, "rationale": ""}, **HTMX
    )
    assert response.status_code == 200
    assert LevelProposal.objects.get().state == "pending"
    assert agreed_level(partnership) is None
    assert "it becomes the agreed level when every partner confirms" in response.content.decode()
    assert "Fondation C" in response.content.decode()  # who is asked


def test_the_partner_sees_the_proposal_and_confirms_it_without_javascript(
    client, editor, org_a, carla, partnership
):
    proposal = propose(editor, org_a, partnership)
    login(client, carla)
    workspace = client.get(page("workspace", partnership, "fondation-c")).content.decode()
    confirm_url = page("level-proposal-confirm", partnership, "fondation-c", pk=proposal.pk)
    assert confirm_url in workspace
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert agreed_level(partnership) == 5
    # The proposer's page shows it agreed; its own page never offered it buttons.
    login(client, editor)
    assert confirm_url.replace("fondation-c", "association-a") not in (
        client.get(page("workspace", partnership)).content.decode()
    )


def test_the_proposer_sees_who_has_confirmed_yet(
    client, editor, org_a, carla, org_c, dan, org_d, three_parties
):
    proposal = propose(editor, org_a, three_parties)
    level_proposal_confirm(actor=carla, organisation=org_c, proposal=proposal)
    login(client, editor)
    body = client.get(page("workspace", three_parties)).content.decode()
    assert "level-proposal-confirm" not in body
    answers = body.split('class="confirmations"', 1)[1]
    confirmed = answers.split("Fondation C", 1)[1].split("</li>", 1)[0]
    waiting = answers.split("Mairie D", 1)[1].split("</li>", 1)[0]
    assert "Carla" in confirmed
    assert "Confirmed" in confirmed and "Not answered yet" in waiting


def test_refusing_on_the_page_asks_first_then_keeps_the_previous_level(
    client, editor, org_a, carla, partnership
):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=3)
    proposal = propose(editor, org_a, partnership)
    login(client, carla)
    refuse_url = page("level-proposal-refuse", partnership, "fondation-c", pk=proposal.pk)
    asking = client.post(refuse_url, {"reason": "Pas encore"})
    assert asking.status_code == 200
    assert 'name="confirmed"' in asking.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == "pending"
    done = client.post(refuse_url, {"reason": "Pas encore", "confirmed": "1"})
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "refused"
    assert proposal.answers.get().reason == "Pas encore"
    assert agreed_level(partnership) == 3
    again = client.post(refuse_url, {"confirmed": "1"})
    assert again.status_code == 409


def test_the_timeline_shows_who_proposed_and_who_answered(
    client, editor, org_a, carla, org_c, partnership
):
    proposal = propose(editor, org_a, partnership)
    level_proposal_refuse(actor=carla, organisation=org_c, proposal=proposal, reason="Trop tôt")
    login(client, editor)
    body = client.get(page("tab-timeline", partnership)).content.decode()
    assert "Association A proposed Cooperation as the agreed level" in body
    assert "Fondation C refused Cooperation as the agreed level: Trop tôt" in body


# --- Perceived levels: visible at once outside a review, sealed for a review -------------------
def test_a_perceived_level_outside_a_review_is_labelled_visible_to_every_party(
    client, editor, org_a, partnership
):
    level_record(
        actor=editor, organisation=org_a, partnership=partnership, kind="perceived", level=4
    )
    login(client, editor)
    body = client.get(page("workspace", partnership)).content.decode()
    assert "(visible to every party at once)" in body
    assert "a rating for a review stays sealed until the review is held" in body


def test_a_rating_changes_until_the_review_is_held_never_after_on_the_page(
    client, editor, partnership
):
    review = ReviewFactory(partnership=partnership, scheduled_on=timezone.localdate())
    login(client, editor)
    rate = page("review-rate", partnership, review_id=review.pk)
    assert client.post(rate, {"level": 3, "wished_level": ""}).status_code == 302
    assert client.post(rate, {"level": 4, "wished_level": 5}).status_code == 302
    latest = LevelAssessment.objects.filter(review=review).latest()
    assert (latest.level, latest.wished_level) == (4, 5)
    review.status, review.held_on = "held", timezone.localdate()
    review.save()
    assert client.post(rate, {"level": 6, "wished_level": ""}).status_code == 409
    assert LevelAssessment.objects.filter(review=review).count() == 2
