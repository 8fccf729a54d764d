"""Issue 19's admin report: the questionnaires' response rates and the levels perceived by
agreed level, aggregated, never a cell of fewer than 3 answers; staff only."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from partnerships.models import Answer, AskedMember, Questionnaire, Respondent
from tests.factories import (
    LevelAssessmentFactory,
    MembershipFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-01-01", "end": "2025-06-30"}
URL = "admin:report-questionnaires"


def people(org, count, prefix):
    users = [UserFactory(username=f"{prefix}{n}") for n in range(count)]
    for user in users:
        MembershipFactory(user=user, organisation=org, role="viewer")
    return users


def questionnaire(partnership, closes_on, answers, asked=None):
    """A closed questionnaire: ``answers`` maps each party to the levels its members gave."""
    review = ReviewFactory(partnership=partnership, scheduled_on=closes_on)
    found = Questionnaire.objects.create(
        review=review, closes_on=closes_on, closed_at=timezone.now()
    )
    for party, levels in answers.items():
        for level in levels:
            user = UserFactory()
            Respondent.objects.create(questionnaire=found, party=party, user=user)
            Answer.objects.create(
                questionnaire=found,
                party=party,
                key=uuid.uuid4().hex,
                question="level",
                value=level,
            )
    for party, users in (asked or {}).items():
        for user in users:
            AskedMember.objects.create(questionnaire=found, party=party, user=user)
    return found


@pytest.fixture
def staff_client(superuser):
    superuser.language = "en"
    superuser.save()
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def world(org_a, org_c):
    partnership = PartnershipFactory(title="Lecture au collège")
    party_a = PartyFactory(partnership=partnership, organisation=org_a, role="lead")
    party_c = PartyFactory(partnership=partnership, organisation=org_c)
    LevelAssessmentFactory(
        partnership=partnership, kind="agreed", level=4, assessed_on=datetime.date(2024, 12, 1)
    )
    chosen = people(org_a, 5, "a")  # five members of A, three of them asked
    people(org_c, 2, "c")  # C chose nobody: both its members asked
    questionnaire(
        partnership,
        datetime.date(2025, 3, 10),
        {party_a: [3, 3, 3], party_c: [5]},
        asked={party_a: chosen[:3]},
    )
    return partnership, party_a, party_c


def test_response_rates_and_perceived_levels_with_small_cells_hidden(staff_client, world):
    content = staff_client.get(reverse(URL), PERIOD).content.decode()
    # Asked: 3 chosen in A + 2 in C = 5; answered: 4.
    assert "<td>5</td><td>4</td><td>80 %</td>" in content.replace("\n", "")
    csv = staff_client.get(reverse(URL), {**PERIOD, "format": "csv"}).content.decode()
    assert "80 %" in csv
    # Agreed 4 when it closed: three perceived 3; the one who perceived 5 is not shown.
    row = next(line for line in csv.splitlines() if line.startswith("4 ·"))
    cells = row.split(",")
    assert cells[3] == "3"
    assert cells[5] == "fewer than 3"
    assert "1" not in cells[1:]


def test_open_questionnaires_answers_are_not_read(staff_client, world):
    partnership, party_a, _party_c = world
    Answer.objects.all().delete()
    still_open = questionnaire(partnership, datetime.date(2025, 4, 1), {party_a: [2, 2, 2]})
    still_open.closed_at = None
    still_open.closes_on = timezone.localdate() + datetime.timedelta(days=3)
    still_open.save()
    csv = staff_client.get(
        reverse(URL),
        {"start": "2025-01-01", "end": still_open.closes_on.isoformat(), "format": "csv"},
    )
    assert csv.status_code == 200
    # The only answers left are the open questionnaire's: no row of agreed level at all.
    assert not [line for line in csv.content.decode().splitlines() if line.startswith("4 ·")]


def test_queries_are_pinned(staff_client, world, org_a, django_assert_max_num_queries):
    partnership, party_a, party_c = world
    # session, user; 5 for the rates, 1 for the levels; the filter's organisations menu
    with django_assert_max_num_queries(2 + 6 + 1):
        staff_client.get(reverse(URL), PERIOD)
    for month in (4, 5, 6):
        questionnaire(
            partnership, datetime.date(2025, month, 2), {party_a: [4, 4, 4], party_c: [1, 2, 6]}
        )
    with django_assert_max_num_queries(2 + 6 + 1):
        staff_client.get(reverse(URL), PERIOD)


def test_staff_only(client, owner, world):
    client.force_login(owner)
    response = client.get(reverse(URL), PERIOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    with pytest.raises(NoReverseMatch):  # not among an organisation's reports
        reverse("partnerships:report-questionnaires", args=["association-a"])
    staff = UserFactory(username="sam", is_staff=True)  # without the right to view partnerships
    client.force_login(staff)
    assert client.get(reverse(URL), PERIOD).status_code == 403


def test_listed_in_the_admin_reports(staff_client):
    content = staff_client.get(reverse("admin:reports")).content.decode()
    assert f'href="{reverse(URL)}"' in content
