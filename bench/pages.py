"""The pages the benchmark measures, found in whatever world the database holds.

Shared by ``bench.measure`` (timings) and tests/test_bench_queries.py (query counts must not
grow with the data), so both look at exactly the same addresses.

Issue #18's targets are ratios measured side by side in one run: the network head's pages
against the same pages of the organisation with the fewest partnerships (scale invariance),
and against the cheapest signed-in page that renders the base template, the profile page
(the signed-in floor).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# Groups: what a page is compared with.
INFO, FLOOR, PAGE, SMALL, REPORT = "info", "floor", "page", "small", "report"
SMALLEST, FLOORED = "smallest", "floor"  # the two kinds of target
SCALE_LIMIT = 2  # the head's page within 2x the same page of the smallest organisation
PAGE_FLOOR_LIMIT = 5  # dashboard, list, workspace, API list within 5x the floor
REPORT_FLOOR_LIMIT = 10  # every report and network map within 10x the floor
FLOOR_PAGES = ("dashboard", "list", "workspace", "API list")
FILTERS = "?status=active&scope=external&sort=-gap"
SMALL_SUFFIX = " (smallest)"


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    who: str  # "anonymous", "member", "staff", "token", "small" or "small-token"
    group: str = PAGE
    # (kind, limit) pairs: ("smallest", 2) is "within 2x the smallest organisation's page".
    limits: tuple[tuple[str, float], ...] = ()

    @property
    def counterpart(self) -> str | None:
        """The name of the smallest organisation's same page, for a scale target."""
        return self.name + SMALL_SUFFIX if self.group == PAGE else None


def _accepted(prefix: str = "") -> Q:
    from partnerships import policy

    return policy.joined(prefix)


def busiest_organisation():
    """The organisation party to the most partnerships (the network head in seed_scale)."""
    from organisations.models import Organisation

    return (
        Organisation.objects.annotate(n=Count("parties", filter=_accepted("parties__")))
        .order_by("-n", "pk")
        .first()
    )


def smallest_organisation(other_than=None):
    """The organisation party to the fewest partnerships, but to one at least (and not
    ``other_than``, the head, in a world too small for these preferences).

    Preferred, in this order, so that its pages show the same kinds of content as the
    head's: one party to a partnership with a closed review (its review page), then one party
    to an active external partnership (what the filtered list shows), then one whose first
    administrator belongs to no other organisation (the API list covers every organisation
    of the user: a unit's administrator, who also reads its system's partnerships, would not
    measure that organisation's list), then the fewest partnerships.
    """
    from organisations.models import Membership, Organisation
    from partnerships.choices import PartnershipStatus, ReviewStatus, Scope
    from partnerships.models import Party

    joined = Party.objects.filter(_accepted(), organisation=OuterRef("pk"))
    reviewed = joined.filter(partnership__reviews__status=ReviewStatus.CLOSED)
    listed = joined.filter(  # as FILTERS asks
        partnership__status=PartnershipStatus.ACTIVE, partnership__scope=Scope.EXTERNAL
    )
    first_admin = (
        Membership.objects.filter(organisation=OuterRef("pk"), role="admin")
        .order_by("pk")
        .values("user")[:1]
    )
    elsewhere = Membership.objects.filter(user=OuterRef("admin")).exclude(
        organisation=OuterRef("pk")
    )
    return (
        Organisation.objects.annotate(n=Count("parties", filter=_accepted("parties__")))
        .filter(n__gte=1)
        .exclude(pk=getattr(other_than, "pk", None))
        .annotate(reviewed=Exists(reviewed), listed=Exists(listed), admin=first_admin)
        .annotate(shared=Exists(elsewhere))
        .order_by("-reviewed", "-listed", "shared", "n", "pk")
        .first()
    )


def member_of(organisation):
    """Its first administrator: who the member pages are measured as."""
    return (
        organisation.memberships.filter(role="admin").select_related("user").order_by("pk")[0].user
    )


def busiest_partnership(organisation):
    """Of the organisation's partnerships, the one with the most concern checks, preferring
    one with a closed review (its review page is measured) that is active (the pages of a
    running partnership show the most)."""
    from partnerships.choices import PartnershipStatus, ReviewStatus
    from partnerships.models import Partnership, Review

    closed = Review.objects.filter(partnership=OuterRef("pk"), status=ReviewStatus.CLOSED)
    return (
        Partnership.objects.for_organisation(organisation)
        .annotate(
            n=Count("concerns__checks"),
            reviewed=Exists(closed),
            running=ExpressionWrapper(
                Q(status=PartnershipStatus.ACTIVE), output_field=BooleanField()
            ),
        )
        .order_by("-reviewed", "-running", "-n", "pk")
        .first()
    )


