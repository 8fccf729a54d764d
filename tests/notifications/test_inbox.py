"""What a person does with their notifications: the badge, the list, opening one, marking all
read, choosing per kind how to be told, stopping a kind from the e-mail without signing in, and
the API. And in whose language the e-mails are written."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from notifications.context_processors import unread_notifications
from notifications.kinds import KINDS
from notifications.models import Notification, NotificationPreference
from notifications.services import Recipient, notify, unsubscribe_token
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("notifications")


@pytest.fixture
def api():
    """``api(user)``: an API client authenticated as ``user``."""

    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def tell(django_capture_on_commit_callbacks, org_a):
    """``tell(user, n)``: an event told to ``user`` as a member of A, e-mails sent."""

    def run(user, n: int = 1, kind: str = "review_held", organisation=org_a):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(
                kind,
                [Recipient(user, organisation)],
                event_key=f"test:{n}",
                url=f"/o/{organisation.slug}/partnerships/",
                params={"partnership": f"Lecture {n}", "scheduled_on": "2030-03-01"},
            )

    return run


def unsubscribe_url(message) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix(settings.SITE_URL)


# --- Choices -----------------------------------------------------------------------------------
def test_each_person_chooses_per_kind_in_app_only_or_nothing(tell, owner, editor, mailoutbox):
    NotificationPreference.objects.create(user=owner, kind="review_held", channel="in_app")
    NotificationPreference.objects.create(user=editor, kind="review_held", channel="none")
    tell(owner)
    tell(editor)
    assert Notification.objects.filter(recipient=owner).count() == 1  # in-app still
    assert not Notification.objects.filter(recipient=editor).exists()
    assert mailoutbox == []


def test_the_preferences_page_saves_every_choice(client, owner):
    client.force_login(owner)
    page = client.get(reverse("notification-preferences"))
    assert page.status_code == 200
    data = {key: kind.channel for key, kind in KINDS.items()}
    data["concern_raised"] = "none"
    response = client.post(reverse("notification-preferences"), data)
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=owner, kind="concern_raised").channel == "none"
    # A bad value is an error on the page, never a 500.
    assert (
        client.post(reverse("notification-preferences"), {**data, "review_held": "x"}).status_code
        == 200
    )


def test_the_preferences_are_reached_from_the_account_menu_and_the_list(client, owner):
    client.force_login(owner)
    preferences = reverse("notification-preferences")
    assert preferences in client.get(reverse("profile")).content.decode()
    assert preferences in client.get(LIST).content.decode()
    assert LIST in client.get(reverse("profile")).content.decode()  # the header's link


# --- The e-mail and its unsubscribe link -------------------------------------------------------
def test_every_email_links_to_the_choices_and_offers_one_click_unsubscribe(tell, owner, mailoutbox):
    tell(owner)
    [message] = mailoutbox
    assert settings.SITE_URL + reverse("notification-preferences") in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe_url(message)
    assert url in message.body and url in message.alternatives[0][0]
    assert settings.SITE_URL + "/o/association-a/partnerships/" in message.body


def test_the_unsubscribe_link_works_without_signing_in_and_only_on_post(
    client, tell, owner, mailoutbox
):
    tell(owner)
    url = unsubscribe_url(mailoutbox[0])
    assert client.get(url).status_code == 200  # a link scanner's visit changes nothing
    assert not NotificationPreference.objects.exists()
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # as mail programs post it
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=owner, kind="review_held").channel == "none"
    mailoutbox.clear()
    tell(owner, n=2)
    assert mailoutbox == [] and Notification.objects.count() == 1


def test_a_forged_unsubscribe_token_is_not_found(client, owner):
    assert client.post(reverse("notification-unsubscribe", args=["forged"])).status_code == 404
    token = unsubscribe_token(owner, "review_held")
    assert (
        client.post(reverse("notification-unsubscribe", args=[token[:-2] + "xx"])).status_code
        == 404
    )


# --- Languages and typography ------------------------------------------------------------------
def test_emails_are_written_in_each_recipients_language(tell, mailoutbox):
    english = UserFactory(username="emma", language="en")
    french = UserFactory(username="fanny", language="fr")
    tell(english)
    tell(french)
    text = KINDS["review_held"].text
    with translation.override("fr"):
        assert mailoutbox[1].subject == str(text) % {"partnership": "Lecture 1"}
    with translation.override("en"):
        assert mailoutbox[0].subject == str(text) % {"partnership": "Lecture 1"}


FRENCH_MARK_AFTER_SPACE = re.compile(r"[^\s\u202f\u00a0][ \u00a0]?[:;?!](\s|$)")


def test_french_emails_put_a_narrow_no_break_space_before_double_marks(tell, mailoutbox):
    """Needs the French catalog (merged after this branch) for the sentences themselves; the
    template's own marks are checked whatever the catalog holds."""
    french = UserFactory(username="fanny", language="fr")
    tell(french)
    with translation.override("fr"):
        sentence = str(KINDS["review_held"].text)
    with translation.override("en"):
        untranslated = sentence == str(KINDS["review_held"].text)
    if untranslated:
        pytest.skip("French wording: needs the French catalog with this branch's strings merged")
    body = mailoutbox[0].body
    body = re.sub(r"https?://\S+", "", body)  # addresses have colons of their own
    glued = [line for line in body.splitlines() if FRENCH_MARK_AFTER_SPACE.search(line)]
    assert glued == []


