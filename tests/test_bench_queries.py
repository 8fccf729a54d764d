"""Every page the benchmark measures issues as many queries for a small world as for a larger
one: the count depends on the page, never on the data (issues #8 and #18).

The worlds come from seed_scale's generator at tiny sizes, so this stays fast; ``make bench``
checks the same pages at 5,000 partnerships. The network head's pages, the same pages of the
organisation party to the fewest partnerships, the signed-in floor (the profile page) and the
reports are all counted.
"""

from __future__ import annotations

import pytest

from bench import pages
from organisations.models import User
from partnerships.choices import ConcernStatus
from partnerships.demo.scale import HEAD_ADMIN, ScaleBuilder
from partnerships.management.commands.seed_scale import flush_tenant_data
from partnerships.models import Concern
from partnerships.services.records import concern_check_record

pytestmark = pytest.mark.django_db


def no_concern_worsened(organisation, partnership, actor) -> None:
    """A check at 0 today on every open concern the organisation sees in the partnership.

    The review page lists the concerns that worsened since the previous review, and asks for
    them only when there are some (Django answers ``pk__in=[]`` without a query): both worlds
    are put in the same state, so that the counts compare the same page."""
    for concern in (
        Concern.objects.visible_to_organisation(organisation)
        .filter(partnership=partnership)
        .exclude(status=ConcernStatus.RESOLVED)
    ):
        concern_check_record(actor=actor, organisation=organisation, concern=concern, intensity=0)


def query_counts(partnerships: int) -> dict[str, int]:
    flush_tenant_data()
    world = ScaleBuilder(20, partnerships, checks=partnerships * 6).build()
    organisation = world.head  # at these sizes another organisation may have more
    member = User.objects.get(username=HEAD_ADMIN)
    small = pages.smallest_organisation(world.head)
    small_member = pages.member_of(small)
    clients = pages.clients(member, world.superuser, small_member)
    partnership = pages.busiest_partnership(organisation)
    small_partnership = pages.busiest_partnership(small)
    no_concern_worsened(organisation, partnership, member)
    no_concern_worsened(small, small_partnership, small_member)
    found = pages.targets(organisation, partnership, small, small_partnership)
    counts = {}
    for target in found:
        client = clients[target.who]
        pages.fetch(client, target)  # warm the caches (content types, site) first
        counts[target.name] = pages.query_count(client, target)
    return counts


def test_measured_pages_issue_the_same_queries_at_8_and_at_40_partnerships():
    small = query_counts(8)
    large = query_counts(40)
    assert set(small) >= {
        "profile",
        "dashboard",
        "list",
        "workspace",
        "review",
        "API list",
        "admin report gaps",
        "dashboard (smallest)",
        "review (smallest)",
        "API detail (smallest)",
    }
    assert small == large


def test_the_smallest_organisation_is_party_to_fewer_partnerships_than_the_head():
    flush_tenant_data()
    world = ScaleBuilder(20, 40, checks=240).build()
    small = pages.smallest_organisation(world.head)
    member = pages.member_of(small)
    assert small != world.head
    assert pages.busiest_partnership(small).parties.filter(organisation=small).count() >= 1
    # Its administrator reads that organisation only: the API list is that organisation's.
    assert list(member.memberships.values_list("organisation", flat=True)) == [small.pk]


def test_the_head_pages_are_judged_against_the_smallest_and_the_floor():
    flush_tenant_data()
    world = ScaleBuilder(20, 8, checks=48).build()
    small = pages.smallest_organisation(world.head)
    found = {
        target.name: target
        for target in pages.targets(
            world.head,
            pages.busiest_partnership(world.head),
            small,
            pages.busiest_partnership(small),
        )
    }
    assert found["dashboard"].limits == (("smallest", 2), ("floor", 5))
    assert found["review"].limits == (("smallest", 2),)
    assert found["dashboard"].counterpart in found
    assert found["admin report gaps"].limits == (("floor", 10),)
    assert found["profile"].group == pages.FLOOR
    assert found["/healthz"].limits == ()
