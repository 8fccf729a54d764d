"""Issue 19: the questionnaire before a review, on the pages, the agenda, the record, the
database and the reminders. Anonymity, the threshold of 3, the blind rule."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from notifications.reminders import send_questionnaire_reminders
from partnerships.models import Answer, Questionnaire, Review
from partnerships.reads.documents import agenda_document
from partnerships.reads.questionnaires import (
    agenda_lines,
    questionnaire_history,
    visible_results,
)
from partnerships.services import questionnaires as services
from partnerships.services.reviews import review_close, review_hold
from tests.factories import ConcernFactory, MembershipFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def members(org, count, prefix):
    users = []
    for n in range(count):
        user = UserFactory(username=f"{prefix}{n}", first_name=f"Prénom{prefix}{n}")
        MembershipFactory(user=user, organisation=org, role="viewer")
        users.append(user)
    return users


@pytest.fixture
def review(partnership):
    return ReviewFactory(
        partnership=partnership, scheduled_on=timezone.localdate() + datetime.timedelta(days=10)
    )


def page(name, org, review):
    return reverse(
        f"partnerships:{name}",
        kwargs={
            "org_slug": org.slug,
            "partnership_id": review.partnership_id,
            "review_id": review.pk,
        },
    )


def answer(user, org, review, **values):
    return services.answers_save(
        actor=user,
        organisation=org,
        review=review,
        answers=[{"question": q, "value": v} for q, v in values.items()],
    )


def test_the_answers_table_has_no_person_column():
    """A database-level check: no column names or refers to a person."""
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        relations = connection.introspection.get_relations(cursor, table)
    assert columns == {"id", "questionnaire_id", "party_id", "key", "question", "value"}
    user_table = UserFactory._meta.model._meta.db_table
    assert all(target_table != user_table for _column, target_table in relations.values())
    assert not any(
        word in column for column in columns for word in ("user", "person", "author", "by", "at")
    )
    assert not hasattr(Answer, "history")  # no change history either


def test_open_from_the_review_page_answer_on_a_page_and_change_until_closing(
    client, editor, viewer, org_a, review
):
    client.force_login(editor)
    body = client.get(page("review", org_a, review)).content.decode()
    assert "questionnaire-open-form" in body
    closes_on = (review.scheduled_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(page("questionnaire-open", org_a, review), {"closes_on": closes_on})
    assert response.status_code == 302
    assert Questionnaire.objects.get(review=review).closes_on.isoformat() == closes_on
    # Members were invited (in-app and by e-mail), the one who opened it excepted.
    invited = set(
        Notification.objects.filter(kind="questionnaire_opened").values_list(
            "recipient__username", flat=True
        )
    )
    assert "victor" in invited and "bob" not in invited

    client.force_login(viewer)
    form = client.get(page("questionnaire-answer", org_a, review))
    assert form.status_code == 200
    assert 'name="level"' in form.content.decode()
    sent = client.post(
        page("questionnaire-answer", org_a, review), {"level": "3", "topics": "Budget"}
    )
    assert sent.status_code == 302
    client.post(page("questionnaire-answer", org_a, review), {"level": "5"})
    assert list(Answer.objects.values_list("question", "value")) == [("level", 5)]
    again = client.get(page("questionnaire-answer", org_a, review)).content.decode()
    assert "Replace my answers" in again or "Remplacer" in again

    client.force_login(editor)
    asked = client.post(page("questionnaire-close", org_a, review))
    assert asked.status_code == 200 and Questionnaire.objects.get().closed_at is None
    client.post(page("questionnaire-close", org_a, review), {"confirmed": "1"})
    assert Questionnaire.objects.get().is_closed
    client.force_login(viewer)
    late = client.post(page("questionnaire-answer", org_a, review), {"level": "1"})
    assert late.status_code == 409
    assert list(Answer.objects.values_list("value", flat=True)) == [5]  # frozen


def test_viewer_cannot_open_and_outsider_sees_nothing(
    client, viewer, outsider, org_a, org_b, review, editor
):
    client.force_login(viewer)
    assert client.post(page("questionnaire-open", org_a, review), {}).status_code == 403
    services.questionnaire_open(actor=editor, organisation=org_a, review=review)
    client.force_login(outsider)
    assert client.get(page("questionnaire-answer", org_b, review)).status_code == 404


def test_threshold_and_blind_rule_on_the_page_and_the_agenda(
    client, editor, carla, org_a, org_c, partnership, review
):
    services.questionnaire_open(actor=editor, organisation=org_a, review=review)
    for n, user in enumerate(members(org_a, 3, "a")):
        answer(user, org_a, review, level=2 + 2 * n, topics=f"Sujet {n}")
    for user in members(org_c, 2, "c"):
        answer(user, org_c, review, level=1, topics="Secret de C")
    services.questionnaire_close(actor=editor, organisation=org_a, review=review)

    client.force_login(carla)
    theirs = client.get(page("review", org_c, review)).content.decode()
    assert "Sujet 0" not in theirs  # A's results: not before the review is held
    assert "Secret de C" not in theirs  # C's own: two answered, too few
    assert "too few to show" in theirs or "trop peu" in theirs
    client.force_login(editor)
    mine = client.get(page("review", org_a, review)).content.decode()
    assert "Sujet 0" in mine and 'class="distribution"' in mine
    printed = client.get(page("review-agenda", org_c, review)).content.decode()
    assert "Sujet 0" not in printed
    doc = agenda_document(partnership, review, org_c, include_private=False)
    assert doc["questionnaire_lines"] == [] and doc["questionnaire_topics"] == []

    review = review_hold(actor=editor, organisation=org_a, review=review)
    client.force_login(carla)
    after = client.get(page("review", org_c, review)).content.decode()
    assert "Sujet 0" in after and "Secret de C" not in after
    with translation.override("en"):
        doc = agenda_document(partnership, review, org_c, include_private=False)
    assert doc["questionnaire_lines"] == [
        "Within Association A, answers about the level range from 2 to 6."
    ]
    # Nobody's name appears next to the answers.
    for n in range(3):
        assert f"Prénoma{n}" not in after


def test_agenda_lines_on_a_prepared_set_of_answers(editor, org_a, org_c, partnership, review):
    party = partnership.parties.get(organisation=org_a)
    fear = ConcernFactory(raised_by=party, kind="fear", category="investment")
    services.questionnaire_open(actor=editor, organisation=org_a, review=review)
    key = f"concern-{fear.pk}"
    for user, (level, intensity, topic) in zip(
        members(org_a, 4, "f"),
        [(3, 5, "Le calendrier"), (6, 4, "Les rôles"), (4, 4, ""), (5, 1, "Le calendrier")],
        strict=True,
    ):
        answer(user, org_a, review, level=level, **{key: intensity, "topics": topic})
    services.questionnaire_close(actor=editor, organisation=org_a, review=review)
    with translation.override("en"):
        results = visible_results(Questionnaire.objects.get(), review, {party.pk})
        lines, topics = agenda_lines(results)
    assert lines == [
        "Within Association A, answers about the level range from 3 to 6.",
        "Fear “Too much time or work” is at 4–5 for most members of Association A.",
    ]
    assert topics == ["Le calendrier", "Le calendrier", "Les rôles"]


def test_holding_closes_and_the_record_keeps_the_results_frozen(editor, org_a, partnership, review):
    services.questionnaire_open(actor=editor, organisation=org_a, review=review)
    for user in members(org_a, 3, "r"):
        answer(user, org_a, review, level=4)
    review_hold(actor=editor, organisation=org_a, review=review)
    questionnaire = Questionnaire.objects.get()
    assert questionnaire.closed_at is not None
    review = review_close(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    party = partnership.parties.get(organisation=org_a)
    frozen = review.record["questionnaire"]["parties"][str(party.pk)]
    assert frozen["respondents"] == 3 and frozen["counts"]["level"] == {"4": 3}
    Answer.objects.all().delete()  # even if rows went, the record keeps what was answered
    results = visible_results(questionnaire, review, set())
    level = next(q for q in results.parties[0].questions if q.question["id"] == "level")
    assert level.distribution["4"] == 3


def test_reminder_two_days_before_closing_to_those_who_have_not_answered(
    editor, viewer, owner, org_a, review
):
    today = timezone.localdate()
    services.questionnaire_open(
        actor=editor,
        organisation=org_a,
        review=review,
        closes_on=today + datetime.timedelta(days=5),
    )
    answer(viewer, org_a, review, level=3)
    assert send_questionnaire_reminders(today) == 0  # too early
    reminded_on = today + datetime.timedelta(days=3)
    assert send_questionnaire_reminders(reminded_on) > 0
    reminded = set(
        Notification.objects.filter(kind="questionnaire_reminder").values_list(
            "recipient__username", flat=True
        )
    )
    assert "victor" not in reminded and {"alice", "bob"} <= reminded
    assert send_questionnaire_reminders(reminded_on) == 0  # once


def test_coordinators_add_and_stop_asking_their_own_questions_on_the_page(
    client, editor, org_a, review
):
    from partnerships.models import CustomQuestion

    client.force_login(editor)
    added = client.post(
        page("questionnaire-question-add", org_a, review),
        {"kind": "choice", "text": "Quel format ?", "options": "Atelier\nRéunion"},
    )
    assert added.status_code == 302
    question = CustomQuestion.objects.get()
    assert question.options == ["Atelier", "Réunion"]
    assert "Quel format" in client.get(page("review", org_a, review)).content.decode()
    delete = reverse(
        "partnerships:questionnaire-question-delete",
        kwargs={
            "org_slug": org_a.slug,
            "partnership_id": review.partnership_id,
            "review_id": review.pk,
            "pk": question.pk,
        },
    )
    assert client.post(delete).status_code == 200  # asks first
    assert CustomQuestion.objects.exists()
    client.post(delete, {"confirmed": "1"})
    assert not CustomQuestion.objects.exists()


def test_a_partnership_asks_at_most_five_questions_of_its_own(client, editor, org_a, review):
    from partnerships.models import MAX_CUSTOM_QUESTIONS, CustomQuestion

    client.force_login(editor)
    add = page("questionnaire-question-add", org_a, review)
    for n in range(MAX_CUSTOM_QUESTIONS):
        assert (
            'id="custom-question-form"'
            in client.get(page("review", org_a, review)).content.decode()
        )
        client.post(add, {"kind": "text", "text": f"Question {n} ?"})
    assert CustomQuestion.objects.count() == MAX_CUSTOM_QUESTIONS
    # Full: the page no longer offers it, and a sixth sent anyway is refused in words.
    assert (
        'id="custom-question-form"'
        not in client.get(page("review", org_a, review)).content.decode()
    )
    refused = client.post(add, {"kind": "text", "text": "Une de trop ?"}, follow=True)
    assert refused.status_code in (200, 409)
    text = refused.content.decode()
    assert "at most 5 questions" in text or "au plus 5 questions" in text
    assert CustomQuestion.objects.count() == MAX_CUSTOM_QUESTIONS


def test_the_review_history_compares_the_answers_across_reviews(
    client, editor, org_a, org_c, partnership, review, django_assert_max_num_queries
):
    people = members(org_a, 3, "h")
    services.questionnaire_open(actor=editor, organisation=org_a, review=review)
    for n, user in enumerate(people):
        answer(user, org_a, review, level=3 + n, worth=4)
    answer(members(org_c, 1, "hc")[0], org_c, review, level=7)
    review_hold(actor=editor, organisation=org_a, review=review)
    client.force_login(editor)
    url = reverse(
        "partnerships:review-history",
        kwargs={"org_slug": org_a.slug, "partnership_id": partnership.pk},
    )
    with django_assert_max_num_queries(40):
        body = client.get(url).content.decode()
    assert "3–5" in body
    assert "7–7" not in body  # C: one answered, too few


def test_a_question_fewer_than_three_answered_shows_nothing_even_among_enough_respondents(
    client, editor, org_a, partnership, review
):
    services.questionnaire_open(actor=editor, organisation=org_a, review=review)
    first, *others = members(org_a, 3, "q")
    answer(first, org_a, review, level=2, worth=1)
    for user in others:
        answer(user, org_a, review, level=5)
    services.questionnaire_close(actor=editor, organisation=org_a, review=review)
    party = partnership.parties.get(organisation=org_a)

    results = visible_results(Questionnaire.objects.get(), review, {party.pk})
    questions = {item.question["id"]: item for item in results.parties[0].questions}
    assert questions["level"].distribution["5"] == 2
    assert questions["worth"].distribution is None and questions["worth"].too_few

    editor.language = "en"
    editor.save(update_fields=["language"])
    client.force_login(editor)
    html = client.get(page("review", org_a, review)).content.decode()
    assert "too few answers to this question" in html

    review = review_hold(actor=editor, organisation=org_a, review=review)
    review = review_close(actor=editor, organisation=org_a, review=Review.objects.get(pk=review.pk))
    frozen = review.record["questionnaire"]["parties"][str(party.pk)]
    assert "worth" not in frozen["counts"] and frozen["too_few"] == ["worth"]
    # The review history keeps the same threshold: the lone answer to "worth" shows nowhere.
    tables = {q["id"]: rows for q, rows in questionnaire_history(partnership, [party])}
    [(_review, [worth])] = tables["worth"]
    [(_review, [level])] = tables["level"]
    assert worth.low is None and (level.low, level.high) == (2, 5)


# --- Who answers: the members each party's coordinators choose -------------------------------
def test_coordinators_choose_who_of_their_party_is_asked_on_the_page(
    client, editor, viewer, owner, org_a, org_c, review
):
    from partnerships.models import AskedMember, Respondent

    other = members(org_c, 2, "c")
    client.force_login(editor)
    body = client.get(page("review", org_a, review)).content.decode()
    assert f'value="{viewer.pk}"' in body  # the members to choose, all ticked
    closes_on = (review.scheduled_on - datetime.timedelta(days=3)).isoformat()
    response = client.post(
        page("questionnaire-open", org_a, review),
        {"closes_on": closes_on, "members": [editor.pk, owner.pk]},
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(review=review)
    assert set(AskedMember.objects.values_list("user__username", flat=True)) == {"alice", "bob"}
    invited = set(
        Notification.objects.filter(kind="questionnaire_opened").values_list(
            "recipient__username", flat=True
        )
    )
    # Victor was not chosen; the other party chose nobody, so all its members are asked.
    assert "victor" not in invited and "alice" in invited and {"c0", "c1"} <= invited

    viewer.language = "en"
    viewer.save(update_fields=["language"])
    client.force_login(viewer)
    assert "did not ask you" in client.get(page("review", org_a, review)).content.decode()
    assert client.get(page("questionnaire-answer", org_a, review)).status_code == 403
    assert (
        client.post(page("questionnaire-answer", org_a, review), {"level": "3"}).status_code == 403
    )
    assert not Answer.objects.exists()

    # A member of another organisation cannot be chosen: nothing changes.
    client.force_login(editor)
    client.post(page("questionnaire-members", org_a, review), {"members": [other[0].pk]})
    assert AskedMember.objects.count() == 2
    # Changed while open: Victor is now asked, and invited.
    client.post(page("questionnaire-members", org_a, review), {"members": [viewer.pk]})
    assert list(AskedMember.objects.values_list("user__username", flat=True)) == ["victor"]
    assert Notification.objects.filter(kind="questionnaire_opened", recipient=viewer).exists()
    client.force_login(viewer)
    sent = client.post(page("questionnaire-answer", org_a, review), {"level": "3"})
    assert sent.status_code == 302
    assert Respondent.objects.filter(questionnaire=questionnaire).count() == 1

    # The reminder goes only to those asked who have not answered.
    reminded_on = questionnaire.closes_on - datetime.timedelta(days=1)
    send_questionnaire_reminders(reminded_on)
    reminded = set(
        Notification.objects.filter(kind="questionnaire_reminder").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"c0", "c1"}
    # A viewer does not choose.
    assert (
        client.post(
            page("questionnaire-members", org_a, review), {"members": [viewer.pk]}
        ).status_code
        == 403
    )
    # Closed: the choice no longer changes.
    services.questionnaire_close(actor=editor, organisation=org_a, review=review)
    client.force_login(editor)
    client.post(page("questionnaire-members", org_a, review), {"members": [owner.pk]})
    assert list(AskedMember.objects.values_list("user__username", flat=True)) == ["victor"]
