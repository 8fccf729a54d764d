"""Every admin page answers a superuser, and edits through the admin leave history with the user."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from partnerships.models import Partnership, Reminder
from tests.factories import (
    AgreementFactory,
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    ExportJobFactory,
    LevelAssessmentFactory,
    LevelProposalFactory,
    MembershipFactory,
    ResponsibilityFactory,
    ReviewFactory,
)
from tests.forms import form_data

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.fixture
def one_of_each(partnership, owner, superuser):
    party = partnership.parties.first()
    ResponsibilityFactory(party=party)
    CommitmentFactory(party=party)
    ConcernCheckFactory(concern=ConcernFactory(raised_by=party))
    BenefitFactory(party=party)
    LevelAssessmentFactory(partnership=partnership)
    ReviewFactory(partnership=partnership)
    AgreementFactory(partnership=partnership)
    LevelProposalFactory(proposed_by=party, asking=partnership.parties.exclude(pk=party.pk))
    MembershipFactory(user=superuser, organisation=party.organisation, role="viewer")
    ExportJobFactory(organisation=party.organisation, requested_by=owner)
    Reminder.objects.create(kind="review", object_id=partnership.pk, recipient=owner, period="x")
    Notification.objects.create(
        recipient=owner, organisation=party.organisation, kind="review_held", url="/", event_key="x"
    )
    NotificationPreference.objects.create(user=owner, kind="review_held", channel="in_app")


def test_every_project_model_is_registered():
    ours = {name for app, name in REGISTERED if app in ("organisations", "partnerships")}
    assert ours == {
        "user",
        "organisation",
        "membership",
        "partnership",
        "party",
        "levelassessment",
        "levelproposal",
        "responsibility",
        "commitment",
        "concern",
        "concerncheck",
        "benefit",
        "review",
        "reminder",
        "exportjob",
        "agreement",
        "memberinvitation",
        "organisationsignup",
        "joinrequest",
        "partnerinvitation",
    }


def test_the_notifications_sent_and_the_choices_are_in_the_admin():
    ours = {name for app, name in REGISTERED if app == "notifications"}
    assert ours == {"notification", "notificationpreference"}


def test_notifications_sent_are_filtered_by_kind_and_read_and_searched_by_recipient(
    client, superuser, one_of_each, owner
):
    client.force_login(superuser)
    url = reverse("admin:notifications_notification_changelist")

    def found(**query) -> int:
        return client.get(url, query).context["cl"].result_count

    assert found(kind="review_held") == 1 and found(kind="party_invited") == 0
    assert found(read_at__isempty="1") == 1 and found(read_at__isempty="0") == 0
    assert found(q="alice") == 1 and found(q="nobody") == 0


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_pages_answer_a_superuser(client, superuser, one_of_each, app_label, model_name):
    client.force_login(superuser)
    model = next(
        m
        for m in admin.site._registry
        if (m._meta.app_label, m._meta.model_name) == (app_label, model_name)
    )
    prefix = f"admin:{app_label}_{model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    assert client.get(reverse(f"{prefix}_changelist"), {"q": "x"}).status_code == 200
    assert client.get(reverse(f"{prefix}_add")).status_code in (200, 403)
    obj = model._default_manager.first()
    if obj is not None:
        assert client.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200
        if hasattr(model, "history"):
            assert client.get(reverse(f"{prefix}_history", args=[obj.pk])).status_code == 200


def test_partnership_changelist_shows_level_labels(client, superuser, partnership):
    LevelAssessmentFactory(partnership=partnership, kind="agreed", level=5)
    client.force_login(superuser)
    response = client.get(reverse("admin:partnerships_partnership_changelist"))
    assert "Coopération" in response.content.decode()


def test_editing_a_partnership_in_the_admin_records_history_with_the_user(
    client, superuser, partnership
):
    client.force_login(superuser)
    url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
    data = form_data(client.get(url).content.decode(), "partnership_form")
    data["title"] = "Lecture renforcée"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    partnership.refresh_from_db()
    assert partnership.title == "Lecture renforcée"
    assert partnership.version == 2
    latest = partnership.history.latest()
    assert (latest.title, latest.history_user, latest.history_type) == (
        "Lecture renforcée",
        superuser,
        "~",
    )


def test_history_entries_are_read_only_in_the_admin(client, superuser, partnership):
    assessment = LevelAssessmentFactory(partnership=partnership, level=3)
    client.force_login(superuser)
    url = reverse("admin:partnerships_levelassessment_change", args=[assessment.pk])
    assert client.post(url, {"level": 6}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.level == 3


def test_admin_site_refuses_members_who_are_not_staff(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:partnerships_partnership_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_partnerships_in_admin_do_not_repeat_queries_per_row(
    client, superuser, partnership, django_assert_max_num_queries
):
    from tests.factories import PartyFactory

    for _ in range(15):
        PartyFactory(organisation=partnership.parties.first().organisation)
    client.force_login(superuser)
    with django_assert_max_num_queries(12):
        client.get(reverse("admin:partnerships_partnership_changelist"))
    assert Partnership.objects.count() == 16


def test_an_approved_agreement_is_read_only_in_the_admin(client, superuser, partnership):
    from django.utils import timezone

    agreement = AgreementFactory(
        partnership=partnership, state="in_force", in_force_at=timezone.now(), purpose="Lire"
    )
    client.force_login(superuser)
    change = reverse("admin:partnerships_agreement_change", args=[agreement.pk])
    page = client.get(change).content.decode()
    assert 'name="purpose"' not in page  # shown, not editable
    assert client.post(change, {"purpose": "Réécrit"}).status_code == 403
    delete = reverse("admin:partnerships_agreement_delete", args=[agreement.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.purpose == "Lire"


def test_a_draft_agreement_is_corrected_in_the_admin_with_history(client, superuser, partnership):
    agreement = AgreementFactory(partnership=partnership, purpose="Lire")
    client.force_login(superuser)
    url = reverse("admin:partnerships_agreement_change", args=[agreement.pk])
    data = form_data(client.get(url).content.decode(), "agreement_form")
    data["purpose"] = "Lire ensemble"
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.purpose == "Lire ensemble"
    assert agreement.history.latest().history_user == superuser
