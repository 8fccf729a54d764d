"""Every page the benchmark measures issues as many queries for a small world as for a larger
one: the count depends on the page, never on the data (issue #8).

The worlds come from seed_scale's generator at tiny sizes, so this stays fast; ``make bench``
checks the same pages at 5,000 partnerships.
"""

from __future__ import annotations

import pytest

from bench import pages
from organisations.models import User
from partnerships.demo.scale import HEAD_ADMIN, ScaleBuilder
from partnerships.management.commands.seed_scale import flush_tenant_data

pytestmark = pytest.mark.django_db


def query_counts(partnerships: int) -> dict[str, int]:
    flush_tenant_data()
    world = ScaleBuilder(20, partnerships, checks=partnerships * 6).build()
    organisation = world.head  # at these sizes another organisation may have more
    member = User.objects.get(username=HEAD_ADMIN)
    clients = pages.clients(member, world.superuser)
    counts = {}
    for target in pages.targets(organisation, pages.busiest_partnership(organisation)):
        client = clients[target.who]
        pages.fetch(client, target)  # warm the caches (content types, site) first
        counts[target.name] = pages.query_count(client, target)
    return counts


def test_measured_pages_issue_the_same_queries_at_8_and_at_40_partnerships():
    small = query_counts(8)
    large = query_counts(40)
    assert set(small) >= {"dashboard", "list", "workspace", "API list", "admin report gaps"}
    assert small == large
