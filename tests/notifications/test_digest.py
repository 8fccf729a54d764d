"""The weekly digest, run in-process: who gets it, what it says and hides, once a week."""

from __future__ import annotations

import datetime
import html as html_module

import pytest
from django.utils import timezone

from notifications import digest
from notifications.tasks import send_weekly_digest
from partnerships.models import Reminder
from tests.factories import (
    CommitmentFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def cora(org_c):
    """Member of the partner organisation C; reads her e-mail in English."""
    user = UserFactory(username="cora", language="en")
    MembershipFactory(user=user, organisation=org_c, role="admin")
    return user


@pytest.fixture
def week(partnership, org_a, org_c, owner, editor, viewer, outsider, cora):
    """A week in A and C's partnership: levels, concerns, commitments and a review ahead.

    C keeps a private concern (ethics) and a blind rating (fusion) for the planned review; A
    keeps a private concern (power) and its own blind rating (mutual information).
    """
    party_a = partnership.parties.get(organisation=org_a)
    party_c = partnership.parties.get(organisation=org_c)
    partnership.next_review_on = days(5)
    partnership.save()
    planned = ReviewFactory(partnership=partnership, scheduled_on=days(5))
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=4)
    LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party_c, level=7, review=planned
    )
    LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party_a, level=2, review=planned
    )
    ConcernFactory(raised_by=party_c, category="identity")
    ConcernFactory(raised_by=party_c, category="ethics", visibility="private")
    ConcernFactory(raised_by=party_a, category="power", visibility="private")
    CommitmentFactory(party=party_a, title="Le calendrier", status="done", completed_on=days(-2))
    CommitmentFactory(party=party_c, title="La salle", due_on=days(-3))
    for user in (owner, editor, viewer):
        user.language = "en"
        user.save()
    return partnership


def digest_of(mailoutbox, username: str):
    found = [m for m in mailoutbox if m.to == [f"{username}@example.org"]]
    assert len(found) == 1, f"{username} got {len(found)} digests"
    message = found[0]
    return message.body, html_module.unescape(message.alternatives[0][0])


def test_every_member_who_wants_it_gets_one_digest(week, mailoutbox, org_a, cora):
    MembershipFactory(user=cora, organisation=org_a, role="viewer")  # two organisations
    UserFactory(username="dora", weekly_digest=False)
    MembershipFactory(user__username="dora", organisation=org_a)
    send_weekly_digest.delay()
    # Not dora (opted out), not charlie (B has nothing this week): one e-mail each for the rest.
    assert sorted(m.to[0].split("@")[0] for m in mailoutbox) == ["alice", "bob", "cora", "victor"]
    text, _html = digest_of(mailoutbox, "cora")
    assert "== Association A ==" in text and "== Fondation C ==" in text


def test_the_digest_tells_the_week_of_the_partnerships(week, mailoutbox, settings):
    settings.SITE_URL = "https://partenariats.example"
    send_weekly_digest.delay()
    text, html = digest_of(mailoutbox, "alice")
    assert "Agreed together — 4. Concertation" in text
    assert "Fear to tame — Loss of identity (Fondation C)" in text
    assert "Le calendrier — Lecture au collège (Association A)" in text  # done
    assert "La salle — Lecture au collège (Fondation C)" in text  # overdue
    assert "Upcoming reviews" in text
    assert f"https://partenariats.example/o/association-a/partnerships/{week.pk}/reviews/" in text
    assert 'href="https://partenariats.example/accounts/profile/"' in html
    assert "https://partenariats.example/accounts/profile/" in text


def test_the_digest_never_shows_another_organisations_private_concerns_or_blind_ratings(
    week, mailoutbox
):
    send_weekly_digest.delay()
    for username in ("alice", "bob", "victor"):
        for part in digest_of(mailoutbox, username):
            assert "Losing one's soul" not in part  # C's private concern
            assert "Fusion" not in part  # C's blind rating
            assert "Sharing power" in part  # A's own private concern
            assert "Mutual information" in part  # A's own blind rating
    for part in digest_of(mailoutbox, "cora"):
        assert "Sharing power" not in part and "Mutual information" not in part
        assert "Losing one's soul" in part and "Fusion" in part


def test_a_blind_rating_shows_once_its_review_is_held(week, mailoutbox, org_c):
    review = week.reviews.get()
    review.status = "held"
    review.held_on = TODAY
    review.save()
    send_weekly_digest.delay()
    text, _html = digest_of(mailoutbox, "alice")
    assert "Perceived by a party (Fondation C) — 7. Fusion" in text


def test_the_digest_is_in_each_members_language(week, mailoutbox, owner):
    owner.language = "fr"
    owner.save()
    send_weekly_digest.delay()
    alice = next(m for m in mailoutbox if m.to == ["alice@example.org"])
    cora = next(m for m in mailoutbox if m.to == ["cora@example.org"])
    assert alice.subject.startswith("Vos partenariats cette semaine")
    assert "Revues à venir" in alice.body
    assert cora.subject.startswith("Your partnerships this week")


def test_running_the_digest_twice_in_a_week_sends_nothing_more(week, mailoutbox):
    send_weekly_digest.delay()
    sent = len(mailoutbox)
    send_weekly_digest.delay()
    assert len(mailoutbox) == sent == 4
    assert Reminder.objects.filter(kind="digest", period=digest.digest_period(TODAY)).count() == 4


def test_next_week_brings_a_new_digest(week, mailoutbox):
    assert digest.send_weekly_digests(TODAY) == 4
    assert digest.send_weekly_digests(TODAY + datetime.timedelta(days=7)) == 4


def test_members_with_nothing_new_get_no_digest(partnership, owner, mailoutbox):
    partnership.next_review_on = days(60)
    partnership.save()
    send_weekly_digest.delay()
    assert mailoutbox == []
