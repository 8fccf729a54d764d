"""The read model never disagrees with the logs, nor tells an organisation what it may not see.

A hypothesis state machine plays random sequences of service calls on one partnership (levels,
blind ratings before and after their review is held, concerns shared or private, their checks,
commitments, parties joining and leaving, agreements, sizes) and checks after each step that
the stored rows equal a recomputation, and that they match what this test works out on its own,
the slow way, from the rows each organisation may read.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from dataclasses import astuple

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from organisations.choices import SizeBand
from partnerships import policy
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernStatus,
    ReviewStatus,
    Visibility,
)
from partnerships.exceptions import StateConflict
from partnerships.models import (
    Commitment,
    Concern,
    ConcernCheck,
    ConcernMonth,
    LevelAssessment,
    LevelProposal,
    PartnerLink,
    Partnership,
    PartnershipState,
    PartnershipView,
    Party,
)
from partnerships.reads.todo import todo_items
from partnerships.services import partner_links, state
from partnerships.services.agreements import agreement_approve
from partnerships.services.partnerships import party_leave
from partnerships.services.proposals import (
    level_proposal_confirm,
    level_proposal_refuse,
    level_propose,
)
from partnerships.services.records import (
    concern_check_record,
    concern_raise,
    level_record,
    record_save,
)
from partnerships.services.reviews import review_close, review_hold
from tests.factories import (
    AgreementFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
)
from tests.partnerships import todo_from_records

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ORGANISATIONS = 3
levels = st.integers(min_value=1, max_value=7)
who = st.integers(min_value=0, max_value=ORGANISATIONS - 1)


def expected_levels(partnership: Partnership) -> dict:
    """Levels and gaps worked out here from the entries every party may see."""
    taking_part = {
        party.pk
        for party in Party.objects.filter(partnership=partnership)
        if party.invitation == "accepted" and party.left_on is None
    }
    latest = {}
    for entry in LevelAssessment.objects.filter(partnership=partnership).select_related("review"):
        sealed = entry.review is not None and entry.review.status == ReviewStatus.PLANNED
        if sealed:
            continue
        key = entry.party_id if entry.kind == AssessmentKind.PERCEIVED else entry.kind
        if entry.kind == AssessmentKind.PERCEIVED and entry.party_id not in taking_part:
            continue
        if key not in latest or (entry.assessed_on, entry.pk) > (
            latest[key].assessed_on,
            latest[key].pk,
        ):
            latest[key] = entry
    agreed = latest.get(AssessmentKind.AGREED)
    perceived = [e.level for k, e in latest.items() if isinstance(k, int)]
    agreed_level = agreed.level if agreed else None
    return {
        "agreed_level": agreed_level,
        "perceived_min": min(perceived) if perceived else None,
        "perceived_max": max(perceived) if perceived else None,
        "perception_gap": max(perceived) - min(perceived) if len(perceived) >= 2 else None,
        "agreement_gap": max(abs(p - agreed_level) for p in perceived)
        if perceived and agreed_level is not None
        else None,
    }


def expected_high_concerns(partnership: Partnership, organisation) -> int:
    """Open concerns the organisation may read whose latest check is 4 or 5."""
    count = 0
    for concern in Concern.objects.filter(partnership=partnership).select_related("raised_by"):
        if concern.status == ConcernStatus.RESOLVED:
            continue
        if concern.visibility == Visibility.PRIVATE and (
            concern.raised_by.organisation_id != organisation.pk
        ):
            continue
        last = concern.checks.order_by("-checked_on", "-pk").first()
        if last is not None and last.intensity >= 4:
            count += 1
    return count


class ReadModelMachine(RuleBasedStateMachine):
    @initialize()
    def start(self):
        # Each example in a savepoint rolled back at its end: examples never see each other.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.organisations = [OrganisationFactory() for _ in range(ORGANISATIONS)]
        self.admins = [
            MembershipFactory(organisation=o, role="admin").user for o in self.organisations
        ]
        self.partnership = PartnershipFactory()
        for organisation in self.organisations[:2]:
            PartyFactory(partnership=self.partnership, organisation=organisation)
        self.review = None

    def party(self, i: int) -> Party | None:
        return Party.objects.filter(
            partnership=self.partnership, organisation=self.organisations[i]
        ).first()

    def acting(self, i: int) -> dict | None:
        party = self.party(i)
        if party is None or party.invitation != "accepted" or party.left_on is not None:
            return None
        return {"actor": self.admins[i], "organisation": self.organisations[i]}

    # --- Levels --------------------------------------------------------------------------
    @rule(i=who, level=levels, blind=st.booleans(), days_ago=st.integers(0, 3))
    def rate(self, i, level, blind, days_ago):
        acting = self.acting(i)
        if acting is None:
            return
        review = self.review if blind and self.review is not None else None
        if review is not None and review.status != ReviewStatus.PLANNED:
            return
        level_record(
            **acting,
            partnership=self.partnership,
            kind=AssessmentKind.PERCEIVED,
            level=level,
            review=review,
            assessed_on=TODAY - datetime.timedelta(days=days_ago),
        )

    @rule(level=levels, kind=st.sampled_from([AssessmentKind.AGREED, AssessmentKind.TARGET]))
    def agree(self, level, kind):
        LevelAssessmentFactory(partnership=self.partnership, kind=kind, level=level)

    # --- Reviews: blind ratings stay out of every gap until the review is held ------------
    @rule()
    def plan_review(self):
        if self.review is None or self.review.status == ReviewStatus.CLOSED:
            self.review = ReviewFactory(partnership=self.partnership)

    @rule(i=who)
    def hold_review(self, i):
        acting = self.acting(i)
        if acting and self.review is not None and self.review.status == ReviewStatus.PLANNED:
            self.review = review_hold(**acting, review=self.review)

    @rule(i=who)
    def close_review(self, i):
        acting = self.acting(i)
        if acting and self.review is not None and self.review.status == ReviewStatus.HELD:
            self.review = review_close(**acting, review=self.review)

    # --- Concerns ------------------------------------------------------------------------
    @rule(
        i=who,
        private=st.booleans(),
        power=st.booleans(),
        intensity=st.none() | st.integers(0, 5),
    )
    def raise_concern(self, i, private, power, intensity):
        acting = self.acting(i)
        if acting is None:
            return
        concern = Concern(
            partnership=self.partnership,
            raised_by=self.party(i),
            kind="fear",
            category="power" if power else "investment",
            description="Une crainte",
            visibility=Visibility.PRIVATE if private else Visibility.SHARED,
        )
        concern_raise(**acting, concern=concern, intensity=intensity)

    @rule(i=who, pick=st.integers(0, 20), intensity=st.integers(0, 5))
    def rerate_concern(self, i, pick, intensity):
        acting = self.acting(i)
        concerns = list(Concern.objects.filter(partnership=self.partnership).order_by("pk"))
        if acting is None or not concerns:
            return
        concern = concerns[pick % len(concerns)]
        if concern.is_private and concern.raised_by.organisation_id != self.organisations[i].pk:
            return
        concern_check_record(**acting, concern=concern, intensity=intensity)

    @rule(pick=st.integers(0, 20), status=st.sampled_from(ConcernStatus.values))
    def move_concern(self, pick, status):
        concerns = list(Concern.objects.filter(partnership=self.partnership).order_by("pk"))
        if concerns:
            concern = concerns[pick % len(concerns)]
            concern.status = status
            concern.save()

    # --- Commitments ---------------------------------------------------------------------
    @rule(i=who, days=st.integers(-5, 5))
    def commit(self, i, days):
        acting = self.acting(i)
        if acting is None:
            return
        record_save(
            **acting,
            record=Commitment(
                partnership=self.partnership,
                party=self.party(i),
                title="Un engagement",
                due_on=TODAY + datetime.timedelta(days=days),
            ),
        )

    @rule(i=who, pick=st.integers(0, 20))
    def finish_commitment(self, i, pick):
        acting = self.acting(i)
        commitments = list(Commitment.objects.filter(partnership=self.partnership).order_by("pk"))
        if acting is None or not commitments:
            return
        commitment = commitments[pick % len(commitments)]
        commitment.status = CommitmentStatus.DONE
        commitment.completed_on = TODAY
        record_save(**acting, record=commitment)

    # --- Parties, agreements, sizes -----------------------------------------------------
    @rule(i=who)
    def join(self, i):
        if self.party(i) is None:
            PartyFactory(partnership=self.partnership, organisation=self.organisations[i])

    @rule(i=who)
    def leave(self, i):
        acting = self.acting(i)
        if acting is None:
            return
        with contextlib.suppress(StateConflict):  # the last party cannot leave
            party_leave(**acting, partnership=self.partnership)

    @rule(days=st.integers(-10, 200))
    def agreement_in_force(self, days):
        AgreementFactory(
            partnership=self.partnership,
            state="in_force",
            in_force_at=timezone.now(),
            starts_on=TODAY - datetime.timedelta(days=400),
            ends_on=TODAY + datetime.timedelta(days=days),
        )

    # --- What the to-do follows: invitations, proposals, approvals, the review calendar ---
    @rule(i=who)
    def invite(self, i):
        if self.party(i) is None:
            PartyFactory(
                partnership=self.partnership,
                organisation=self.organisations[i],
                invitation="invited",
            )

    @rule(i=who)
    def accept(self, i):
        party = self.party(i)
        if party is not None and party.invitation == "invited":
            party.invitation = "accepted"
            party.save()

    @rule(i=who, level=levels)
    def propose(self, i, level):
        acting = self.acting(i)
        if acting is not None:
            with contextlib.suppress(StateConflict, PermissionDenied, ValidationError):
                level_propose(**acting, partnership=self.partnership, level=level, rationale="")

    @rule(i=who, confirm=st.booleans())
    def answer_proposal(self, i, confirm):
        acting = self.acting(i)
        proposal = LevelProposal.objects.filter(
            partnership=self.partnership, state="pending"
        ).first()
        if acting is None or proposal is None:
            return
        answer = level_proposal_confirm if confirm else level_proposal_refuse
        with contextlib.suppress(StateConflict, PermissionDenied, ValidationError):
            answer(**acting, proposal=proposal)

    @rule()
    def submit_agreement(self):
        AgreementFactory(
            partnership=self.partnership,
            state="pending",
            submission_round=1,
            submitted_at=timezone.now(),
        )

    @rule(i=who)
    def approve(self, i):
        acting = self.acting(i)
        pending = self.partnership.agreements.filter(state="pending").first()
        if acting is not None and pending is not None:
            with contextlib.suppress(StateConflict, PermissionDenied, ValidationError):
                agreement_approve(**acting, agreement=pending)

    @rule(days=st.integers(-400, 30), running=st.booleans(), cadence=st.sampled_from([1, 3, 12]))
    def reschedule(self, days, running, cadence):
        self.partnership.refresh_from_db()
        self.partnership.next_review_on = TODAY + datetime.timedelta(days=days)
        self.partnership.status = "active" if running else "ended"
        self.partnership.review_cadence = cadence
        self.partnership.title = f"Partenariat {days}"
        self.partnership.save()

    @rule(i=who, band=st.sampled_from(SizeBand.values))
    def resize(self, i, band):
        organisation = self.organisations[i]
        organisation.refresh_from_db()
        organisation.size_band = band
        organisation.save()

    def teardown(self):
        if hasattr(self, "savepoint"):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

    # --- What must always hold -------------------------------------------------------------
    @invariant()
    def stored_rows_equal_the_logs(self):
        if hasattr(self, "partnership"):
            assert state.drift([self.partnership.pk]) == []
            # every organisation's partners, those that never joined or were removed included
            assert partner_links.drift(o.pk for o in self.organisations) == []

    @invariant()
    def the_stored_to_do_is_the_to_do_of_the_records(self):
        """Today and on later days (reviews, commitments and concerns fall due as the calendar
        moves), each organisation's to-do read from the read model is the one the records
        give."""
        if not hasattr(self, "partnership"):
            return
        for user, organisation in zip(self.admins, self.organisations, strict=True):
            actor = policy.Actor.of(user, organisation)
            for days in (0, 40):
                day = TODAY + datetime.timedelta(days=days)
                stored = [astuple(item) for item in todo_items(actor, day)]
                from_records = [astuple(item) for item in todo_from_records.todo_items(actor, day)]
                assert stored == from_records, days

    @invariant()
    def the_intensity_chart_counts_only_what_each_organisation_sees(self):
        if not hasattr(self, "partnership"):
            return
        for organisation in self.organisations:
            expected = {}
            for check in ConcernCheck.objects.filter(
                concern__partnership=self.partnership
            ).select_related("concern__raised_by"):
                concern = check.concern
                joined = Party.objects.filter(
                    partnership=self.partnership, organisation=organisation, invitation="accepted"
                ).exists()
                private = concern.visibility == Visibility.PRIVATE
                if not joined or (private and concern.raised_by.organisation_id != organisation.pk):
                    continue
                key = (check.checked_on.replace(day=1), concern.kind, concern.category)
                total, count = expected.get(key, (0, 0))
                expected[key] = (total + check.intensity, count + 1)
            stored = {
                (row.month, row.kind, row.category): (row.total, row.checks)
                for row in ConcernMonth.objects.filter(organisation=organisation, checks__gt=0)
            }
            assert stored == expected

    @invariant()
    def levels_count_only_revealed_ratings(self):
        if not hasattr(self, "partnership"):
            return
        stored = PartnershipState.objects.get(partnership=self.partnership)
        for field, value in expected_levels(self.partnership).items():
            assert getattr(stored, field) == value, field

    @invariant()
    def each_organisation_counts_only_what_it_sees(self):
        if not hasattr(self, "partnership"):
            return
        for i, organisation in enumerate(self.organisations):
            party = self.party(i)
            row = PartnershipView.objects.filter(
                partnership=self.partnership, organisation=organisation
            ).first()
            if party is None or party.invitation != "accepted":
                assert row is None  # an organisation that never joined has no row at all
                continue
            assert row.high_concerns == expected_high_concerns(self.partnership, organisation)


def test_the_read_model_follows_every_sequence_of_writes():
    steps = int(os.environ.get("READ_MODEL_STEPS", "12"))
    examples = int(os.environ.get("READ_MODEL_EXAMPLES", "20"))
    ReadModelMachine.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(ReadModelMachine, settings=ReadModelMachine.TestCase.settings)


def test_rebuild_mends_a_drift_and_check_reports_it(capsys):
    party = PartyFactory()
    LevelAssessmentFactory(partnership=party.partnership, kind="agreed", level=5)
    assert PartnershipState.objects.get(partnership=party.partnership).agreed_level == 5
    PartnershipState.objects.filter(partnership=party.partnership).update(agreed_level=2)
    assert state.drift([party.partnership.pk])  # seen
    with pytest.raises(CommandError):
        call_command("rebuild_read_model", "--check")
    call_command("rebuild_read_model")
    assert PartnershipState.objects.get(partnership=party.partnership).agreed_level == 5
    call_command("rebuild_read_model", "--check")
    assert "matches" in capsys.readouterr().out


def test_the_nightly_check_logs_a_drift(caplog):
    party = PartyFactory()
    PartnershipView.objects.filter(partnership=party.partnership).update(high_concerns=3)
    from partnerships.tasks import check_read_model

    assert check_read_model() == 1
    assert "read model drift" in caplog.text


def test_a_deleted_partnership_leaves_no_row():
    party = PartyFactory()
    ConcernCheck.objects.create(
        concern=Concern.objects.create(
            partnership=party.partnership,
            raised_by=party,
            kind="fear",
            category="power",
            description="x",
        ),
        intensity=5,
    )
    partnership_id = party.partnership_id
    assert ConcernMonth.objects.get(organisation=party.organisation).checks == 1
    Partnership.objects.filter(pk=partnership_id).delete()
    assert not ConcernMonth.objects.filter(organisation=party.organisation, checks__gt=0).exists()
    assert not PartnershipState.objects.filter(partnership_id=partnership_id).exists()
    assert not PartnershipView.objects.filter(partnership_id=partnership_id).exists()


def test_partners_follow_parties_joining_leaving_and_a_partnership_deleted():
    """An organisation's partners: those that joined one of its partnerships (one that left
    still counts, one only invited does not), gone with the last partnership they shared."""
    first, second = PartyFactory(), PartyFactory()
    a, b = first.organisation, second.organisation
    PartyFactory(partnership=first.partnership, organisation=b)
    invited = PartyFactory(partnership=first.partnership, invitation="invited")

    def partners(organisation):
        return dict(
            PartnerLink.objects.filter(organisation=organisation).values_list("partner", "shared")
        )

    assert partners(a) == {b.pk: 1} and partners(b) == {a.pk: 1}
    assert partners(invited.organisation) == {}
    PartyFactory(partnership=second.partnership, organisation=a, left_on=None)
    assert partners(a) == {b.pk: 2}
    invited.invitation = "accepted"
    invited.save()
    assert partners(invited.organisation) == {a.pk: 1, b.pk: 1}
    Partnership.objects.filter(pk=first.partnership_id).delete()
    assert partners(a) == {b.pk: 1} and partners(invited.organisation) == {}
    Party.objects.filter(partnership=second.partnership, organisation=a).delete()
    assert partners(a) == {} and partners(b) == {}
    assert state.drift() == []


def test_migrate_fills_a_missing_read_model():
    from partnerships.apps import build_missing_read_model

    party = PartyFactory()
    LevelAssessmentFactory(partnership=party.partnership, kind="agreed", level=6)
    PartnershipState.objects.all().delete()
    PartnershipView.objects.all().delete()
    build_missing_read_model()
    assert PartnershipState.objects.get(partnership=party.partnership).agreed_level == 6
    assert PartnershipView.objects.filter(partnership=party.partnership).exists()


def test_a_level_entry_refreshes_the_state_and_leaves_the_concerns_alone():
    party = PartyFactory()
    with CaptureQueriesContext(connection) as queries:
        LevelAssessmentFactory(partnership=party.partnership, kind="agreed", level=4)
    assert PartnershipState.objects.get(partnership=party.partnership).agreed_level == 4
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "partnerships_concern" not in touched
    assert "partnerships_partnershipview" not in touched
    assert state.drift([party.partnership_id]) == []


def test_a_concern_check_refreshes_what_each_organisation_sees_and_not_the_levels():
    party = PartyFactory()
    concern = Concern.objects.create(
        partnership=party.partnership, raised_by=party, kind="fear", category="power"
    )
    with CaptureQueriesContext(connection) as queries:
        ConcernCheck.objects.create(concern=concern, intensity=5)
    view = PartnershipView.objects.get(
        partnership=party.partnership, organisation=party.organisation
    )
    assert (view.high_concerns, view.power_fear_open) == (1, True)
    assert not any("partnerships_partnershipstate" in q["sql"] for q in queries.captured_queries)
    assert state.drift([party.partnership_id]) == []


def test_deferred_writes_refresh_once_at_the_end_and_a_read_sees_them_before():
    party = PartyFactory()
    stored = PartnershipState.objects.filter(partnership=party.partnership)
    with transaction.atomic(), state.deferred():
        LevelAssessmentFactory(partnership=party.partnership, kind="agreed", level=3)
        assert stored.get().agreed_level is None  # not yet: the block gathers it
        assert state.drift([party.partnership_id]) != []
        # A read of the read model inside the block refreshes first.
        read = Partnership.objects.with_levels().get(pk=party.partnership_id)
        assert read.agreed_level == 3
        LevelAssessmentFactory(partnership=party.partnership, kind="target", level=5)
    assert (stored.get().agreed_level, stored.get().target_level) == (3, 5)
    assert state.drift([party.partnership_id]) == []


def test_a_deferred_block_that_fails_leaves_the_next_writes_refreshed_at_once():
    party = PartyFactory()
    with contextlib.suppress(RuntimeError), transaction.atomic(), state.deferred():
        LevelAssessmentFactory(partnership=party.partnership, kind="agreed", level=3)
        raise RuntimeError("the import stops")
    assert not LevelAssessment.objects.filter(partnership=party.partnership).exists()
    LevelAssessmentFactory(partnership=party.partnership, kind="agreed", level=6)
    assert PartnershipState.objects.get(partnership=party.partnership).agreed_level == 6
