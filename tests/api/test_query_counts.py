"""List endpoints issue a fixed number of queries, whatever the page size.

Clients are authenticated with force_authenticate, so no query is spent on the token.
"""

from __future__ import annotations

import pytest

from tests.factories import (
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def assert_same_queries_for_every_page_size(client, url, expected, django_assert_num_queries):
    for page_size in (1, 5):
        with django_assert_num_queries(expected):
            response = client.get(url, {"page_size": page_size})
        assert len(response.json()["results"]) == page_size


def test_concerns_list(api, viewer, org_a, partnership, django_assert_num_queries):
    party = partnership.parties.get(organisation=org_a)
    for _ in range(5):
        ConcernCheckFactory(concern=ConcernFactory(raised_by=party))
    url = f"/api/v1/partnerships/{partnership.pk}/concerns/"
    # the partnership, the count, the page with latest intensities, parties and authors
    assert_same_queries_for_every_page_size(api(viewer), url, 3, django_assert_num_queries)


def test_commitments_list(api, viewer, org_a, partnership, django_assert_num_queries):
    for _ in range(5):
        CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    url = f"/api/v1/partnerships/{partnership.pk}/commitments/"
    # the partnership, the count, the page with its parties' organisations
    assert_same_queries_for_every_page_size(api(viewer), url, 3, django_assert_num_queries)


def test_levels_list(api, viewer, org_a, partnership, django_assert_num_queries):
    party = partnership.parties.get(organisation=org_a)
    for level in range(1, 6):
        LevelAssessmentFactory(partnership=partnership, kind="perceived", party=party, level=level)
    url = f"/api/v1/partnerships/{partnership.pk}/levels/"
    # the partnership, the count, the page with parties and authors
    assert_same_queries_for_every_page_size(api(viewer), url, 3, django_assert_num_queries)


def test_reviews_list(api, viewer, editor, partnership, django_assert_num_queries):
    for _ in range(5):
        ReviewFactory(partnership=partnership).attendees.add(editor)
    url = f"/api/v1/partnerships/{partnership.pk}/reviews/"
    # the partnership, the caller's organisations (for the records' privacy), the count,
    # the page with its planners, the attendees
    assert_same_queries_for_every_page_size(api(viewer), url, 5, django_assert_num_queries)


def test_organisations_list(api, viewer, django_assert_num_queries):
    for _ in range(5):
        MembershipFactory(user=viewer, organisation=OrganisationFactory())
    # the count, the page with roles and parent systems
    assert_same_queries_for_every_page_size(
        api(viewer), "/api/v1/organisations/", 2, django_assert_num_queries
    )


def test_invitations_list(api, outsider, org_b, django_assert_num_queries):
    for _ in range(5):
        PartyFactory(organisation=org_b, invitation="invited", invited_by=UserFactory())
    # the count, the page with partnerships, organisations and inviting organisations
    assert_same_queries_for_every_page_size(
        api(outsider), "/api/v1/invitations/", 2, django_assert_num_queries
    )
