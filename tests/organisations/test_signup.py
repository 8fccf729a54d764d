"""A signed-in person registers their organisation and becomes its administrator; a close name
is flagged, and they may ask to join the organisation already there instead."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from organisations.models import JoinRequest, Membership, Organisation, OrganisationSignup
from organisations.names import are_similar, reduced_name, similar_organisations
from organisations.signals import organisation_join_answered, organisation_join_requested
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("organisation-new")


@pytest.fixture
def newcomer(db):
    return UserFactory(username="nina", email="nina@example.org", language="en")


def register(client, name="Centre social des Tilleuls", **extra):
    data = {"name": name, "kind": "association", "size_band": 2, "description": "", **extra}
    return client.post(NEW, data)


def test_a_person_without_organisation_is_offered_to_register_one(client, newcomer):
    client.force_login(newcomer)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert NEW.encode() in page.content


def test_open_signup_creates_an_active_organisation_with_its_administrator(
    client, newcomer, settings
):
    settings.ORGANISATION_SIGNUP = "open"
    client.force_login(newcomer)
    response = register(client)
    organisation = Organisation.objects.get(name="Centre social des Tilleuls")
    assert organisation.active
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "partnerships:dashboard", kwargs={"org_slug": organisation.slug}
    )
    assert Membership.objects.get(organisation=organisation).user == newcomer
    assert not OrganisationSignup.objects.exists()


def test_approval_signup_waits_inactive_and_staff_approve_with_an_email(
    client, newcomer, superuser, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ORGANISATION_SIGNUP = "approval"
    client.force_login(newcomer)
    response = register(client)
    assert response["Location"] == reverse("home")
    organisation = Organisation.objects.get(name="Centre social des Tilleuls")
    assert not organisation.active
    signup = OrganisationSignup.objects.get(organisation=organisation)
    assert signup.requested_by == newcomer and signup.is_pending
    # The person sees it waiting, and cannot act for it yet.
    assert b"Centre social des Tilleuls" in client.get(reverse("home")).content
    dashboard = reverse("partnerships:dashboard", kwargs={"org_slug": organisation.slug})
    assert client.get(dashboard).status_code == 404

    staff = client.__class__()
    staff.force_login(superuser)
    changelist = reverse("admin:organisations_organisationsignup_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(changelist, {"action": "approve", "_selected_action": [signup.pk]})
    organisation.refresh_from_db()
    signup.refresh_from_db()
    assert organisation.active and signup.state == "approved"
    assert signup.answered_by == superuser
    [message] = mailoutbox
    assert message.to == ["nina@example.org"]
    assert "approved" in message.subject  # in the requester's language (English)
    assert message.alternatives and "<a href=" in message.alternatives[0][0]
    assert client.get(dashboard).status_code == 200


def test_staff_refuse_a_signup_and_the_requester_is_told_in_their_language(
    client, superuser, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ORGANISATION_SIGNUP = "approval"
    french = UserFactory(username="francois", email="f@example.org", language="fr")
    client.force_login(french)
    register(client, name="Maison des jeunes")
    signup = OrganisationSignup.objects.get()
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:organisations_organisationsignup_changelist"),
            {"action": "refuse", "_selected_action": [signup.pk]},
        )
    signup.refresh_from_db()
    assert signup.state == "refused"
    assert not signup.organisation.active
    [message] = mailoutbox
    assert message.to == ["f@example.org"]
    assert "Maison des jeunes" in message.subject
    # Once the French catalog is merged: « n'a pas été acceptée » (the French wording).


def test_an_answered_signup_is_not_answered_again(client, superuser, settings, newcomer):
    settings.ORGANISATION_SIGNUP = "approval"
    client.force_login(newcomer)
    register(client)
    signup = OrganisationSignup.objects.get()
    client.force_login(superuser)
    url = reverse("admin:organisations_organisationsignup_changelist")
    client.post(url, {"action": "refuse", "_selected_action": [signup.pk]})
    client.post(url, {"action": "approve", "_selected_action": [signup.pk]})
    signup.refresh_from_db()
    assert signup.state == "refused" and not signup.organisation.active


@pytest.mark.parametrize(
    "typed",
    [
        "centre  social des tilleuls",
        "Centre Social Des Tilleuls!",
        "« Centre social des Tilleuls »",
    ],
)
def test_names_typed_another_way_are_the_same(typed):
    assert reduced_name(typed) == "centre social des tilleuls"
    assert are_similar(typed, "Centre social des Tilleuls")


def test_a_typo_is_similar_and_another_town_is_not():
    assert are_similar("Centre social des Tileuls", "Centre social des Tilleuls")
    assert not are_similar("Mission locale de Lyon", "Mission locale de Nice")


def test_a_close_name_is_flagged_and_the_person_can_ask_to_join_instead(
    client, newcomer, django_assert_max_num_queries
):
    existing = OrganisationFactory(name="« Centre social des Tilleuls »", slug="tilleuls")
    client.force_login(newcomer)
    response = register(client, name="Centre Social Des Tilleuls!")
    assert response.status_code == 200
    assert Organisation.objects.count() == 1
    ask = reverse("organisation-join-request", kwargs={"org_slug": existing.slug})
    assert ask.encode() in response.content
    assert similar_organisations("centre  social des tilleuls") == [existing]
    # Ticking "another organisation" creates it anyway.
    response = register(client, name="Centre Social Des Tilleuls!", distinct="on")
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_join_request_approved_makes_a_member_with_the_role_chosen(
    client, newcomer, owner, org_a, django_capture_on_commit_callbacks
):
    heard = []
    organisation_join_requested.connect(
        lambda sender, join_request, **kw: heard.append(("asked", join_request.pk)),
        weak=False,
        dispatch_uid="test-asked",
    )
    organisation_join_answered.connect(
        lambda sender, join_request, **kw: heard.append((join_request.state, join_request.pk)),
        weak=False,
        dispatch_uid="test-answered",
    )
    try:
        client.force_login(newcomer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("organisation-join-request", kwargs={"org_slug": org_a.slug}),
                {"message": "I run the reading club"},
            )
        join_request = JoinRequest.objects.get()
        client.force_login(owner)
        members = client.get(reverse("members", kwargs={"org_slug": org_a.slug}))
        assert b"I run the reading club" in members.content
        approve = reverse(
            "join-request-approve", kwargs={"org_slug": org_a.slug, "pk": join_request.pk}
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(approve, {"role": "editor"})
    finally:
        organisation_join_requested.disconnect(dispatch_uid="test-asked")
        organisation_join_answered.disconnect(dispatch_uid="test-answered")
    assert Membership.objects.get(user=newcomer, organisation=org_a).role == "editor"
    assert heard == [("asked", join_request.pk), ("approved", join_request.pk)]


def test_join_request_refused_makes_no_member(client, newcomer, owner, org_a):
    client.force_login(newcomer)
    client.post(reverse("organisation-join-request", kwargs={"org_slug": org_a.slug}), {})
    join_request = JoinRequest.objects.get()
    client.force_login(owner)
    client.post(
        reverse("join-request-refuse", kwargs={"org_slug": org_a.slug, "pk": join_request.pk})
    )
    join_request.refresh_from_db()
    assert join_request.state == "refused"
    assert not Membership.objects.filter(user=newcomer, organisation=org_a).exists()


def test_editors_cannot_answer_join_requests(client, newcomer, editor, org_a):
    client.force_login(newcomer)
    client.post(reverse("organisation-join-request", kwargs={"org_slug": org_a.slug}), {})
    join_request = JoinRequest.objects.get()
    client.force_login(editor)
    url = reverse("join-request-approve", kwargs={"org_slug": org_a.slug, "pk": join_request.pk})
    assert client.post(url).status_code == 403
    assert JoinRequest.objects.get().is_pending


def test_asking_to_join_a_system_sets_the_parent_once_its_administrators_approve(
    client, newcomer, owner, org_a
):
    client.force_login(newcomer)
    register(client, name="Antenne Nord", system=org_a.pk)
    unit = Organisation.objects.get(name="Antenne Nord")
    assert unit.parent is None
    join_request = JoinRequest.objects.get(unit=unit)
    client.force_login(owner)
    client.post(
        reverse("join-request-approve", kwargs={"org_slug": org_a.slug, "pk": join_request.pk})
    )
    unit.refresh_from_db()
    assert unit.parent == org_a
    assert not Membership.objects.filter(user=newcomer, organisation=org_a).exists()


def test_a_member_of_organisations_can_register_another(client, owner):
    client.force_login(owner)
    page = client.get(reverse("profile"))
    assert NEW.encode() in page.content
    register(client, name="Deuxième association")
    assert Membership.objects.filter(user=owner).count() == 2


def test_the_admin_lists_the_new_models(client, superuser, owner, org_a):
    MembershipFactory(organisation=org_a)
    client.force_login(superuser)
    for model in ("memberinvitation", "organisationsignup", "joinrequest"):
        response = client.get(reverse(f"admin:organisations_{model}_changelist") + "?q=a")
        assert response.status_code == 200, model
    assert site.is_registered(JoinRequest)
