from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory

from organisations.models import Membership, Organisation, User
from partnerships.choices import Level, PartnershipStatus
from partnerships.models import Commitment, ConcernCheck, Partnership, Review

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("organisations").get_models(),
        *apps.get_app_config("partnerships").get_models(),
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module: each test runs inside a savepoint of this
    transaction (pytest-django's ``db``), so what one test writes is gone for the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_data, db):
    return None


def test_a_second_run_changes_nothing(seeded):
    first = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == first
    assert "0 created now" in out.getvalue()


def test_demo_covers_the_typology(seeded):
    partnerships = Partnership.objects.with_levels()
    assert {p.agreed_level for p in partnerships} >= set(Level.values)
    assert {p.status for p in partnerships} == set(PartnershipStatus.values)
    assert {p.scope for p in partnerships} == {"internal", "external"}
    assert partnerships.count() >= 10
    assert any(p.perception_gap and p.perception_gap >= 2 for p in partnerships)


def test_demo_has_a_system_with_three_units(seeded):
    system = Organisation.objects.get(slug="ville-belle-riviere")
    assert system.units.count() == 3
    assert Organisation.objects.count() >= 8


def test_demo_has_eighteen_months_of_history(seeded):
    held = Review.objects.held().order_by("held_on")
    span = held.last().held_on - held.first().held_on
    assert span.days >= 15 * 30
    assert Commitment.objects.overdue().exists()
    assert Commitment.objects.filter(status="done").exists()


def test_concern_intensities_rise_and_fall(seeded):
    series = {}
    for check in ConcernCheck.objects.order_by("checked_on", "pk"):
        series.setdefault(check.concern_id, []).append(check.intensity)
    rising = [s for s in series.values() if s[-1] > s[0]]
    falling = [s for s in series.values() if s[-1] < s[0]]
    assert rising and falling


def test_demo_users_have_every_role_and_can_sign_in(seeded, client):
    assert set(Membership.objects.values_list("role", flat=True)) == {"admin", "editor", "viewer"}
    assert User.objects.filter(is_superuser=True).exists()
    # django-axes checks every sign-in against its lockouts, so it needs the request.
    request = RequestFactory().post("/accounts/login/")
    assert client.login(request=request, username="camille", password="partenariat-demo")


def test_demo_has_an_amended_agreement_ending_soon_and_one_awaiting_approval(seeded):
    from django.utils import timezone

    from partnerships.models import Agreement

    states = sorted(Agreement.objects.values_list("state", flat=True))
    assert states == ["in_force", "pending", "superseded"]
    in_force = Agreement.objects.get(state="in_force")
    assert in_force.version == 2
    assert 0 < (in_force.ends_on - timezone.localdate()).days <= 90
