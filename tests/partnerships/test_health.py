"""Each health signal of DESIGN.md, computed in the database, told in one sentence."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partnerships import policy
from partnerships.models import Partnership
from partnerships.reads.health import flagged, health_signals, with_health
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ResponsibilityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def codes(partnership, organisation) -> list[str]:
    """The signals told for the partnership; the dashboard's count (``flagged``, on the read
    model) must agree on whether there is any."""
    one = Partnership.objects.filter(pk=partnership.pk)
    found = [
        signal.code for signal in health_signals(with_health(one, organisation, TODAY).get(), TODAY)
    ]
    assert flagged(one, organisation, TODAY).exists() == bool(found)
    return found


@pytest.fixture
def busy(partnership, org_a, org_c):
    """Both parties have something to do, so no 'idle party' signal by default."""
    for org in (org_a, org_c):
        ResponsibilityFactory(party=partnership.parties.get(organisation=org))
    return partnership


def test_a_healthy_partnership_has_no_signal(busy, org_a):
    assert codes(busy, org_a) == []


def test_fusion_and_idle_party(partnership, org_a):
    LevelAssessmentFactory(partnership=partnership, level=7)
    assert codes(partnership, org_a) == ["fusion", "idle_party"]


def test_weight_asymmetry_mentions_an_open_power_fear(busy, org_a, org_c):
    org_a.size_band, org_c.size_band = 1, 4
    org_a.save()
    org_c.save()
    assert codes(busy, org_a) == ["weight_asymmetry"]
    ConcernFactory(raised_by=busy.parties.get(organisation=org_c), category="power")
    annotated = with_health(Partnership.objects.all(), org_a, TODAY).get()
    assert "partage du pouvoir" in health_signals(annotated, TODAY)[0].message


def test_a_private_power_fear_of_another_party_is_not_revealed(busy, org_a, org_c):
    org_a.size_band, org_c.size_band = 1, 4
    org_a.save()
    org_c.save()
    ConcernFactory(
        raised_by=busy.parties.get(organisation=org_c), category="power", visibility="private"
    )
    annotated = with_health(Partnership.objects.all(), org_a, TODAY).get()
    assert "pouvoir" not in health_signals(annotated, TODAY)[0].message


def test_drift_overdue_commitments_review_and_stuck_concerns(busy, org_a):
    party = busy.parties.get(organisation=org_a)
    CommitmentFactory(party=party, due_on=TODAY - datetime.timedelta(days=1))
    CommitmentFactory(
        party=party, due_on=TODAY - datetime.timedelta(days=1), status="done", completed_on=TODAY
    )
    busy.next_review_on = TODAY - datetime.timedelta(days=5)
    busy.save()
    stuck = ConcernFactory(raised_by=party)
    for day, intensity in ((1, 5), (2, 4), (3, 4)):
        ConcernCheckFactory(
            concern=stuck, intensity=intensity, checked_on=datetime.date(2026, 1, day)
        )
    easing = ConcernFactory(raised_by=party)
    for day, intensity in ((1, 5), (2, 4)):
        ConcernCheckFactory(
            concern=easing, intensity=intensity, checked_on=datetime.date(2026, 1, day)
        )
    assert codes(busy, org_a) == ["overdue_commitments", "review_overdue", "stuck_concerns"]


def test_gaps_and_a_far_target(busy, org_a, org_c):
    LevelAssessmentFactory(partnership=busy, kind="agreed", level=3)
    LevelAssessmentFactory(partnership=busy, kind="target", level=6)
    for org, level in ((org_a, 5), (org_c, 2)):
        LevelAssessmentFactory(
            partnership=busy,
            kind="perceived",
            level=level,
            party=busy.parties.get(organisation=org),
        )
    assert codes(busy, org_a) == ["perception_gap", "agreement_gap", "target_far"]


def test_signals_of_many_partnerships_take_one_query(org_a, django_assert_num_queries):
    for _ in range(6):
        PartyFactory(organisation=org_a, partnership__status="active", organisation__size_band=1)
        OrganisationFactory()
    with django_assert_num_queries(1):
        rows = list(with_health(Partnership.objects.for_organisation(org_a), org_a, TODAY))
    assert len(rows) == 6


def _overdue_commitment(p, org):
    CommitmentFactory(party=p.parties.get(organisation=org), due_on=TODAY - datetime.timedelta(1))


def _review_overdue(p, org):
    p.next_review_on = TODAY - datetime.timedelta(days=1)
    p.save()


def _stuck_concern(p, org):
    concern = ConcernFactory(raised_by=p.parties.get(organisation=org))
    for day in (1, 2):
        ConcernCheckFactory(concern=concern, intensity=5, checked_on=datetime.date(2026, 1, day))


def _agreement_ending(p, org):
    AgreementFactory(
        partnership=p,
        state="in_force",
        in_force_at=timezone.now(),
        ends_on=TODAY + datetime.timedelta(days=30),
    )


def _target_far(p, org):
    LevelAssessmentFactory(partnership=p, kind="agreed", level=2)
    LevelAssessmentFactory(partnership=p, kind="target", level=5)


@pytest.mark.parametrize(
    "make, code",
    [
        (_overdue_commitment, "overdue_commitments"),
        (_review_overdue, "review_overdue"),
        (_stuck_concern, "stuck_concerns"),
        (_agreement_ending, "agreement_ending"),
        (_target_far, "target_far"),
    ],
)
def test_each_signal_alone_is_counted_by_the_dashboard(busy, org_a, make, code):
    make(busy, org_a)
    assert codes(busy, org_a) == [code]  # and ``flagged`` agrees (see ``codes``)


def test_a_user_sees_what_their_organisations_see_together(busy, org_a, org_c):
    """A user sees the union of what their organisations see (a private stuck fear counts for
    the organisation that raised it only); a user of one organisation reads as it."""
    private = ConcernFactory(
        raised_by=busy.parties.get(organisation=org_c), category="power", visibility="private"
    )
    for day in (1, 2):
        ConcernCheckFactory(concern=private, intensity=5, checked_on=datetime.date(2026, 1, day))
    of_a, of_both = UserFactory(), UserFactory()
    MembershipFactory(user=of_a, organisation=org_a)
    for organisation in (org_a, org_c):
        MembershipFactory(user=of_both, organisation=organisation)

    def stuck(viewer):
        return with_health(Partnership.objects.all(), viewer, TODAY).get().stuck_concern_count

    assert (stuck(of_a), stuck(org_a), stuck(org_c), stuck(of_both)) == (0, 0, 1, 1)
    assert policy.sole_organisation(of_a) == org_a
    assert policy.sole_organisation(of_both) is None
    org_c.active = False  # an inactive organisation sees nothing: the user acts for one again
    org_c.save()
    assert (stuck(of_both), policy.sole_organisation(of_both)) == (0, org_a)