def test_the_emails_own_labels_follow_french_typography(tell, mailoutbox):
    french = UserFactory(username="fanny", language="fr")
    tell(french)
    assert "\u202f: http" in mailoutbox[0].body  # « Voir\u202f: https://… » ({% colon %})


# --- The list, the badge, opening --------------------------------------------------------------
def test_the_badge_counts_unread_ones_in_one_query(rf, tell, owner, django_assert_num_queries):
    for n in range(3):
        tell(owner, n)
    request = rf.get("/")
    request.user = owner
    count = unread_notifications(request)["unread_notifications"]
    with django_assert_num_queries(1):  # COUNT(*) with the memberships as a subquery
        assert count() == 3
        assert count() == 3  # asked again by the template: no second query


def test_the_list_is_paged_newest_first_in_a_fixed_number_of_queries(
    client, tell, owner, django_assert_max_num_queries
):
    for n in range(30):
        tell(owner, n)
    client.force_login(owner)
    # session, user, the page's count and rows, the badge's count, the header's memberships
    with django_assert_max_num_queries(7):
        page = client.get(LIST).content.decode()
    assert page.index("Lecture 29") < page.index("Lecture 10")
    assert "Lecture 4" not in page
    assert "Lecture 4" in client.get(LIST + "?page=2").content.decode()


def test_opening_one_marks_it_read_and_follows_its_link(client, tell, owner):
    tell(owner)
    notification = Notification.objects.get()
    client.force_login(owner)
    response = client.get(reverse("notification-open", args=[notification.pk]))
    assert response["Location"] == "/o/association-a/partnerships/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_not_found(client, tell, owner, editor):
    tell(owner)
    client.force_login(editor)
    pk = Notification.objects.get().pk
    assert client.get(reverse("notification-open", args=[pk])).status_code == 404
    assert Notification.objects.get().read_at is None


def test_mark_all_read(client, tell, owner, editor):
    tell(owner, 1)
    tell(owner, 2)
    tell(editor, 3)
    client.force_login(owner)
    assert client.post(reverse("notifications-read-all")).status_code == 302
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=editor).read_at is None


def test_news_of_an_organisation_left_or_deactivated_is_no_longer_shown(client, tell, owner, org_a):
    other = OrganisationFactory(name="Réseau R", slug="reseau-r")
    MembershipFactory(user=owner, organisation=other, role="admin")
    tell(owner, 1, organisation=other)
    tell(owner, 2)
    other.memberships.all().delete()
    org_a.active = False
    org_a.save()
    client.force_login(owner)
    assert "Lecture" not in client.get(LIST).content.decode()


# --- API ---------------------------------------------------------------------------------------
def test_the_api_lists_the_callers_notifications_newest_first(api, tell, owner, editor):
    tell(owner, 1)
    tell(owner, 2)
    tell(editor, 3)
    response = api(owner).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert set(first) == {"id", "kind", "text", "url", "read", "created_at"}
    assert first["kind"] == "review_held" and "Lecture 2" in first["text"]
    assert first["url"] == "/o/association-a/partnerships/" and first["read"] is False


def test_the_api_marks_one_read_and_never_someone_elses(api, tell, owner, editor):
    tell(owner)
    pk = Notification.objects.get().pk
    assert api(editor).post(f"/api/v1/notifications/{pk}/read/").status_code == 404
    response = api(owner).post(f"/api/v1/notifications/{pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True


def test_the_api_list_costs_the_same_whatever_its_length(
    api, tell, owner, django_assert_max_num_queries
):
    for n in range(30):
        tell(owner, n)
    with django_assert_max_num_queries(3):  # count, page, (token-free) session user
        assert api(owner).get("/api/v1/notifications/").status_code == 200


def test_the_schema_lists_the_kinds(api, owner):
    schema = api(owner).get("/api/schema/?format=json").json()
    enum = schema["components"]["schemas"]["NotificationKindEnum"]["enum"]
    assert set(enum) == set(KINDS)
