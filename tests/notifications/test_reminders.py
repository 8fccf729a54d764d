"""Review and commitment reminders, run in-process: who gets them, what they say, and once."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from notifications import reminders
from notifications.tasks import send_commitment_reminders, send_review_reminders
from partnerships.models import Reminder
from tests.factories import CommitmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def cora(org_c):
    """Coordinator of the partner organisation C; reads her e-mail in English."""
    user = UserFactory(username="cora", language="en")
    MembershipFactory(user=user, organisation=org_c, role="editor")
    return user


@pytest.fixture
def cast(owner, editor, viewer, outsider, cora):
    return {"alice": owner, "bob": editor, "victor": viewer, "charlie": outsider, "cora": cora}


def recipients(mailoutbox) -> set[str]:
    return {address.split("@")[0] for message in mailoutbox for address in message.to}


def review_in(partnership, n: int):
    partnership.next_review_on = days(n)
    partnership.save()
    return partnership


def test_a_review_due_within_a_week_reaches_the_coordinators_of_every_party(
    partnership, cast, mailoutbox
):
    review_in(partnership, 3)
    send_review_reminders.delay()
    assert recipients(mailoutbox) == {"alice", "bob", "cora"}  # not the viewer, nor outsiders


def test_reviews_far_away_or_of_ended_partnerships_are_not_reminded(partnership, cast, mailoutbox):
    review_in(partnership, 8)
    send_review_reminders.delay()
    partnership.status = "ended"
    review_in(partnership, -2)
    send_review_reminders.delay()
    assert mailoutbox == []


def test_running_the_review_reminders_twice_sends_nothing_more(partnership, cast, mailoutbox):
    review_in(partnership, 3)
    send_review_reminders.delay()
    send_review_reminders.delay()
    assert len(mailoutbox) == 3
    assert Reminder.objects.filter(kind="review", object_id=partnership.pk).count() == 3


def test_a_review_is_reminded_again_once_overdue_and_then_no_more(partnership, cast, mailoutbox):
    review_in(partnership, 3)
    reminders.send_review_reminders(TODAY)
    assert reminders.send_review_reminders(days(1)) == 0  # still "soon": already told
    assert reminders.send_review_reminders(days(4)) == 3  # now overdue
    assert reminders.send_review_reminders(days(5)) == 0
    assert "overdue since" in mailoutbox[-1].body or "en retard depuis" in mailoutbox[-1].body


def test_the_review_reminder_is_in_each_recipients_language(partnership, cast, mailoutbox):
    review_in(partnership, 3)
    send_review_reminders.delay()
    by_recipient = {message.to[0].split("@")[0]: message for message in mailoutbox}
    assert by_recipient["cora"].subject == "Review due: Lecture au collège"
    assert "These partnership reviews are coming up or overdue" in by_recipient["cora"].body
    assert by_recipient["alice"].subject == "Revue à venir\u202f: Lecture au collège"
    assert "Ces revues de partenariat approchent" in by_recipient["alice"].body


def test_the_reminder_has_text_and_html_parts_with_absolute_links(
    partnership, cast, mailoutbox, settings
):
    settings.SITE_URL = "https://partenariats.example"
    review_in(partnership, 3)
    send_review_reminders.delay()
    message = next(m for m in mailoutbox if m.to == ["cora@example.org"])
    link = f"https://partenariats.example/o/fondation-c/partnerships/{partnership.pk}/reviews/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert '<html lang="en">' in html
    alice = next(m for m in mailoutbox if m.to == ["alice@example.org"])
    assert "/o/association-a/partnerships/" in alice.body


def test_several_reviews_come_in_one_email_per_person(partnership, org_a, cast, mailoutbox):
    from tests.factories import PartnershipFactory, PartyFactory

    review_in(partnership, 2)
    other = PartnershipFactory(title="Jardin partagé", next_review_on=days(-1))
    PartyFactory(partnership=other, organisation=org_a)
    send_review_reminders.delay()
    alice = [m for m in mailoutbox if m.to == ["alice@example.org"]]
    assert len(alice) == 1
    assert alice[0].subject == "2 revues à venir"
    assert "Jardin partagé" in alice[0].body and "Lecture au collège" in alice[0].body


def test_a_commitment_reminder_goes_to_the_owning_partys_coordinators_only(
    partnership, org_c, cast, mailoutbox
):
    party_c = partnership.parties.get(organisation=org_c)
    CommitmentFactory(party=party_c, title="Prêter la salle", due_on=days(2))
    send_commitment_reminders.delay()
    assert recipients(mailoutbox) == {"cora"}
    assert mailoutbox[0].subject == "Commitment due: Prêter la salle"
    assert f"/o/fondation-c/partnerships/{partnership.pk}/commitments/" in mailoutbox[0].body


def test_only_pending_commitments_coming_due_are_reminded(partnership, org_a, cast, mailoutbox):
    party_a = partnership.parties.get(organisation=org_a)
    CommitmentFactory(party=party_a, title="Lointain", due_on=days(20))
    CommitmentFactory(party=party_a, title="Sans date", due_on=None)
    CommitmentFactory(party=party_a, title="Abandonné", due_on=days(1), status="dropped")
    CommitmentFactory(
        party=party_a, title="Fait", due_on=days(-1), status="done", completed_on=TODAY
    )
    CommitmentFactory(party=party_a, title="En retard", due_on=days(-3))
    send_commitment_reminders.delay()
    assert recipients(mailoutbox) == {"alice", "bob"}
    assert {m.subject for m in mailoutbox} == {"Engagement à tenir\u202f: En retard"}


def test_running_the_commitment_reminders_twice_sends_nothing_more(
    partnership, org_a, cast, mailoutbox
):
    CommitmentFactory(party=partnership.parties.get(organisation=org_a), due_on=days(5))
    send_commitment_reminders.delay()
    send_commitment_reminders.delay()
    assert len(mailoutbox) == 2


class RefusingBackend(EmailBackend):
    """Delivers like the test backend, except to the addresses in ``refused``."""

    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(message.to, (550, b"no")))
        return super().send_messages(messages)


@pytest.fixture
def errors_kept_in_the_result(monkeypatch):
    """In-process tasks report failures in their result instead of raising: then Celery runs
    each retry at once, as a worker would after the backoff, until the task gives up."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_a_failed_delivery_is_retried_without_sending_twice_to_the_others(
    partnership, cast, mailoutbox, settings, monkeypatch, errors_kept_in_the_result
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "refused", {"bob@example.org"})
    review_in(partnership, 3)
    result = send_review_reminders.delay()
    assert result.failed() and isinstance(result.result, reminders.DeliveryError)
    assert sorted(recipients(mailoutbox)) == ["alice", "cora"]  # once each, over six tries
    assert not Reminder.objects.filter(recipient=cast["bob"]).exists()

    monkeypatch.setattr(RefusingBackend, "refused", set())
    send_review_reminders.delay()
    assert sorted(recipients(mailoutbox)) == ["alice", "bob", "cora"]
