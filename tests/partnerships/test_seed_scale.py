"""seed_scale: a deterministic world, valid for every constraint, refusing a non-empty database."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from organisations.models import Organisation
from partnerships.models import ConcernCheck, Partnership
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SMALL = {"organisations": 20, "partnerships": 60, "checks": 400}


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", **SMALL, **options, stdout=out)
    return out.getvalue()


def fingerprint() -> list:
    return list(
        Partnership.objects.order_by("title", "starts_on").values_list(
            "title", "status", "starts_on", "ends_on", "next_review_on", "scope"
        )
    )


def test_it_builds_the_sizes_asked_with_a_busy_network_head():
    output = seed()
    assert Partnership.objects.count() == 60
    assert ConcernCheck.objects.count() == 400
    head = Organisation.objects.get(memberships__user__username="reseau-admin")
    assert Partnership.objects.for_organisation(head).count() >= 60 // 4
    assert "reseau-admin" in output


def test_the_history_agrees_with_the_rows_it_describes():
    seed()
    for partnership in Partnership.objects.all()[:20]:
        latest = partnership.history.latest()
        assert (latest.ends_on, latest.next_review_on, latest.scope) == (
            partnership.ends_on,
            partnership.next_review_on,
            partnership.scope,
        )


def test_the_same_seed_builds_the_same_world():
    seed()
    first = fingerprint()
    seed(flush=True)
    assert fingerprint() == first


def test_a_database_holding_data_is_refused_unless_flushed():
    OrganisationFactory()
    with pytest.raises(CommandError, match="--flush"):
        seed()
    seed(flush=True)
    assert Partnership.objects.count() == 60
