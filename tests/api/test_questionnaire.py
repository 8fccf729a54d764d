"""Issue 19's API: open, answer (201 then 200), 409 once closed, results with the threshold of
3 and the blind rule, nothing that links a person to an answer."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partnerships.models import Answer, Respondent
from tests.factories import ConcernFactory, MembershipFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def members(org, count, role="viewer", prefix="m"):
    users = []
    for n in range(count):
        user = UserFactory(username=f"{prefix}{org.slug}{n}")
        MembershipFactory(user=user, organisation=org, role=role)
        users.append(user)
    return users


@pytest.fixture
def review(partnership):
    return ReviewFactory(
        partnership=partnership, scheduled_on=timezone.localdate() + datetime.timedelta(days=10)
    )


def url(review, suffix=""):
    return (
        f"/api/v1/partnerships/{review.partnership_id}/reviews/{review.pk}/questionnaire/{suffix}"
    )


def open_it(api, user, review):
    response = api(user).post(url(review), {}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def answer(api, user, review, level=4, topics="Le temps de préparation"):
    return api(user).put(
        url(review, "answers/"),
        {
            "answers": [
                {"question": "level", "value": level},
                {"question": "pleasures", "value": ["learning", "novelty"]},
                {"question": "topics", "value": topics},
            ]
        },
        format="json",
    )


def test_open_answer_replace_then_409_once_closed(api, editor, viewer, review):
    body = open_it(api, editor, review)
    assert body["closed"] is False
    level = next(q for q in body["questions"] if q["id"] == "level")
    assert level["kind"] == "level" and len(level["choices"]) == 7
    worth = next(q for q in body["questions"] if q["id"] == "worth")
    assert worth["scale"] == {"min": 1, "max": 5}
    assert api(editor).post(url(review), {}, format="json").status_code == 409

    first = answer(api, viewer, review, level=3)
    assert first.status_code == 201, first.content
    again = answer(api, viewer, review, level=5)
    assert again.status_code == 200
    assert Answer.objects.filter(question="level").get().value == 5  # replaced, not added
    mine = api(viewer).get(url(review)).json()
    assert mine["answered"] is True
    assert {"question": "level", "value": 5} in mine["answers"]

    assert api(viewer).post(url(review, "close/")).status_code == 403  # not a coordinator
    assert api(editor).post(url(review, "close/")).status_code == 200
    assert answer(api, viewer, review).status_code == 409
    assert api(editor).post(url(review, "close/")).status_code == 409


def test_bad_answers_are_400_not_500(api, editor, viewer, review):
    open_it(api, editor, review)
    for value in (9, "x", True, ["nope"], {"a": 1}):
        response = api(viewer).put(
            url(review, "answers/"),
            {"answers": [{"question": "level", "value": value}]},
            format="json",
        )
        assert response.status_code == 400, value
    unknown = api(viewer).put(
        url(review, "answers/"), {"answers": [{"question": "zz", "value": 1}]}, format="json"
    )
    assert unknown.status_code == 400
    assert api(viewer).put(url(review, "answers/"), "nope", format="json").status_code == 400


def test_outsider_gets_404_everywhere(api, editor, outsider, review):
    open_it(api, editor, review)
    client = api(outsider)
    assert client.get(url(review)).status_code == 404
    assert client.get(url(review, "results/")).status_code == 404
    assert client.post(url(review, "close/")).status_code == 404
    assert answer(api, outsider, review).status_code == 404


def test_results_null_while_open_under_three_and_for_others_until_held(
    api, editor, carla, org_a, org_c, review
):
    open_it(api, editor, review)
    for user in members(org_a, 3, prefix="a"):
        assert answer(api, user, review, level=2).status_code == 201
    for user in members(org_c, 2, prefix="c"):
        assert answer(api, user, review, level=6).status_code == 201

    def parties(user):
        body = api(user).get(url(review, "results/")).json()
        return {p["organisation"]: p for p in body["parties"]}

    live = parties(editor)
    assert live["association-a"]["respondents"] == 3
    assert live["fondation-c"]["respondents"] == 2
    assert all(q["distribution"] is None for p in live.values() for q in p["questions"])

    api(editor).post(url(review, "close/"))
    mine = parties(editor)["association-a"]
    level = next(q for q in mine["questions"] if q["question"] == "level")
    assert level["distribution"]["2"] == 3 and level["distribution"]["6"] == 0
    topics = next(q for q in mine["questions"] if q["question"] == "topics")
    assert topics["texts"] == ["Le temps de préparation"] * 3
    # Fondation C: two answered, too few to show, even to its own members.
    assert all(q["distribution"] is None for q in parties(carla)["fondation-c"]["questions"])
    # Before the review is held, C does not see A's results (only the count).
    theirs = parties(carla)["association-a"]
    assert theirs["respondents"] == 3
    assert all(q["distribution"] is None and not q["texts"] for q in theirs["questions"])

    assert (
        api(editor)
        .post(f"/api/v1/partnerships/{review.partnership_id}/reviews/{review.pk}/hold/")
        .status_code
        == 200
    )
    revealed = parties(carla)["association-a"]
    level = next(q for q in revealed["questions"] if q["question"] == "level")
    assert level["distribution"]["2"] == 3


def test_private_concern_questions_only_for_their_party(
    api, editor, carla, org_a, partnership, review
):
    private = ConcernFactory(
        raised_by=partnership.parties.get(organisation=org_a), visibility="private"
    )
    open_it(api, editor, review)
    key = f"concern-{private.pk}"
    assert key in [q["id"] for q in api(editor).get(url(review)).json()["questions"]]
    assert key not in [q["id"] for q in api(carla).get(url(review)).json()["questions"]]
    refused = api(carla).put(
        url(review, "answers/"), {"answers": [{"question": key, "value": 3}]}, format="json"
    )
    assert refused.status_code == 400
    for user in members(org_a, 3, prefix="p"):
        api(user).put(
            url(review, "answers/"), {"answers": [{"question": key, "value": 5}]}, format="json"
        )
    api(editor).post(url(review, "close/"))
    api(editor).post(f"/api/v1/partnerships/{review.partnership_id}/reviews/{review.pk}/hold/")
    body = api(carla).get(url(review, "results/")).content.decode()
    assert key not in body
    assert key in api(editor).get(url(review, "results/")).content.decode()
    # The review's frozen record keeps it for its party only.
    detail = f"/api/v1/partnerships/{review.partnership_id}/reviews/{review.pk}/"
    assert api(editor).post(detail + "close/").status_code == 200
    assert key not in api(carla).get(detail).content.decode()
    frozen = api(editor).get(detail).json()["record"]["questionnaire"]["parties"]
    assert any(key in entry.get("counts", {}) for entry in frozen.values())


def test_no_response_links_a_person_to_an_answer(api, editor, org_a, review):
    open_it(api, editor, review)
    people = members(org_a, 3, prefix="z")
    for n, user in enumerate(people):
        answer(api, user, review, level=n + 2, topics=f"sujet {n}")
    api(editor).post(url(review, "close/"))
    body = api(editor).get(url(review, "results/")).content.decode()
    for user in people:
        assert user.username not in body
        assert str(user.pk) not in [str(v) for v in []]
    # Who answered is stored apart, with no link to the answers.
    assert Respondent.objects.count() == 3
    assert {f.name for f in Answer._meta.get_fields()} == {
        "id",
        "questionnaire",
        "party",
        "key",
        "question",
        "value",
    }


def test_coordinators_add_up_to_five_questions_asked_from_the_next_questionnaire(
    api, editor, viewer, carla, review
):
    base = f"/api/v1/partnerships/{review.partnership_id}/questionnaire-questions/"
    choice = {"kind": "choice", "text": "Quel format ?", "options": ["Atelier", "Réunion"]}
    assert api(viewer).post(base, choice, format="json").status_code == 403
    created = api(editor).post(base, choice, format="json")
    assert created.status_code == 201
    bad = api(editor).post(base, {"kind": "choice", "text": "x", "options": ["a"]}, format="json")
    assert bad.status_code == 400
    for n in range(4):
        api(carla).post(base, {"kind": "scale", "text": f"Q{n}"}, format="json")
    assert api(editor).post(base, {"kind": "text", "text": "6e"}, format="json").status_code == 409
    body = open_it(api, editor, review)
    custom = next(q for q in body["questions"] if q["id"] == f"custom-{created.json()['id']}")
    assert custom["kind"] == "choice" and custom["choices"][0] == {
        "value": "Atelier",
        "label": "Atelier",
    }
    assert (
        api(viewer)
        .put(
            url(review, "answers/"),
            {"answers": [{"question": custom["id"], "value": ["Réunion"]}]},
            format="json",
        )
        .status_code
        == 201
    )


def test_results_and_questions_cost_a_fixed_number_of_queries(
    api, editor, org_a, org_c, review, django_assert_max_num_queries
):
    open_it(api, editor, review)
    for user in members(org_a, 4, prefix="q") + members(org_c, 4, prefix="k"):
        answer(api, user, review)
    api(editor).post(url(review, "close/"))
    client = api(editor)
    with django_assert_max_num_queries(12):
        assert client.get(url(review, "results/")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(url(review)).status_code == 200


def test_a_person_in_two_parties_answers_once_for_the_organisation_they_act_for(
    api, editor, org_a, org_c, partnership, review
):
    both = UserFactory(username="deux")
    MembershipFactory(user=both, organisation=org_a, role="viewer")
    MembershipFactory(user=both, organisation=org_c, role="viewer")
    open_it(api, editor, review)
    body = {"answers": [{"question": "level", "value": 4}]}
    client = api(both)
    first = client.put(url(review, "answers/") + "?organisation=fondation-c", body, format="json")
    assert first.status_code == 201
    party_c = partnership.parties.get(organisation=org_c)
    assert Answer.objects.get().party == party_c
    moved = client.put(url(review, "answers/") + "?organisation=association-a", body, format="json")
    assert moved.status_code == 200  # the same person: replaced, now for A
    assert Answer.objects.get().party == partnership.parties.get(organisation=org_a)
    assert Respondent.objects.get().party.organisation == org_a
    wrong = client.put(url(review, "answers/") + "?organisation=college-b", body, format="json")
    assert wrong.status_code == 400


def test_coordinators_choose_the_members_asked_by_username_or_id(
    api, editor, viewer, owner, outsider, org_a, org_c, review
):
    from partnerships.models import AskedMember

    other = members(org_c, 1, prefix="c")[0]
    # Someone of another organisation cannot be chosen.
    refused = api(editor).post(url(review), {"members": [other.username]}, format="json")
    assert refused.status_code == 400
    opened = api(editor).post(url(review), {"members": ["bob", owner.pk]}, format="json")
    assert opened.status_code == 201, opened.content
    asked = api(editor).get(url(review, "members/")).json()
    assert asked["chosen"] is True
    assert {m["username"] for m in asked["members"]} == {"alice", "bob"}
    # The other party did not choose: every member of it is asked.
    theirs = api(other).get(url(review, "members/")).json()
    assert theirs["chosen"] is False and theirs["organisation"] == org_c.slug

    assert answer(api, viewer, review).status_code == 403
    assert answer(api, editor, review).status_code == 201
    assert api(viewer).put(url(review, "members/"), {"members": ["victor"]}).status_code == 403
    assert api(outsider).get(url(review, "members/")).status_code == 404
    changed = api(editor).put(url(review, "members/"), {"members": [viewer.pk]}, format="json")
    assert changed.status_code == 200
    assert [m["username"] for m in changed.json()["members"]] == ["victor"]
    assert answer(api, viewer, review).status_code == 201
    assert answer(api, editor, review).status_code == 403  # no longer asked
    assert (
        api(editor).put(url(review, "members/"), {"members": []}, format="json").status_code == 400
    )
    # A coordinator chooses for their own party only: C's members are out of reach.
    assert (
        api(editor)
        .put(url(review, "members/"), {"members": [other.username]}, format="json")
        .status_code
        == 400
    )
    assert AskedMember.objects.filter(user=other).count() == 0
    # Choosing every member is no choice: the default (all, newcomers too) is back.
    everyone = api(editor).put(
        url(review, "members/"), {"members": ["bob", "alice", "victor"]}, format="json"
    )
    assert everyone.json()["chosen"] is False and not AskedMember.objects.exists()
    api(editor).post(url(review, "close/"))
    assert (
        api(editor).put(url(review, "members/"), {"members": ["bob"]}, format="json").status_code
        == 409
    )
