"""Erasure: a person's identity replaced everywhere by one pseudonym, history tables included."""

from __future__ import annotations

import datetime
import html

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse
from rest_framework.authtoken.models import Token

from notifications.models import Notification
from organisations.models import MemberInvitation, Membership, User
from partnerships.models import Agreement, AgreementApproval, Review
from partnerships.services import agreements as agreement_services
from partnerships.services.reviews import review_close, review_hold
from privacy.erasure import is_erased, mentions, person_erase, scanned_models, text_fields
from privacy.policy import LastAdministrator
from tests.factories import (
    CommitmentFactory,
    MembershipFactory,
    OrganisationFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zoéline", "Effaçable-Quintard"
FULL_NAME = f"{FIRST} {LAST}"
USERNAME = "zoe_quintard42"
EMAIL = "zoeline.quintard@exemple-effacable.fr"
OLD_EMAIL = "zq.ancienne@exemple-effacable.fr"
TERMS = (FULL_NAME, USERNAME, EMAIL, OLD_EMAIL)


@pytest.fixture
def zoe(org_a, owner):
    user = UserFactory(username=USERNAME, first_name=FIRST, last_name=LAST, email=OLD_EMAIL)
    user.email = EMAIL  # a change the history keeps: the old address must go too
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    MembershipFactory(user=user, organisation=org_a, role="admin")  # beside alice
    return user


def everything_naming(terms) -> list[str]:
    """Every row of every table (historical ones included) whose text or JSON holds a term."""
    found = []
    for model in scanned_models():
        plain = models.QuerySet(model=model)
        for field in text_fields(model):
            if isinstance(field, models.JSONField):
                for pk, value in plain.values_list("pk", field.attname):
                    if value is not None and mentions(value, terms):
                        found.append(f"{model._meta.label}.{field.name} #{pk}")
                continue
            hit = models.Q()
            for term in terms:
                hit |= models.Q(**{f"{field.attname}__icontains": term})
            found += [
                f"{model._meta.label}.{field.name} #{pk}"
                for pk in plain.filter(hit).values_list("pk", flat=True)
            ]
    return found


def sessions_of(user) -> list[str]:
    return [
        s.pk for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


@pytest.fixture
def zoe_everywhere(client, zoe, owner, editor, carla, org_a, org_c, partnership):
    """Zoé authored, attended, approved, was named and notified all over the partnership."""
    party_a = partnership.parties.get(organisation=org_a)
    CommitmentFactory(party=party_a, title=f"Appeler {FULL_NAME}")
    review = ReviewFactory(
        partnership=partnership,
        scheduled_on=datetime.date(2026, 3, 10),
        guests=f"{FULL_NAME} <{EMAIL}>",
        created_by=zoe,
    )
    review.attendees.add(zoe, carla)
    review_hold(actor=zoe, organisation=org_a, review=review, held_on=datetime.date(2026, 3, 10))
    review.refresh_from_db()
    review.minutes = f"{FULL_NAME} ({USERNAME}) présente le bilan ; écrire à {OLD_EMAIL}."
    review.save()
    review_close(actor=zoe, organisation=org_a, review=review)

    agreement = agreement_services.agreement_draft(
        actor=zoe, organisation=org_a, partnership=partnership, purpose=f"Contact : {EMAIL}"
    )
    agreement_services.agreement_representative_set(
        actor=zoe, organisation=org_a, agreement=agreement, name=FULL_NAME, capacity="Directrice"
    )
    agreement_services.agreement_submit(actor=zoe, organisation=org_a, agreement=agreement)
    agreement_services.agreement_approve(actor=zoe, organisation=org_a, agreement=agreement)
    agreement_services.agreement_approve(actor=carla, organisation=org_c, agreement=agreement)

    Notification.objects.create(
        recipient=owner,
        organisation=org_a,
        kind="review_closed",
        params={"actor": FULL_NAME, "by": {"email": EMAIL}},
        url="/",
        event_key="about-zoe",
    )
    Notification.objects.create(
        recipient=zoe, organisation=org_a, kind="review_closed", url="/", event_key="for-zoe"
    )
    MemberInvitation.objects.create(
        organisation=org_c, email=EMAIL, invitee=zoe, invited_by=carla, role="viewer"
    )
    other = OrganisationFactory(name="Club B", slug="club-b")
    MemberInvitation.objects.create(organisation=other, email=OLD_EMAIL, invited_by=owner)
    AccessAttempt.objects.create(username=USERNAME, ip_address="10.0.0.1", failures_since_start=2)
    AccessLog.objects.create(username=EMAIL, ip_address="10.0.0.1")
    Token.objects.create(user=zoe)
    client.force_login(zoe)
    return {"review": review, "agreement": agreement}


def test_the_world_names_zoe_before_erasure(zoe_everywhere, zoe):
    found = everything_naming(TERMS)
    for table in (
        "partnerships.Review.minutes",
        "partnerships.HistoricalReview.minutes",
        "partnerships.Review.record",
        "partnerships.AgreementApproval.name",
        "partnerships.AgreementRepresentative.name",
        "partnerships.Agreement.purpose",
        "notifications.Notification.params",
        "organisations.HistoricalUser.email",
        "axes.AccessAttempt.username",
    ):
        assert any(hit.startswith(table + " ") for hit in found), table


def test_after_erasure_no_table_names_her(zoe_everywhere, zoe, owner):
    pseudonym = person_erase(actor=zoe, user=zoe)

    assert everything_naming(TERMS) == []
    assert sessions_of(zoe) == []
    zoe.refresh_from_db()
    assert is_erased(zoe)
    assert str(zoe) == pseudonym and pseudonym.startswith(("Ancien membre ", "Former member "))
    assert not zoe.is_active and not Membership.objects.filter(user=zoe).exists()
    assert not Token.objects.filter(user=zoe).exists()
    assert not EmailAddress.objects.filter(user=zoe).exists()
    assert not Notification.objects.filter(recipient=zoe).exists()
    # What she did stays, under the one pseudonym.
    review = Review.objects.get(pk=zoe_everywhere["review"].pk)
    assert review.minutes.startswith(f"{pseudonym} ({pseudonym}) présente")
    assert pseudonym in review.record["minutes"]
    assert AgreementApproval.objects.get(organisation__slug="association-a").name == pseudonym
    assert Agreement.objects.get().representatives.get().name == pseudonym
    assert Agreement.objects.get().state == "in_force"
    assert review.attendees.filter(pk=zoe.pk).exists()


def test_the_pages_that_showed_her_show_the_pseudonym(client, zoe_everywhere, zoe, owner):
    pseudonym = person_erase(actor=zoe, user=zoe)
    client.force_login(owner)
    agreement = zoe_everywhere["agreement"]
    page = client.get(
        reverse(
            "partnerships:agreement-print",
            kwargs={
                "org_slug": "association-a",
                "partnership_id": agreement.partnership_id,
                "agreement_id": agreement.pk,
            },
        )
    )
    text = html.unescape(page.content.decode())
    assert pseudonym in text and FULL_NAME not in text


def test_the_last_administrator_of_an_organisation_cannot_be_erased(org_c, carla):
    with pytest.raises(LastAdministrator):
        person_erase(actor=carla, user=carla)
    carla.refresh_from_db()
    assert carla.is_active and carla.username == "carla"


def test_erasure_is_one_transaction(zoe, monkeypatch):
    import privacy.erasure as erasure

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "scrub", broken)
    with pytest.raises(RuntimeError):
        person_erase(actor=zoe, user=zoe)
    zoe.refresh_from_db()
    assert zoe.username == USERNAME and zoe.is_active
    assert Membership.objects.filter(user=zoe).exists()


def test_someone_whose_username_is_a_common_word_keeps_others_text_intact(owner, org_a):
    paul = UserFactory(username="paul", first_name="Paul", last_name="Durand-Ninon")
    MembershipFactory(user=paul, organisation=org_a, role="viewer")
    other = UserFactory(username="pauline", first_name="Pauline", last_name="Roy")
    person_erase(actor=paul, user=paul)
    other.refresh_from_db()
    assert other.username == "pauline" and other.first_name == "Pauline"


def test_an_erased_account_no_longer_signs_in(client, zoe):
    person_erase(actor=zoe, user=zoe)
    response = client.post(reverse("account_login"), {"login": USERNAME, "password": "password"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert User.objects.filter(username=USERNAME).count() == 0
