"""Real concurrency: threads with their own database connections write at the same moment.

On PostgreSQL, ten people save the same partnership (and the same commitment) from the same
version: exactly one save wins, the nine others are refused, one history row is added. On the
embedded SQLite, eight writers at once all succeed: they wait for each other (IMMEDIATE
transactions and a busy timeout) instead of failing with "database is locked".
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from partnerships.models import Commitment, Partnership
from partnerships.services.partnerships import partnership_update
from partnerships.services.records import level_record, record_save
from partnerships.services.versions import StaleVersion
from tests.factories import (
    CommitmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work: Callable[[int], str]) -> Counter:
    """Run ``work(i)`` in ``count`` threads released together; count what each returned."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = work(index)
        except Exception as error:  # reported below with its type, never swallowed
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return Counter(outcomes)


@pytest.fixture
def cast():
    organisation = OrganisationFactory(slug="association-a")
    editor = UserFactory(username="bob")
    MembershipFactory(user=editor, organisation=organisation, role="editor")
    partnership = PartnershipFactory(title="Lecture au collège")
    party = PartyFactory(partnership=partnership, organisation=organisation, role="lead")
    return editor, organisation, partnership, party


def _saves(history) -> int:
    return history.filter(history_type="~").count()


def test_ten_concurrent_saves_of_one_version_let_exactly_one_through_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter: SQLite runs one writer at a time")
    editor, organisation, partnership, party = cast
    commitment = CommitmentFactory(party=party)
    saves_before = (_saves(partnership.history), _saves(commitment.history))

    def save_partnership(index: int) -> str:
        try:
            partnership_update(
                actor=editor,
                organisation=organisation,
                partnership=Partnership.objects.get(pk=partnership.pk),
                version=1,
                title=f"Titre {index}",
            )
        except StaleVersion as stale:
            return f"stale at {stale.current_version}"
        return "saved"

    def save_commitment(index: int) -> str:
        record = Commitment.objects.get(pk=commitment.pk)
        record.title = f"Engagement {index}"
        try:
            record_save(actor=editor, organisation=organisation, record=record, version=1)
        except StaleVersion as stale:
            return f"stale at {stale.current_version}"
        return "saved"

    for save, model, record in (
        (save_partnership, Partnership, partnership),
        (save_commitment, Commitment, commitment),
    ):
        assert run_at_once(10, save) == Counter({"saved": 1, "stale at 2": 9})
        stored = model.objects.get(pk=record.pk)
        assert stored.version == 2
        winner = stored.history.first()
        assert (winner.version, winner.title, winner.history_user) == (2, stored.title, editor)
    assert (_saves(partnership.history), _saves(commitment.history)) == (
        saves_before[0] + 1,
        saves_before[1] + 1,
    )


def test_eight_concurrent_writers_on_sqlite_all_succeed(cast):
    if connection.vendor != "sqlite":
        pytest.skip("the busy timeout and IMMEDIATE transactions are the SQLite default's tuning")
    editor, organisation, partnership, party = cast
    writes_each = 5

    def write(index: int) -> str:
        for step in range(writes_each):
            record_save(
                actor=editor,
                organisation=organisation,
                record=Commitment(
                    partnership=partnership, party=party, title=f"Écrivain {index}, {step}"
                ),
            )
            level_record(
                actor=editor,
                organisation=organisation,
                partnership=partnership,
                kind="perceived",
                level=1 + (index + step) % 7,
            )
        return "done"

    assert run_at_once(8, write) == Counter({"done": 8})
    titles = set(Commitment.objects.values_list("title", flat=True))
    assert titles == {f"Écrivain {i}, {s}" for i in range(8) for s in range(writes_each)}
    assert partnership.level_assessments.count() == 8 * writes_each


def test_minutes_and_an_agreed_level_saved_at_one_meeting_wait_rather_than_deadlock(cast):
    """The minutes' save locks the review, then refreshes the partnership's state; the agreed
    level's refreshes that state too, and its reference to the review is checked at commit.
    Taken in opposite orders the two locks deadlock (seen in the browser tests); every write of
    a review takes the review first."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter: SQLite runs one writer at a time")
    import time

    from django.db import transaction

    from partnerships.models import Review
    from partnerships.services.records import review_save
    from tests.factories import ReviewFactory

    editor, organisation, partnership, _party = cast
    review = ReviewFactory(partnership=partnership, status="held", held_on=datetime.date.today())
    review_locked, level_started = threading.Event(), threading.Event()

    def minutes(index: int) -> str:
        with transaction.atomic():
            stored = Review.objects.select_for_update().get(pk=review.pk)
            review_locked.set()
            level_started.wait(timeout=10)
            time.sleep(0.5)  # the agreed level runs meanwhile, as far as its locks let it
            stored.minutes = "Chacun a dit ce qu'il attend de l'année."
            review_save(actor=editor, organisation=organisation, review=stored)
        return "minutes saved"

    def agreed(index: int) -> str:
        review_locked.wait(timeout=10)
        level_started.set()
        level_record(
            actor=editor,
            organisation=organisation,
            partnership=Partnership.objects.get(pk=partnership.pk),
            kind="agreed",
            level=4,
            review=Review.objects.get(pk=review.pk),
        )
        return "level saved"

    outcomes = run_at_once(2, lambda index: (minutes, agreed)[index](index))
    assert outcomes == Counter({"minutes saved": 1, "level saved": 1})
    assert Partnership.objects.with_levels().get(pk=partnership.pk).agreed_level == 4