def measured_review(partnership):
    """The partnership's latest closed review, else its latest review."""
    from partnerships.choices import ReviewStatus
    from partnerships.models import Review

    reviews = Review.objects.filter(partnership=partnership).order_by("-scheduled_on", "-pk")
    return reviews.filter(status=ReviewStatus.CLOSED).first() or reviews.first()


def _organisation_pages(organisation, partnership, who: str, token: str) -> list[tuple]:
    """(name, url, who) of the pages compared between the head and the smallest."""
    slug = organisation.slug
    found = [
        ("dashboard", reverse("partnerships:dashboard", args=[slug]), who),
        ("list", reverse("partnerships:list", args=[slug]), who),
        ("list, filtered", reverse("partnerships:list", args=[slug]) + FILTERS, who),
        ("workspace", reverse("partnerships:workspace", args=[slug, partnership.pk]), who),
    ]
    review = measured_review(partnership)
    if review is not None:
        url = reverse("partnerships:review", args=[slug, partnership.pk, review.pk])
        found.append(("review", url, who))
    found += [
        ("API list", reverse("api:partnership-list"), token),
        (
            "API detail",
            reverse("api:partnership-detail", kwargs={"partnership_id": partnership.pk}),
            token,
        ),
    ]
    return found


def _limits(name: str, group: str) -> tuple[tuple[str, float], ...]:
    if group == PAGE:
        floor = ((FLOORED, PAGE_FLOOR_LIMIT),) if name in FLOOR_PAGES else ()
        return ((SMALLEST, SCALE_LIMIT), *floor)
    if group == REPORT:
        return ((FLOORED, REPORT_FLOOR_LIMIT),)
    return ()


def targets(organisation, partnership, small=None, small_partnership=None) -> list[Target]:
    """Every measured page: /healthz and the floor first, then the head's pages, the smallest
    organisation's same pages (when given), the head's reports and the admin reports."""
    from partnerships.views.reports import PAGES

    found = [
        Target("/healthz", reverse("healthz"), "anonymous", INFO),
        Target("profile", reverse("profile"), "member", FLOOR),
    ]
    head = _organisation_pages(organisation, partnership, "member", "token")
    found += [Target(name, url, who, PAGE, _limits(name, PAGE)) for name, url, who in head]
    if small is not None:
        found += [
            Target(name + SMALL_SUFFIX, url, who, SMALL)
            for name, url, who in _organisation_pages(
                small, small_partnership, "small", "small-token"
            )
        ]
    slug = organisation.slug
    reports = [
        (f"report {page.slug}", reverse(f"partnerships:report-{page.slug}", args=[slug]), "member")
        for page in PAGES
    ]
    reports.append(("network map", reverse("partnerships:network", args=[slug]), "member"))
    reports += [
        (f"admin report {page.slug}", reverse(f"admin:report-{page.slug}"), "staff")
        for page in PAGES
    ]
    reports.append(("admin network map", reverse("admin:report-network"), "staff"))
    found += [Target(name, url, who, REPORT, _limits(name, REPORT)) for name, url, who in reports]
    return found


def clients(member, staff, small_member=None) -> dict[str, Client]:
    """A client per audience; the API ones carry the member's (or the small one's) token."""
    from rest_framework.authtoken.models import Token

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def token_of(user) -> Client:
        token, _created = Token.objects.get_or_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Token {token.key}")

    found = {
        "anonymous": Client(),
        "member": signed_in(member),
        "staff": signed_in(staff),
        "token": token_of(member),
    }
    if small_member is not None:
        found["small"] = signed_in(small_member)
        found["small-token"] = token_of(small_member)
    return found


def fetch(client: Client, target: Target):
    response = client.get(target.url)
    if response.status_code != 200:
        raise AssertionError(f"{target.name} {target.url}: {response.status_code}")
    return response


def query_count(client: Client, target: Target) -> int:
    with CaptureQueriesContext(connection) as queries:
        fetch(client, target)
    return len(queries)
