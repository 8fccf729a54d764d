"""Review meetings: blind ratings, holding, closing and the frozen record, the agenda, .ics."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from partnerships.models import ConcernCheck, LevelAssessment, Review
from partnerships.reads.agenda import build_agenda
from partnerships.services.reviews import review_close, review_hold
from tests.factories import (
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    MembershipFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
HTMX = {"HTTP_HX_REQUEST": "true"}
CONFIRMED = {"confirmed": "1", "meeting_today": "1"}  # the steps that ask first


def review_url(name, review, org_slug="association-a"):
    return reverse(
        f"partnerships:{name}",
        kwargs={
            "org_slug": org_slug,
            "partnership_id": review.partnership_id,
            "review_id": review.pk,
        },
    )


@pytest.fixture
def partner(org_c):
    """An editor of organisation C, the other party."""
    user = UserFactory(username="carla", email="carla@example.org")
    MembershipFactory(user=user, organisation=org_c, role="editor")
    return user


@pytest.fixture
def review(partnership, editor):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10), location="Salle B")
    review.attendees.set([editor])
    return review


def ratings_of(page: str) -> str:
    """The list of the parties' ratings (the level pickers' guide names every level)."""
    return page.split('<ul class="blind">', 1)[1].split("</ul>", 1)[0]


def rate(client, review, level, org_slug="association-a"):
    return client.post(review_url("review-rate", review, org_slug), {"level": level}, **HTMX)


def test_blind_values_reach_no_other_party_before_the_review_is_held(
    client, editor, partner, review, partnership, org_a, org_c
):
    client.force_login(partner)
    rate(client, review, 6, "fondation-c")
    client.force_login(editor)
    rate(client, review, 2)

    page = client.get(review_url("review", review)).content.decode()
    assert "a évalué" in page  # A sees that C has rated…
    assert "6 · Partenariat de réciprocité" not in ratings_of(page)  # …never C's value
    assert '<option value="6" selected>' not in page
    assert "2 · Information mutuelle" in ratings_of(page)  # its own value, yes
    workspace = client.get(
        reverse(
            "partnerships:workspace",
            kwargs={
                "org_slug": "association-a",
                "partnership_id": partnership.pk,
            },
        )
    ).content.decode()
    assert "Perçu par Fondation C" not in workspace
    agenda = client.get(review_url("review-agenda", review)).content.decode()
    chart = client.get(
        reverse(
            "partnerships:chart-partnership-levels",
            kwargs={
                "org_slug": "association-a",
                "partnership_id": partnership.pk,
            },
        )
    ).content.decode()
    export = client.get(reverse("partnerships:export", kwargs={"org_slug": "association-a"}))
    assert "Fondation C" not in chart  # no series for C's hidden perception
    assert "Perçu par Fondation C" not in agenda
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[1].split(";")[6] == ""  # no gap from hidden values (French CSV: ;)

    client.post(review_url("review-hold", review), CONFIRMED, **HTMX)
    page = client.get(review_url("review", review)).content.decode()
    ratings = ratings_of(page)
    assert "6 · Partenariat de réciprocité" in ratings and "2 · Information mutuelle" in ratings
    workspace = client.get(
        reverse(
            "partnerships:workspace",
            kwargs={
                "org_slug": "association-a",
                "partnership_id": partnership.pk,
            },
        )
    ).content.decode()
    assert "Perçu par Fondation C" in workspace
    assert "<strong>4</strong>" in workspace  # the perception gap, now from both values


def test_a_party_rates_only_for_its_own_organisation(client, editor, review, org_a):
    client.force_login(editor)
    rate(client, review, 5)
    assert LevelAssessment.objects.get().party.organisation == org_a


def test_closing_needs_a_held_review_and_freezes_it(editor, review, org_a, partnership):
    with pytest.raises(ValidationError):
        review_close(actor=editor, organisation=org_a, review=review)
    review_hold(actor=editor, organisation=org_a, review=review, held_on=D(2026, 3, 10))
    review.refresh_from_db()
    review.minutes = "Tour de table."
    review.save()
    closed = review_close(actor=editor, organisation=org_a, review=review)
    assert closed.record["minutes"] == "Tour de table."
    partnership.refresh_from_db()
    assert partnership.next_review_on == D(2026, 6, 10)  # three-monthly cadence

    closed.minutes = "rewritten"
    with pytest.raises(ValidationError):
        closed.save()
    assert Review.objects.get(pk=closed.pk).minutes == "Tour de table."


def test_a_closed_review_refuses_every_edit_in_the_ui(client, editor, review, org_a):
    review_hold(actor=editor, organisation=org_a, review=review)
    review_close(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    client.force_login(editor)
    before = Review.objects.get(pk=review.pk).record
    client.post(review_url("review-minutes", review), {"minutes": "changed"})
    client.post(review_url("review-rate", review), {"level": 3})
    client.post(review_url("review-agreed-level", review), {"level": 3})
    after = Review.objects.get(pk=review.pk)
    assert after.record == before and after.minutes == ""
    assert not LevelAssessment.objects.filter(review=review).exists()


def test_a_closed_review_is_read_only_in_the_admin(client, superuser, editor, review, org_a):
    review_hold(actor=editor, organisation=org_a, review=review)
    review_close(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    client.force_login(superuser)
    url = reverse("admin:partnerships_review_change", args=[review.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"minutes": "changed"}).status_code == 403
    assert Review.objects.get(pk=review.pk).minutes == ""


def test_the_meeting_records_levels_checks_and_minutes(client, editor, review, partnership, org_a):
    party = partnership.parties.get(organisation=org_a)
    concern = ConcernFactory(raised_by=party)
    client.force_login(editor)
    client.post(review_url("review-hold", review), CONFIRMED, **HTMX)
    client.post(review_url("review-agreed-level", review), {"level": 4, "rationale": "ok"}, **HTMX)
    client.post(review_url("review-checks", review), {f"concern_{concern.pk}": 2}, **HTMX)
    client.post(
        review_url("review-minutes", review),
        {
            "minutes": "Compte rendu",
            "decisions": "On continue",
            "open_items": "Budget 2027",
            "next_review_on": "2026-07-01",
            "version": 2,  # holding the review made version 2
        },
        **HTMX,
    )
    client.post(review_url("review-close", review), CONFIRMED, **HTMX)
    review.refresh_from_db()
    assert review.status == "closed"
    assert ConcernCheck.objects.get().review == review
    assert review.record["agreed_level"] == 4
    assert review.record["open_items"] == "Budget 2027"
    partnership.refresh_from_db()
    assert partnership.next_review_on == D(2026, 7, 1)


def test_the_agenda_lists_what_changed_since_the_last_review(partnership, org_a, org_c, editor):
    party = partnership.parties.get(organisation=org_a)
    last = ReviewFactory(
        partnership=partnership,
        scheduled_on=D(2026, 1, 10),
        status="held",
        held_on=D(2026, 1, 10),
        open_items="Qui paie la salle ?",
    )
    worse = ConcernFactory(raised_by=party, description="worse")
    ConcernCheckFactory(concern=worse, intensity=2, checked_on=D(2026, 1, 10))
    ConcernCheckFactory(concern=worse, intensity=4, checked_on=D(2026, 2, 10))
    hidden = ConcernFactory(
        raised_by=partnership.parties.get(organisation=org_c),
        visibility="private",
        description="hidden",
    )
    ConcernCheckFactory(concern=hidden, intensity=5)
    LevelAssessmentFactory(
        partnership=partnership, kind="agreed", level=3, assessed_on=D(2025, 12, 1)
    )
    LevelAssessmentFactory(
        partnership=partnership, kind="agreed", level=4, assessed_on=D(2026, 2, 1)
    )
    CommitmentFactory(party=party, title="due soon", due_on=D(2026, 5, 1))
    CommitmentFactory(party=party, title="far away", due_on=D(2027, 5, 1))
    BenefitFactory(party=party, observed_on=D(2026, 2, 15), description="new pleasure")
    BenefitFactory(party=party, observed_on=D(2025, 12, 15), description="old pleasure")
    upcoming = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 4, 10))

    agenda = build_agenda(upcoming, org_a)
    assert agenda.since == last.held_on
    assert [e.level for e in agenda.level_changes] == [4]
    assert [c.description for c in agenda.worsening_concerns] == ["worse"]
    assert "hidden" not in [c.description for c in agenda.new_concerns + agenda.worsening_concerns]
    assert [c.title for c in agenda.commitments_due] == ["due soon"]
    assert [b.description for b in agenda.pleasures] == ["new pleasure"]
    assert agenda.open_items == "Qui paie la salle ?"


def test_the_ics_event_has_the_date_and_attendees(client, editor, review):
    editor.email = "bob@example.org"
    editor.save()
    client.force_login(editor)
    response = client.get(review_url("review-ics", review))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == D(2026, 3, 10)  # no time: the whole day
    assert str(event.get("attendee")) == "mailto:bob@example.org"
    assert str(event.get("location")) == "Salle B"


def test_the_printable_agenda_has_no_navigation(client, editor, review):
    client.force_login(editor)
    content = client.get(review_url("review-agenda", review)).content.decode()
    assert "print.css" in content and 'class="main-nav"' not in content


def test_review_history_shows_each_review_side_by_side(
    client, editor, partnership, org_a, org_c, django_assert_max_num_queries
):
    client.force_login(editor)
    for month in (1, 4, 7):
        review = ReviewFactory(
            partnership=partnership,
            scheduled_on=D(2025, month, 1),
            status="held",
            held_on=D(2025, month, 1),
        )
        LevelAssessmentFactory(
            partnership=partnership,
            kind="agreed",
            level=month // 2 + 3,
            review=review,
            assessed_on=review.held_on,
        )
        for org, level in ((org_a, 3), (org_c, 5)):
            LevelAssessmentFactory(
                partnership=partnership,
                kind="perceived",
                level=level,
                party=partnership.parties.get(organisation=org),
                review=review,
                assessed_on=review.held_on,
            )
    url = reverse(
        "partnerships:review-history",
        kwargs={
            "org_slug": "association-a",
            "partnership_id": partnership.pk,
        },
    )
    # The header's notifications badge included, and the questionnaires' answers across reviews.
    with django_assert_max_num_queries(16):
        response = client.get(url)
    rows = response.context["rows"]
    assert [(row.agreed, row.gap, levels) for row, levels in rows] == [
        (3, 2, [3, 5]),
        (5, 2, [3, 5]),
        (6, 2, [3, 5]),
    ]


def test_planning_a_review_saves_its_details_and_attendees(client, editor, owner, review):
    # Found by tests/test_form_fuzz.py: every valid plan used to fail (no save_m2m).
    client.force_login(editor)
    response = client.post(
        review_url("review-plan", review),
        {
            "scheduled_on": "2026-04-02",
            "location": "Salle C",
            "attendees": [owner.pk, editor.pk],
            "version": review.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert (review.scheduled_on, review.location) == (D(2026, 4, 2), "Salle C")
    assert set(review.attendees.all()) == {owner, editor}
    assert review.history.latest().history_user == editor
