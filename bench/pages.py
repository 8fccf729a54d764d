"""The pages the benchmark measures, found in whatever world the database holds.

Shared by ``bench.measure`` (timings) and tests/test_bench_queries.py (query counts must not
grow with the data), so both look at exactly the same addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

BASELINE, PAGE, REPORT = "baseline", "page", "report"
# The acceptance limits, as a multiple of /healthz's median (issue #8).
LIMITS = {PAGE: 5, REPORT: 10}
FILTERS = "?status=active&scope=external&sort=-gap"


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    who: str  # "anonymous", "member", "staff" or "token"
    group: str = PAGE


def busiest_organisation():
    """The organisation party to the most partnerships (the network head in seed_scale)."""
    from organisations.models import Organisation

    return (
        Organisation.objects.annotate(n=Count("parties", filter=Q(parties__invitation="accepted")))
        .order_by("-n", "pk")
        .first()
    )


def member_of(organisation):
    """Its first administrator: who the member pages are measured as."""
    return (
        organisation.memberships.filter(role="admin").select_related("user").order_by("pk")[0].user
    )


def busiest_partnership(organisation):
    """Of the organisation's partnerships, the one with the most concern checks."""
    from partnerships.models import Partnership

    return (
        Partnership.objects.for_organisation(organisation)
        .annotate(n=Count("concerns__checks"))
        .order_by("-n", "pk")
        .first()
    )


def targets(organisation, partnership) -> list[Target]:
    from partnerships.views.reports import PAGES

    slug = organisation.slug
    found = [
        Target("/healthz", reverse("healthz"), "anonymous", BASELINE),
        Target("dashboard", reverse("partnerships:dashboard", args=[slug]), "member"),
        Target("list", reverse("partnerships:list", args=[slug]), "member"),
        Target("list, filtered", reverse("partnerships:list", args=[slug]) + FILTERS, "member"),
        Target(
            "workspace",
            reverse("partnerships:workspace", args=[slug, partnership.pk]),
            "member",
        ),
        Target("API list", reverse("api:partnership-list"), "token"),
        Target(
            "API detail",
            reverse("api:partnership-detail", kwargs={"partnership_id": partnership.pk}),
            "token",
        ),
    ]
    for page in PAGES:
        found.append(
            Target(
                f"report {page.slug}",
                reverse(f"partnerships:report-{page.slug}", args=[slug]),
                "member",
                REPORT,
            )
        )
    found.append(
        Target("network map", reverse("partnerships:network", args=[slug]), "member", REPORT)
    )
    for page in PAGES:
        found.append(
            Target(
                f"admin report {page.slug}",
                reverse(f"admin:report-{page.slug}"),
                "staff",
                REPORT,
            )
        )
    found.append(Target("admin network map", reverse("admin:report-network"), "staff", REPORT))
    return found


def clients(member, staff) -> dict[str, Client]:
    """A client per audience; the API one carries the member's token."""
    from rest_framework.authtoken.models import Token

    signed_in, admin = Client(), Client()
    signed_in.force_login(member)
    admin.force_login(staff)
    token, _created = Token.objects.get_or_create(user=member)
    return {
        "anonymous": Client(),
        "member": signed_in,
        "staff": admin,
        "token": Client(HTTP_AUTHORIZATION=f"Token {token.key}"),
    }


def fetch(client: Client, target: Target):
    response = client.get(target.url)
    if response.status_code != 200:
        raise AssertionError(f"{target.name} {target.url}: {response.status_code}")
    return response


def query_count(client: Client, target: Target) -> int:
    with CaptureQueriesContext(connection) as queries:
        fetch(client, target)
    return len(queries)
