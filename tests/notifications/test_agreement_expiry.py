"""Expiry reminders of the agreement in force: who gets them, in which language, and once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications import agreement_expiry as reminders
from notifications.tasks import send_agreement_expiry_reminders
from partnerships.models import Agreement, Partnership, Reminder
from partnerships.reads.health import health_signals, with_health
from tests.factories import AgreementFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def carla(org_c):
    """Administrator of the partner organisation C; reads her e-mail in English."""
    user = UserFactory(username="carla", language="en")
    MembershipFactory(user=user, organisation=org_c, role="admin")
    return user


@pytest.fixture
def cast(owner, editor, viewer, outsider, carla):
    return [owner, editor, viewer, outsider, carla]


def in_force_until(partnership, ends_on, **fields) -> Agreement:
    return AgreementFactory(
        partnership=partnership,
        state="in_force",
        in_force_at=timezone.now(),
        starts_on=days(-400),
        ends_on=ends_on,
        **fields,
    )


def recipients(mailoutbox) -> list[str]:
    return sorted(address.split("@")[0] for message in mailoutbox for address in message.to)


def test_the_coordinators_of_each_party_hear_90_days_before(partnership, cast, mailoutbox):
    in_force_until(partnership, days(90))
    assert send_agreement_expiry_reminders.delay().get() == 3
    assert recipients(mailoutbox) == ["alice", "bob", "carla"]  # not viewers or outsiders


def test_running_twice_sends_one_email_per_coordinator(partnership, cast, mailoutbox):
    in_force_until(partnership, days(75))
    send_agreement_expiry_reminders.delay()
    send_agreement_expiry_reminders.delay()
    assert recipients(mailoutbox) == ["alice", "bob", "carla"]
    assert Reminder.objects.filter(kind="agreement").count() == 3


def test_a_second_reminder_comes_at_30_days_and_then_no_more(partnership, cast, mailoutbox):
    ends_on = days(100)
    in_force_until(partnership, ends_on)
    for days_left in (60, 30, 29):  # the daily run, on three mornings
        reminders.send_agreement_expiry_reminders(ends_on - datetime.timedelta(days=days_left))
    assert len(mailoutbox) == 6  # three coordinators, twice
    assert sorted(set(Reminder.objects.values_list("period", flat=True))) == [
        f"{ends_on.isoformat()}:30",
        f"{ends_on.isoformat()}:90",
    ]


def test_far_away_drafts_and_superseded_versions_are_not_reminded(partnership, cast, mailoutbox):
    in_force_until(partnership, days(91))
    AgreementFactory(partnership=partnership, ends_on=days(10))  # a draft
    send_agreement_expiry_reminders.delay()
    assert mailoutbox == []


def test_the_reminder_is_in_each_recipients_language_with_both_parts(
    partnership, cast, mailoutbox, settings
):
    settings.SITE_URL = "https://partenariats.example"
    in_force_until(partnership, days(20))
    send_agreement_expiry_reminders.delay()
    by_recipient = {message.to[0].split("@")[0]: message for message in mailoutbox}
    assert by_recipient["carla"].subject == "Agreement ending: Lecture au collège"
    assert "ends on" in by_recipient["carla"].body and "in 20 days" in by_recipient["carla"].body
    subject = by_recipient["alice"].subject
    assert subject == "Convention arrivant à échéance\u202f: Lecture au collège"
    assert "dans 20 jours" in by_recipient["alice"].body
    html, mimetype = by_recipient["carla"].alternatives[0]
    link = f"https://partenariats.example/o/fondation-c/partnerships/{partnership.pk}/agreement/"
    assert mimetype == "text/html" and f'href="{link}"' in html


def test_a_version_past_its_end_date_is_ended_by_the_daily_run(partnership, cast, mailoutbox):
    agreement = in_force_until(partnership, days(-1))
    send_agreement_expiry_reminders.delay()
    assert Agreement.objects.get(pk=agreement.pk).state == "ended"
    assert mailoutbox == []


def test_the_dashboard_signals_an_agreement_ending_within_90_days(partnership, org_a):
    def signal_codes(today):
        queryset = Partnership.objects.filter(pk=partnership.pk)
        annotated = with_health(queryset, org_a, today).get()
        return [signal.code for signal in health_signals(annotated, today)]

    in_force_until(partnership, days(120))
    assert "agreement_ending" not in signal_codes(TODAY)
    assert "agreement_ending" in signal_codes(days(75))  # time passing: 45 days left
