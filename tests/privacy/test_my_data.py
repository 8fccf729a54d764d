"""A person's own data: everything about them, nothing about others beyond what they saw."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from privacy.export import personal_data
from tests.factories import ConcernFactory, MembershipFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(org_a, owner):
    user = UserFactory(
        username="dana_w", first_name="Dana", last_name="Wexler", email="dana@exemple.fr"
    )
    MembershipFactory(user=user, organisation=org_a, role="editor")
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email="dana@exemple.fr", verified=True, primary=True)
    return user


def test_the_export_holds_the_account_memberships_and_what_names_her(
    dana, carla, org_a, org_c, partnership
):
    party_a = partnership.parties.get(organisation=org_a)
    party_c = partnership.parties.get(organisation=org_c)
    mine = ConcernFactory(raised_by=party_a, author=dana, description="Nos soirées y passent")
    ConcernFactory(raised_by=party_c, author=carla, visibility="private", description="Secret de C")
    review = ReviewFactory(partnership=partnership)
    review.attendees.add(dana, carla)

    data = personal_data(dana)
    text = json.dumps(data, ensure_ascii=False)

    assert data["account"]["email_addresses"] == [
        {"email": "dana@exemple.fr", "verified": True, "primary": True}
    ]
    assert [(m["slug"], m["role"]) for m in data["memberships"]] == [("association-a", "editor")]
    concerns = data["records"]["partnerships.concern"]
    assert [(c["id"], c["named_as"]) for c in concerns] == [(mine.pk, ["author"])]
    assert [r["named_as"] for r in data["records"]["partnerships.review"]] == [["attendees"]]
    assert "Secret de C" not in text  # another party's private concern
    assert "carla" not in text.casefold() and "Costa" not in text  # other people
    assert "pbkdf2" not in text and "password" not in data["account"]


def test_the_changes_she_made_are_listed_without_their_values(client, dana, partnership):
    partnership.title = "Renamed by Dana"
    partnership._history_user = dana
    partnership.save()
    changes = personal_data(dana)["changes_made"]
    assert {"record": "partnerships.partnership", "id": partnership.pk, "change": "changed"} == {
        key: changes[-1][key] for key in ("record", "id", "change")
    }


def test_my_data_takes_as_many_queries_for_many_records_as_for_one(
    dana, org_a, partnership, django_assert_max_num_queries
):
    party_a = partnership.parties.get(organisation=org_a)
    ConcernFactory(raised_by=party_a, author=dana)
    ReviewFactory(partnership=partnership).attendees.add(dana)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        personal_data(dana)
    for _ in range(5):
        ConcernFactory(raised_by=party_a, author=dana)
        ReviewFactory(partnership=partnership).attendees.add(dana)
    # the same queries: one per link to the account per model, and one per model found
    with django_assert_max_num_queries(len(one.captured_queries)):
        personal_data(dana)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["<td>Rédacteur", "<dd>Français", "Craintes et résistances", "<td>saisi par"]),
        ("en", ["<td>Editor", "<dd>English", "Fears and resistances", "<td>recorded by"]),
    ],
)
def test_the_page_says_in_words_what_the_file_keeps_as_codes(
    client, dana, org_a, partnership, language, expected
):
    ConcernFactory(raised_by=partnership.parties.get(organisation=org_a), author=dana)
    ReviewFactory(partnership=partnership).attendees.add(dana)
    dana.language = language
    dana.save()
    client.force_login(dana)
    page = client.get(reverse("my-data"))
    text = page.content.decode()
    assert page.status_code == 200
    for word in expected:
        assert word in text, word
    assert ">Élément</th>" in text if language == "fr" else ">Record</th>" in text
    # The file's codes and field names stay in the file.
    for code in ("partnerships.concern", "partnerships.review", ">editor<", ">author<"):
        assert code not in text, code
    # Dates written the local way, not as ISO stamps.
    assert f"{dana.date_joined:%Y-%m-%dT}" not in text
