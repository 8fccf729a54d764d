"""The dashboard's to-do and its API: each item for the right person only, gone once done, in a
fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import astuple

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partnerships import policy
from partnerships.choices import TodoKind
from partnerships.reads.todo import todo_items
from partnerships.services.agreements import agreement_approve
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)
from tests.partnerships import todo_from_records

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def kinds(user, organisation) -> list[str]:
    return [item.kind for item in todo_items(policy.Actor.of(user, organisation), TODAY)]


def party_of(partnership, organisation):
    return partnership.parties.get(organisation=organisation)


def test_an_invitation_is_for_administrators_of_the_invited_organisation(
    owner, editor, carla, org_a, org_c
):
    invited = PartnershipFactory(title="Jardin partagé")
    PartyFactory(partnership=invited, organisation=org_c, role="lead")
    party = PartyFactory(partnership=invited, organisation=org_a, invitation="invited")
    assert kinds(owner, org_a) == [TodoKind.ANSWER_INVITATION]
    assert kinds(editor, org_a) == []  # editors do not answer invitations
    assert TodoKind.ANSWER_INVITATION not in kinds(carla, org_c)
    party.invitation = "accepted"
    party.save()
    assert TodoKind.ANSWER_INVITATION not in kinds(owner, org_a)


def test_an_agreement_awaits_each_administrator_once(
    owner, editor, carla, partnership, org_a, org_c
):
    version = AgreementFactory(
        partnership=partnership, state="pending", submission_round=1, submitted_at=timezone.now()
    )
    assert TodoKind.APPROVE_AGREEMENT in kinds(owner, org_a)
    assert TodoKind.APPROVE_AGREEMENT in kinds(carla, org_c)
    assert TodoKind.APPROVE_AGREEMENT not in kinds(editor, org_a)
    agreement_approve(actor=owner, organisation=org_a, agreement=version)
    assert TodoKind.APPROVE_AGREEMENT not in kinds(owner, org_a)
    assert TodoKind.APPROVE_AGREEMENT in kinds(carla, org_c)


def test_a_blind_rating_is_asked_until_the_organisation_rated(
    editor, viewer, carla, partnership, org_a, org_c
):
    review = ReviewFactory(partnership=partnership, scheduled_on=TODAY + 7 * DAY)
    assert TodoKind.GIVE_RATING in kinds(editor, org_a)
    assert TodoKind.GIVE_RATING not in kinds(viewer, org_a)  # viewers do not rate
    LevelAssessmentFactory(
        partnership=partnership,
        kind="perceived",
        level=4,
        party=party_of(partnership, org_a),
        review=review,
    )
    assert TodoKind.GIVE_RATING not in kinds(editor, org_a)
    assert TodoKind.GIVE_RATING in kinds(carla, org_c)  # C has not rated yet


def test_reviews_to_plan_and_to_close(editor, partnership, org_a):
    partnership.status = "active"
    partnership.next_review_on = TODAY - 3 * DAY
    partnership.save()
    assert TodoKind.PLAN_REVIEW in kinds(editor, org_a)
    review = ReviewFactory(partnership=partnership, scheduled_on=TODAY)
    assert TodoKind.PLAN_REVIEW not in kinds(editor, org_a)  # planned now
    review.status, review.held_on = "held", TODAY
    review.save()
    assert TodoKind.CLOSE_REVIEW in kinds(editor, org_a)
    review.status, review.closed_at = "closed", timezone.now()
    review.save()
    assert TodoKind.CLOSE_REVIEW not in kinds(editor, org_a)


def test_overdue_commitments_are_those_of_the_organisation(
    editor, carla, partnership, org_a, org_c
):
    mine = CommitmentFactory(party=party_of(partnership, org_a), due_on=TODAY - 2 * DAY)
    CommitmentFactory(party=party_of(partnership, org_c), due_on=TODAY - 2 * DAY, title="C's")
    items = todo_items(policy.Actor.of(editor, org_a), TODAY)
    overdue = [item for item in items if item.kind == TodoKind.OVERDUE_COMMITMENT]
    assert len(overdue) == 1 and overdue[0].url.endswith(f"#commitment-{mine.pk}")
    mine.status, mine.completed_on = "done", TODAY
    mine.save()
    assert TodoKind.OVERDUE_COMMITMENT not in kinds(editor, org_a)
    assert TodoKind.OVERDUE_COMMITMENT in kinds(carla, org_c)


def test_a_concern_not_rerated_for_two_cycles_and_only_if_visible(
    editor, carla, partnership, org_a, org_c
):
    partnership.review_cadence = 3
    partnership.save()
    shared = ConcernFactory(raised_by=party_of(partnership, org_c), visibility="shared")
    ConcernCheckFactory(concern=shared, intensity=3, checked_on=TODAY - 200 * DAY)
    private = ConcernFactory(raised_by=party_of(partnership, org_c), visibility="private")
    ConcernCheckFactory(concern=private, intensity=3, checked_on=TODAY - 200 * DAY)
    a_items = [
        item.url
        for item in todo_items(policy.Actor.of(editor, org_a), TODAY)
        if item.kind == TodoKind.RERATE_CONCERN
    ]
    assert a_items == [a_items[0]] and a_items[0].endswith(f"#concern-{shared.pk}")
    assert [k for k in kinds(carla, org_c) if k == TodoKind.RERATE_CONCERN] == [
        TodoKind.RERATE_CONCERN,
        TodoKind.RERATE_CONCERN,
    ]
    ConcernCheckFactory(concern=shared, intensity=2, checked_on=TODAY)
    assert TodoKind.RERATE_CONCERN not in kinds(editor, org_a)


def test_a_party_that_left_has_nothing_to_do_there(editor, partnership, org_a):
    CommitmentFactory(party=party_of(partnership, org_a), due_on=TODAY - 2 * DAY)
    own = party_of(partnership, org_a)
    own.left_on = TODAY
    own.save()
    assert kinds(editor, org_a) == []


def test_the_dashboard_shows_each_item_with_its_button(client, editor, partnership, org_a):
    CommitmentFactory(
        party=party_of(partnership, org_a), due_on=TODAY - 2 * DAY, title="Prêter la salle"
    )
    client.force_login(editor)
    content = client.get(reverse("partnerships:dashboard", args=["association-a"])).content
    assert b'id="todo"' in content and "Prêter la salle".encode() in content
    assert (
        reverse("partnerships:tab-commitments", args=["association-a", partnership.pk]).encode()
        in content
    )


def test_the_todo_costs_the_same_queries_whatever_the_size(
    owner, org_a, django_assert_max_num_queries
):
    other = OrganisationFactory()

    def grow(count):
        for _ in range(count):
            p = PartnershipFactory(status="active", next_review_on=TODAY - 5 * DAY)
            own = PartyFactory(partnership=p, organisation=org_a)
            theirs = PartyFactory(partnership=p, organisation=other)
            CommitmentFactory(party=own, due_on=TODAY - DAY)
            ConcernCheckFactory(
                concern=ConcernFactory(raised_by=theirs), checked_on=TODAY - 400 * DAY
            )
            ReviewFactory(partnership=p, status="held", held_on=TODAY - DAY)
            AgreementFactory(
                partnership=p, state="pending", submission_round=1, submitted_at=timezone.now()
            )

    actor = policy.Actor.of(owner, org_a)
    grow(2)
    # One query, read from the read model's entries, whatever the kinds and their number.
    with django_assert_max_num_queries(1):
        small = todo_items(actor, TODAY)
    grow(25)
    with django_assert_max_num_queries(1):
        large = todo_items(actor, TODAY)
    assert len(large) > len(small)
    # Each kind stops at its limit, in the order the records give.
    assert as_tuples(large) == as_tuples(todo_from_records.todo_items(actor, TODAY))
    assert as_tuples(todo_items(actor, TODAY, per_kind=3)) == as_tuples(
        todo_from_records.todo_items(actor, TODAY, per_kind=3)
    )


def as_tuples(items) -> list[tuple]:
    return [astuple(item) for item in items]


def same_on(actor, *days) -> None:
    """The stored to-do is the one the records give, on each of these days."""
    for day in days:
        assert as_tuples(todo_items(actor, day)) == as_tuples(
            todo_from_records.todo_items(actor, day)
        ), day


def test_what_the_calendar_brings_shows_from_the_day_after_its_date(owner, partnership, org_a):
    """A commitment, a review due by the cadence and a concern without a recent rating show on
    the first day the records make them due, not a day earlier nor later."""
    partnership.status, partnership.review_cadence = "active", 1
    partnership.next_review_on = TODAY + 3 * DAY
    partnership.save()
    commitment = CommitmentFactory(party=party_of(partnership, org_a), due_on=TODAY + 5 * DAY)
    concern = ConcernFactory(raised_by=party_of(partnership, org_a), visibility="private")
    ConcernCheckFactory(concern=concern, intensity=3, checked_on=datetime.date(2026, 12, 31))
    actor = policy.Actor.of(owner, org_a)
    assert TodoKind.PLAN_REVIEW not in [i.kind for i in todo_items(actor, TODAY + 3 * DAY)]
    assert TodoKind.PLAN_REVIEW in [i.kind for i in todo_items(actor, TODAY + 4 * DAY)]
    assert TodoKind.OVERDUE_COMMITMENT not in [i.kind for i in todo_items(actor, TODAY + 5 * DAY)]
    assert TodoKind.OVERDUE_COMMITMENT in [i.kind for i in todo_items(actor, TODAY + 6 * DAY)]
    # Rated on 31 December with a monthly cadence: due once 31 December is before the day
    # two months back, i.e. from 1 March (28 February minus two months is 28 December).
    rerate = [i.kind for i in todo_items(actor, datetime.date(2027, 2, 28))]
    assert TodoKind.RERATE_CONCERN not in rerate
    assert TodoKind.RERATE_CONCERN in [i.kind for i in todo_items(actor, datetime.date(2027, 3, 1))]
    same_on(actor, *(TODAY + n * DAY for n in range(8)), datetime.date(2027, 2, 28))
    same_on(actor, datetime.date(2027, 3, 1))
    commitment.status, commitment.completed_on = "done", TODAY
    commitment.save()
    same_on(actor, TODAY + 6 * DAY)


@pytest.mark.parametrize("cadence", [1, 3, 6, 12])
def test_the_first_day_to_rerate_is_the_first_day_the_two_cycles_have_passed(cadence):
    """Over two leap years, month ends included: the day found passes the to-do's test and the
    day before does not."""
    from core.dates import add_months
    from partnerships.services.todo_state import first_day_to_rerate

    months = 2 * cadence
    rated_on = datetime.date(2027, 12, 1)
    while rated_on < datetime.date(2029, 3, 5):
        first = first_day_to_rerate(rated_on, cadence)
        assert rated_on < add_months(first, -months)
        assert not rated_on < add_months(first - DAY, -months)
        rated_on += DAY
    assert first_day_to_rerate(datetime.date.max - 30 * DAY, cadence) is None


def test_a_new_title_or_name_shows_in_the_todo_at_once(owner, carla, partnership, org_a, org_c):
    from partnerships.services.proposals import level_propose

    level_propose(actor=carla, organisation=org_c, partnership=partnership, level=4)
    actor = policy.Actor.of(owner, org_a)
    partnership.title = "Lire ensemble"
    partnership.save()
    org_c.name = "Fondation Nouvelle"
    org_c.save()
    [proposal] = [i for i in todo_items(actor, TODAY) if i.kind == TodoKind.ANSWER_LEVEL_PROPOSAL]
    assert "Lire ensemble" in proposal.text and "Fondation Nouvelle" in proposal.text
    same_on(actor, TODAY)


def test_a_lost_entry_is_a_drift_and_the_rebuild_puts_it_back(owner, partnership, org_a):
    from partnerships.models import TodoEntry
    from partnerships.services import state

    CommitmentFactory(party=party_of(partnership, org_a), due_on=TODAY - 2 * DAY)
    TodoEntry.objects.filter(kind=TodoKind.OVERDUE_COMMITMENT).delete()
    assert any("overdue_commitment" in line for line in state.drift([partnership.pk]))
    state.rebuild()
    assert state.drift([partnership.pk]) == []
    assert TodoKind.OVERDUE_COMMITMENT in kinds(owner, org_a)


# --- The API ---------------------------------------------------------------------------------
def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_needs_an_organisation_of_the_caller(editor, outsider):
    url = reverse("api:todo")
    assert api_as(editor).get(url).status_code == 400
    assert api_as(editor).get(url, {"organisation": "college-b"}).status_code == 404
    assert api_as(outsider).get(url, {"organisation": "association-a"}).status_code == 404


def test_the_api_lists_the_items_with_kind_text_and_url(editor, partnership, org_a):
    CommitmentFactory(party=party_of(partnership, org_a), due_on=TODAY - 2 * DAY)
    response = api_as(editor).get(
        reverse("api:todo"), {"organisation": "association-a"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    (item,) = response.json()
    assert item["kind"] == "overdue_commitment"
    assert item["url"].startswith("/o/association-a/partnerships/")
    assert "was due on" in item["text"]  # in the caller's language


def test_a_user_with_several_organisations_gets_the_named_ones(editor, partnership, org_c):
    MembershipFactory(user=editor, organisation=org_c, role="editor")
    CommitmentFactory(party=party_of(partnership, org_c), due_on=TODAY - 2 * DAY)
    url = reverse("api:todo")
    assert api_as(editor).get(url, {"organisation": "association-a"}).json() == []
    assert len(api_as(editor).get(url, {"organisation": "fondation-c"}).json()) == 1


def test_the_schema_lists_the_kinds(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    enum = schema["components"]["schemas"]["TodoItemKindEnum"]["enum"]
    assert set(enum) == set(TodoKind.values)


def test_no_user_no_todo():
    organisation = OrganisationFactory()
    user = UserFactory()
    assert todo_items(policy.Actor.of(user, organisation), TODAY) == []


def test_the_dashboard_shows_the_first_items_of_each_kind_and_links_to_the_whole_list(
    client, owner, org_a
):
    owner.language = "en"
    owner.save()
    for number in range(7):
        partnership = PartnershipFactory(title=f"Atelier {number}")
        CommitmentFactory(
            party=PartyFactory(partnership=partnership, organisation=org_a),
            title=f"Livrer {number}",
            due_on=TODAY - DAY,
        )
    client.force_login(owner)
    dashboard = client.get(reverse("partnerships:dashboard", args=[org_a.slug]))
    whole = reverse("partnerships:todo", args=[org_a.slug])
    overdue = "todo-" + TodoKind.OVERDUE_COMMITMENT
    assert dashboard.content.decode().count(overdue) == 5
    assert f'href="{whole}"' in dashboard.content.decode()
    page = client.get(whole)
    assert page.status_code == 200
    assert page.content.decode().count(overdue) == 7


def test_the_dashboard_does_not_link_to_the_whole_list_when_it_shows_everything(
    client, owner, org_a
):
    partnership = PartnershipFactory()
    CommitmentFactory(
        party=PartyFactory(partnership=partnership, organisation=org_a), due_on=TODAY - DAY
    )
    client.force_login(owner)
    dashboard = client.get(reverse("partnerships:dashboard", args=[org_a.slug]))
    assert reverse("partnerships:todo", args=[org_a.slug]) not in dashboard.content.decode()


def test_a_write_inside_a_deferred_block_is_in_the_todo_read_in_that_block(
    owner, partnership, org_a
):
    """A seed or an import gathers its refreshes; a to-do read within it sees its writes."""
    from partnerships.services import state

    with state.deferred():
        CommitmentFactory(party=party_of(partnership, org_a), due_on=TODAY - 2 * DAY)
        assert TodoKind.OVERDUE_COMMITMENT in kinds(owner, org_a)
