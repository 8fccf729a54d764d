"""One figure, the partnerships whose review is overdue, computed five ways: the dashboard's
signals, the API summary, the list filtered by it, the review punctuality report and its CSV.
They agree on the demo and on a generated world; and a review due by the cadence that nobody
planned nor held counts as missing in the report, as the dashboard says."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from organisations.models import Organisation, User
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
OVERDUE_TABLE = "Partnerships whose review is overdue today, by organisation"


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def figures(client, organisation: Organisation) -> dict[str, int]:
    slug = organisation.slug
    dashboard = client.get(reverse("partnerships:dashboard", args=[slug]))
    signalled = sum(
        1
        for _partnership, signals in dashboard.context["alerts"]
        if any(signal.code == "review_overdue" for signal in signals)
    )
    assert dashboard.context["alert_total"] <= 30  # every flagged partnership is shown
    summary = client.get(reverse("api:report-summary"), {"organisation": slug}).json()
    listed = client.get(
        reverse("partnerships:list", args=[slug]), {"attention": "overdue_reviews"}
    ).context["page"]
    report_url = reverse("partnerships:report-reviews", args=[slug])
    page = client.get(report_url)
    (table,) = [f["figure"] for f in page.context["figures"] if f["name"] == "reviews-overdue"]
    in_csv = csv_rows(client.get(report_url, {"format": "csv"}).content)
    row = next((r for r in in_csv if r and r[0] == organisation.name and len(r) == 2), None)
    result = {
        "dashboard": signalled,
        "api": summary["overdue_reviews"],
        "list": listed.paginator.count,
        "csv": int(row[1]) if row else 0,
    }
    own = [r for r in table.table_rows if r[0] == organisation.name]
    result["report"] = own[0][1] if own else 0
    return result


def signed_in(client, user: User):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def test_the_figure_agrees_everywhere_on_the_demo(client):
    call_command("seed_demo", stdout=io.StringIO())
    organisation = Organisation.objects.get(slug="centre-social-tilleuls")
    found = figures(signed_in(client, User.objects.get(username="camille")), organisation)
    assert len(set(found.values())) == 1, found
    assert found["api"] >= 1  # the demo has one: the figure is not trivially zero


def test_the_figure_agrees_everywhere_on_a_generated_world(client):
    today = timezone.localdate()
    ours = OrganisationFactory(name="Maison des associations")
    user = UserFactory()
    MembershipFactory(user=user, organisation=ours, role="admin")
    cases = [
        ("active", -40, False),  # overdue, nobody planned it
        ("active", -20, True),  # overdue, planned on its date, not held
        ("proposed", -3, False),  # overdue since three days
        ("paused", -50, False),  # paused: no review expected, like the dashboard says
        ("ended", -50, False),
        ("active", 10, False),  # not due yet
    ]
    for index, (status, days, planned) in enumerate(cases):
        due = today + datetime.timedelta(days=days)
        partnership = PartnershipFactory(
            title=f"Partenariat {index}", status=status, next_review_on=due
        )
        PartyFactory(partnership=partnership, organisation=ours, role="lead")
        PartyFactory(partnership=partnership, organisation=OrganisationFactory())
        if planned:
            ReviewFactory(partnership=partnership, scheduled_on=due)
    found = figures(signed_in(client, user), ours)
    assert found == dict.fromkeys(found, 3), found


def test_a_review_due_and_never_planned_counts_as_missing(client):
    today = timezone.localdate()
    ours = OrganisationFactory(name="Maison des associations")
    user = UserFactory()
    MembershipFactory(user=user, organisation=ours, role="admin")
    partnership = PartnershipFactory(
        status="active", next_review_on=today - datetime.timedelta(days=30)
    )
    PartyFactory(partnership=partnership, organisation=ours, role="lead")
    PartyFactory(partnership=partnership, organisation=OrganisationFactory())
    report_url = reverse("partnerships:report-reviews", args=[ours.slug])
    rows = csv_rows(signed_in(client, user).get(report_url, {"format": "csv"}).content)
    header = next(r for r in rows if r and r[0] == "Organisation" and "Missing" in r)
    own = next(r for r in rows if r and r[0] == ours.name and len(r) == len(header))
    assert own[header.index("Missing")] == "1"
    page = client.get(report_url).content.decode()
    assert "attention=overdue_reviews" in page  # the figure links to the list it counts
