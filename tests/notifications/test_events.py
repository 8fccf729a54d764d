"""Each kind of notification: told once, after the change is committed, to the right people
only (asked of the policy: parties taking part, readers of a concern), never to the person who
acted, and never to an organisation that may not see the object."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications import events
from notifications.models import Notification
from notifications.tasks import send_notification_emails
from partnerships.models import Agreement, Commitment, Concern, Party, Review
from partnerships.services.agreements import agreement_approve, agreement_refuse, agreement_submit
from partnerships.services.partnerships import invitation_respond, party_invite
from partnerships.services.questionnaires import questionnaire_open
from partnerships.services.records import record_save, review_save
from partnerships.services.reviews import review_cancel, review_close, review_hold
from tests.factories import AgreementFactory, PartyFactory

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + datetime.timedelta(days=20)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as a request would: its e-mails leave once it is committed."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def plan(commit, actor, organisation, partnership) -> Review:
    review = Review(partnership=partnership, scheduled_on=SOON)
    return commit(review_save, actor=actor, organisation=organisation, review=review)


def resend_everything() -> int:
    keys = set(Notification.objects.values_list("event_key", flat=True))
    return sum(send_notification_emails(key) for key in keys)


# --- Invitations -------------------------------------------------------------------------------
def test_an_invited_organisations_administrators_are_told_once(
    commit, cast, owner, org_a, org_b, outsider, partnership, told, mailed, mailoutbox
):
    party = commit(
        party_invite,
        actor=owner,
        acting=org_a,
        partnership=partnership,
        organisation=org_b,
        role="partner",
    )
    assert told("party_invited") == {"charlie"}
    assert mailed() == {"charlie"}
    notification = Notification.objects.get(kind="party_invited")
    assert notification.url == f"/o/{org_b.slug}/invitations/"
    assert notification.organisation == org_b
    # The same event again, and the task run again: nothing more.
    commit(events.party_invited, party, acting=org_a, actor=owner)
    assert resend_everything() == 0
    assert len(mailoutbox) == 1 and Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("accept", "kind"), [(True, "invitation_accepted"), (False, "invitation_declined")]
)
def test_the_answer_to_an_invitation_is_told_to_the_parties_taking_part(
    commit, cast, outsider, invited_b, told, mailed, accept, kind
):
    commit(invitation_respond, actor=outsider, party=invited_b, accept=accept)
    # Coordinators of A and C; not A's viewer, not the one who answered.
    assert told(kind) == {"alice", "bob", "carla", "cora"}
    assert mailed() == {"alice", "bob", "carla", "cora"}


# --- Agreements --------------------------------------------------------------------------------
def test_a_submitted_version_is_told_to_the_administrators_whose_approval_is_needed(
    commit, cast, editor, org_a, partnership, invited_b, told
):
    agreement = AgreementFactory(partnership=partnership)
    commit(agreement_submit, actor=editor, organisation=org_a, agreement=agreement)
    assert told("agreement_submitted") == {"alice", "carla"}  # administrators only; B is invited
    mine = Notification.objects.get(kind="agreement_submitted", recipient__username="carla")
    assert "Fondation C" in mine.text and mine.url.startswith("/o/fondation-c/")


def test_a_refusal_is_told_with_its_reason(
    commit, cast, editor, carla, org_a, org_c, partnership, invited_b, told, mailoutbox
):
    agreement = AgreementFactory(partnership=partnership)
    commit(agreement_submit, actor=editor, organisation=org_a, agreement=agreement)
    mailoutbox.clear()
    commit(
        agreement_refuse,
        actor=carla,
        organisation=org_c,
        agreement=agreement,
        reason="Les horaires du mercredi ne conviennent pas.",
    )
    assert told("agreement_refused") == {"alice", "bob", "cora"}
    assert all("Les horaires du mercredi" in message.body for message in mailoutbox)


def test_a_version_in_force_is_told_to_every_party_taking_part(
    commit, cast, owner, carla, org_a, org_c, partnership, invited_b, told
):
    agreement = AgreementFactory(partnership=partnership)
    commit(agreement_submit, actor=owner, organisation=org_a, agreement=agreement)
    commit(agreement_approve, actor=owner, organisation=org_a, agreement=agreement)
    assert told("agreement_in_force") == set()
    commit(agreement_approve, actor=carla, organisation=org_c, agreement=agreement)
    assert told("agreement_in_force") == {"alice", "bob", "cora"}


# --- Reviews -----------------------------------------------------------------------------------
def test_a_planned_review_comes_with_its_calendar_file_and_asks_each_party_to_rate(
    commit, cast, editor, org_a, partnership, invited_b, told, mailoutbox
):
    review = plan(commit, editor, org_a, partnership)
    assert told("review_planned") == {"alice", "carla", "cora"}  # never B, only invited
    assert told("rating_requested") == {"alice", "carla", "cora"}
    planned = [m for m in mailoutbox if m.attachments]
    assert len(planned) == 3
    filename, content, mimetype = planned[0].attachments[0]
    assert filename == f"review-{review.pk}.ics" and mimetype.startswith("text/calendar")
    assert "METHOD:PUBLISH" in content and f"UID:review-{review.pk}@partenariats" in content
    rating = Notification.objects.get(kind="rating_requested", recipient__username="carla")
    assert "Fondation C" in rating.text


def test_a_review_moved_then_cancelled_is_told_each_time_once(
    commit, cast, editor, org_a, partnership, told, mailoutbox
):
    review = plan(commit, editor, org_a, partnership)
    review.scheduled_on = SOON + datetime.timedelta(days=7)
    commit(review_save, actor=editor, organisation=org_a, review=review)
    assert told("review_moved") == {"alice", "carla", "cora"}
    review.location = "Salle des fêtes"  # not a move: nothing told
    commit(review_save, actor=editor, organisation=org_a, review=review)
    assert Notification.objects.filter(kind="review_moved").count() == 3
    mailoutbox.clear()
    commit(review_cancel, actor=editor, organisation=org_a, review=review, reason="Grève")
    assert told("review_cancelled") == {"alice", "carla", "cora"}
    assert "METHOD:CANCEL" in mailoutbox[0].attachments[0][1]
    assert "Grève" in mailoutbox[0].body


def test_a_held_then_closed_review_is_told_to_the_parties_taking_part(
    commit, cast, editor, org_a, partnership, invited_b, told
):
    review = plan(commit, editor, org_a, partnership)
    review = commit(review_hold, actor=editor, organisation=org_a, review=review)
    assert told("review_held") == {"alice", "carla", "cora"}
    commit(review_close, actor=editor, organisation=org_a, review=review)
    assert told("review_closed") == {"alice", "carla", "cora"}
    closed = Notification.objects.get(kind="review_closed", recipient__username="carla")
    assert closed.url == f"/o/fondation-c/partnerships/{partnership.pk}/reviews/{review.pk}/"


# --- Records -----------------------------------------------------------------------------------
def test_a_commitment_given_to_another_party_is_told_to_its_coordinators(
    commit, cast, editor, org_a, partnership, told
):
    party_c = partnership.parties.get(organisation__slug="fondation-c")
    party_a = partnership.parties.get(organisation=org_a)
    own = Commitment(partnership=partnership, party=party_a, title="Réserver la salle")
    commit(record_save, actor=editor, organisation=org_a, record=own)
    assert told("commitment_assigned") == set()  # an organisation knows what it takes on
    given = Commitment(partnership=partnership, party=party_c, title="Prêter des livres")
    commit(record_save, actor=editor, organisation=org_a, record=given)
    assert told("commitment_assigned") == {"carla", "cora"}
    given.description = "Une caisse par classe"
    commit(record_save, actor=editor, organisation=org_a, record=given)
    assert Notification.objects.filter(kind="commitment_assigned").count() == 2


def test_a_private_concern_tells_nobody_a_shared_one_the_other_parties(
    commit, cast, editor, org_a, partnership, invited_b, told
):
    party_a = partnership.parties.get(organisation=org_a)
    private = Concern(
        partnership=partnership,
        kind="fear",
        category="identity",
        description="Perdre notre nom",
        visibility="private",
        raised_by=party_a,
    )
    commit(record_save, actor=editor, organisation=org_a, record=private)
    assert told("concern_raised") == set()
    shared = Concern(
        partnership=partnership,
        kind="resistance",
        category="actors",
        description="Les équipes hésitent",
        visibility="shared",
        raised_by=party_a,
    )
    commit(record_save, actor=editor, organisation=org_a, record=shared)
    assert told("concern_raised") == {"carla", "cora"}  # not A's own, not B only invited
    # Shared later, the private one is told then, once.
    private.visibility = "shared"
    commit(record_save, actor=editor, organisation=org_a, record=private)
    commit(record_save, actor=editor, organisation=org_a, record=private)
    assert Notification.objects.filter(kind="concern_raised").count() == 4


def test_a_party_that_left_or_declined_hears_nothing_more(
    commit, cast, editor, org_a, org_b, outsider, partnership, told
):
    PartyFactory(partnership=partnership, organisation=org_b, invitation="declined")
    party_c = Party.objects.get(partnership=partnership, organisation__slug="fondation-c")
    party_c.left_on = timezone.localdate()
    party_c.save()
    plan(commit, editor, org_a, partnership)
    assert told("review_planned") == {"alice"}


def test_an_inactive_organisation_hears_nothing(
    commit, cast, editor, org_a, org_c, partnership, told
):
    org_c.active = False
    org_c.save()
    plan(commit, editor, org_a, partnership)
    assert told("review_planned") == {"alice"}


def test_nothing_is_told_when_the_change_rolls_back(cast, editor, org_a, partnership, mailoutbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        review_save(
            actor=editor,
            organisation=org_a,
            review=Review(partnership=partnership, scheduled_on=SOON),
        )
        raise RuntimeError
    assert Notification.objects.count() == 0 and mailoutbox == []


def test_telling_any_event_again_tells_nobody_more(
    commit, cast, owner, editor, carla, org_a, org_b, org_c, outsider, partnership, mailoutbox
):
    """Every kind at once: the events told again, and the e-mail task run again, add nothing."""
    party_b = commit(
        party_invite,
        actor=owner,
        acting=org_a,
        partnership=partnership,
        organisation=org_b,
        role="partner",
    )
    commit(invitation_respond, actor=outsider, party=party_b, accept=True)
    review = plan(commit, editor, org_a, partnership)
    review.scheduled_on = SOON + datetime.timedelta(days=1)
    review = commit(review_save, actor=editor, organisation=org_a, review=review)
    questionnaire = commit(questionnaire_open, actor=editor, organisation=org_a, review=review)
    commit(events.questionnaire_reminder, questionnaire, [])
    held = commit(review_hold, actor=editor, organisation=org_a, review=review)
    closed = commit(review_close, actor=editor, organisation=org_a, review=held)
    cancelled = plan(commit, editor, org_a, partnership)
    cancelled = commit(
        review_cancel, actor=editor, organisation=org_a, review=cancelled, reason="x"
    )
    agreement = AgreementFactory(partnership=partnership)
    commit(agreement_submit, actor=editor, organisation=org_a, agreement=agreement)
    commit(agreement_refuse, actor=carla, organisation=org_c, agreement=agreement, reason="Non")
    refused = Agreement.objects.get(pk=agreement.pk)  # as it was when refused (round 1)
    agreement.refresh_from_db()
    commit(agreement_submit, actor=editor, organisation=org_a, agreement=agreement)
    for actor, organisation in ((owner, org_a), (carla, org_c), (outsider, org_b)):
        commit(agreement_approve, actor=actor, organisation=organisation, agreement=agreement)
    agreement.refresh_from_db()
    party_c = partnership.parties.get(organisation=org_c)
    commitment = Commitment(partnership=partnership, party=party_c, title="Prêter des livres")
    commit(record_save, actor=editor, organisation=org_a, record=commitment)
    concern = Concern(
        partnership=partnership,
        kind="fear",
        category="power",
        description="Peser moins lourd",
        visibility="shared",
        raised_by=partnership.parties.get(organisation=org_a),
    )
    commit(record_save, actor=editor, organisation=org_a, record=concern)
    kinds_told = set(Notification.objects.values_list("kind", flat=True))
    # Not told here: an invitation declined (B accepted), a member invited (organisations'),
    # and the kinds told of signals (tests/notifications/test_signal_events.py).
    signalled = {"level_proposed", "level_agreed", "level_refused", "party_left", "lead_needed"}
    signalled |= {"join_requested", "unit_requested", "join_answered"}
    not_here = {"invitation_declined", "member_invited", *signalled}
    assert kinds_told == set(events.kinds.KINDS) - not_here
    rows, mails = Notification.objects.count(), len(mailoutbox)

    commit(events.party_invited, party_b, acting=org_a, actor=owner)
    commit(events.invitation_answered, party_b, accepted=True, actor=outsider)
    commit(events.review_planned, review, actor=editor)
    commit(events.review_moved, review, actor=editor)
    commit(events.review_held, held, actor=editor)
    commit(events.questionnaire_opened, questionnaire, actor=editor)
    commit(events.questionnaire_reminder, questionnaire, [])
    commit(events.review_closed, closed, actor=editor)
    commit(events.review_cancelled, cancelled, actor=editor)
    commit(events.agreement_submitted, agreement, actor=editor)
    commit(events.agreement_refused, refused, organisation=org_c, reason="Non", actor=carla)
    commit(events.agreement_in_force, agreement, actor=outsider)
    commit(events.commitment_assigned, commitment, acting=org_a, actor=editor)
    commit(events.concern_raised, concern, actor=editor)
    assert resend_everything() == 0
    assert (Notification.objects.count(), len(mailoutbox)) == (rows, mails)
