"""Pages ask the policy before they touch a form: who reads (404 otherwise), who writes (403),
what the state refuses (409), and the choices a form offers."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Commitment, Concern, Partnership, Party
from partnerships.services.reviews import review_close, review_hold
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
D = datetime.date


def url(name, partnership=None, org_slug="association-a", **kwargs):
    if partnership is not None:
        kwargs["partnership_id"] = partnership.pk
    return reverse(f"partnerships:{name}", kwargs={"org_slug": org_slug, **kwargs})


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def has_left(partnership, org_a):
    """Organisation A (the lead) has left the partnership: its invitation stays accepted."""
    party = partnership.parties.get(organisation=org_a)
    party.joined_on, party.left_on = D(2025, 9, 1), D(2026, 1, 15)
    party.save()
    return party


@pytest.fixture
def closed_review(partnership, editor, org_a):
    review = ReviewFactory(partnership=partnership, scheduled_on=D(2026, 3, 10))
    review_hold(actor=editor, organisation=org_a, review=review)
    return review_close(actor=editor, organisation=org_a, review=review)


def review_url(name, review):
    return url(name, review.partnership, review_id=review.pk)


# --- 1. A party that has left reads, never writes ------------------------------------------
def test_a_party_that_has_left_reads_its_pages_but_every_write_page_answers_403(
    client, owner, partnership, has_left
):
    client.force_login(owner)
    assert client.get(url("workspace", partnership)).status_code == 200
    for name in ("edit", "invite", "delete"):
        assert client.get(url(name, partnership)).status_code == 403, name
    posted = client.post(url("edit", partnership), {"title": "Taken over", "version": 1})
    assert posted.status_code == 403
    assert client.post(url("invite", partnership), {"role": "partner"}).status_code == 403
    assert client.post(url("delete", partnership)).status_code == 403
    assert Partnership.objects.get(pk=partnership.pk).title == "Lecture au collège"


def test_a_party_that_has_left_is_shown_no_write_form_or_button(
    client, owner, partnership, has_left, org_a
):
    CommitmentFactory(party=has_left, title="Old promise")
    client.force_login(owner)
    page = text(client.get(url("workspace", partnership)))
    assert url("edit", partnership) not in page and url("invite", partnership) not in page
    assert 'id="commitment-form"' not in page and 'id="responsibility-form"' not in page
    assert url("level-add", partnership) not in page
    assert "Old promise" in page  # it still reads
    for tab in ("concerns", "pleasures", "reviews", "agreement"):
        panel = text(client.get(url(f"tab-{tab}", partnership), **HTMX))
        assert '<form method="post"' not in panel, tab
    review = ReviewFactory(partnership=partnership)
    meeting = text(client.get(review_url("review", review)))
    assert "rating-form" not in meeting and "plan-form" not in meeting


def test_a_party_that_has_left_cannot_post_a_record_or_a_meeting_step(
    client, editor, partnership, has_left
):
    client.force_login(editor)
    review = ReviewFactory(partnership=partnership)
    assert client.post(url("commitment-add", partnership), {"title": "x"}).status_code == 403
    assert client.post(review_url("review-rate", review), {"level": 3}).status_code == 403
    assert not Commitment.objects.exists()


# --- 2. A state refusal is a 409, said on the page ------------------------------------------
def test_adding_a_commitment_at_a_closed_review_is_refused_with_409_and_nothing_stored(
    client, editor, partnership, org_a, closed_review
):
    client.force_login(editor)
    party = partnership.parties.get(organisation=org_a)
    data = {"party": party.pk, "title": "Too late", "status": "planned"}
    for extra in ({}, HTMX):
        response = client.post(review_url("review-commitment-add", closed_review), data, **extra)
        assert response.status_code == 409
        assert 'role="alert"' in text(response)
    assert not Commitment.objects.filter(title="Too late").exists()
    assert 'id="commitment-form"' not in text(client.get(review_url("review", closed_review)))


def test_rating_a_held_review_answers_409_with_the_reason_and_the_form_as_typed(
    client, editor, partnership, org_a
):
    review = ReviewFactory(partnership=partnership)
    review_hold(actor=editor, organisation=org_a, review=review)
    client.force_login(editor)
    response = client.post(review_url("review-rate", review), {"level": "6"}, **HTMX)
    assert response.status_code == 409
    assert response.context["rating_form"]["level"].value() == "6"
    assert response.context["rating_form"].non_field_errors()


# --- 3. Deleting a commitment from the page -------------------------------------------------
def test_a_commitment_is_deleted_from_the_page_after_a_confirmation(
    client, editor, partnership, org_a
):
    party = partnership.parties.get(organisation=org_a)
    commitment = CommitmentFactory(party=party, title="Send the minutes")
    client.force_login(editor)
    delete_url = url("commitment-delete", partnership, pk=commitment.pk)
    assert delete_url in text(client.get(url("tab-commitments", partnership)))
    confirm = client.get(delete_url)  # without JavaScript: a confirmation first
    assert confirm.status_code == 200 and "Send the minutes" in text(confirm)
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    assert client.post(delete_url).status_code == 302
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


def test_a_commitment_agreed_at_a_closed_review_is_not_deleted_and_shows_no_delete_button(
    client, editor, partnership, org_a, closed_review
):
    party = partnership.parties.get(organisation=org_a)
    agreed = CommitmentFactory(party=party, review=closed_review, title="Agreed")
    loose = CommitmentFactory(party=party, title="Loose")
    client.force_login(editor)
    tab = text(client.get(url("tab-commitments", partnership)))
    assert url("commitment-delete", partnership, pk=loose.pk) in tab
    assert url("commitment-delete", partnership, pk=agreed.pk) not in tab
    for extra in ({}, HTMX):
        refused = client.post(url("commitment-delete", partnership, pk=agreed.pk), **extra)
        assert refused.status_code == 409 and 'role="alert"' in text(refused)
    assert Commitment.objects.filter(pk=agreed.pk).exists()


def test_viewers_see_no_delete_button_and_cannot_delete(client, viewer, partnership, org_a):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    client.force_login(viewer)
    delete_url = url("commitment-delete", partnership, pk=commitment.pk)
    assert delete_url not in text(client.get(url("tab-commitments", partnership)))
    assert client.post(delete_url).status_code == 403
    assert Commitment.objects.filter(pk=commitment.pk).exists()


# --- 4. One rule for the parties a form offers ----------------------------------------------
@pytest.fixture
def gone_and_invited(partnership):
    gone = PartyFactory(
        partnership=partnership,
        organisation=OrganisationFactory(name="Gone D"),
        joined_on=D(2025, 9, 1),
        left_on=D(2026, 1, 1),
    )
    invited = PartyFactory(
        partnership=partnership,
        organisation=OrganisationFactory(name="Invited E"),
        invitation="invited",
    )
    return gone, invited


def test_party_choices_name_only_the_parties_taking_part(
    client, editor, partnership, gone_and_invited
):
    client.force_login(editor)
    response = client.get(url("tab-commitments", partnership), **HTMX)
    offered = {
        party.organisation.name
        for form in ("commitment_form", "responsibility_form")
        for party in response.context[form].fields["party"].queryset
    }
    assert offered == {"Association A", "Fondation C"}
    pleasures = client.get(url("tab-pleasures", partnership), **HTMX)
    noted_by = {
        p.organisation.name for p in pleasures.context["benefit_form"].fields["party"].queryset
    }
    assert noted_by == {"Association A", "Fondation C"}
    gone, _invited = gone_and_invited
    client.post(
        url("commitment-add", partnership), {"party": gone.pk, "title": "x", "status": "planned"}
    )
    assert not Commitment.objects.exists()


def test_review_attendees_are_offered_from_the_parties_taking_part(
    client, editor, partnership, gone_and_invited
):
    gone, invited = gone_and_invited
    for party, name in ((gone, "gina"), (invited, "ivan")):
        MembershipFactory(user=UserFactory(username=name), organisation=party.organisation)
    review = ReviewFactory(partnership=partnership)
    client.force_login(editor)
    response = client.get(review_url("review", review))
    names = {user.username for user in response.context["plan_form"].fields["attendees"].queryset}
    assert "bob" in names and not names & {"gina", "ivan"}


# --- 5. A concern is raised by the acting organisation --------------------------------------
def test_a_shared_concern_is_raised_by_the_acting_organisation_whatever_is_posted(
    client, editor, partnership, org_a, org_c
):
    client.force_login(editor)
    other = partnership.parties.get(organisation=org_c)
    form = client.get(url("tab-concerns", partnership), **HTMX).context["concern_form"]
    assert "raised_by" not in form.fields
    client.post(
        url("concern-add", partnership),
        {
            "kind": "fear",
            "category": "investment",
            "visibility": "shared",
            "description": "Evenings",
            "intensity": 2,
            "raised_by": other.pk,
        },
    )
    assert Concern.objects.get().raised_by.organisation == org_a


# --- 6. The list's partner filter names only partners of partnerships the org reads -----------
def test_an_organisation_only_invited_does_not_see_the_partners_in_the_list_filter(
    client, partnership, org_c
):
    org_d = OrganisationFactory(name="Maison D", slug="maison-d")
    dora = UserFactory(username="dora")
    MembershipFactory(user=dora, organisation=org_d, role="admin")
    PartyFactory(partnership=partnership, organisation=org_d, invitation="invited")
    client.force_login(dora)
    page = text(client.get(url("list", org_slug="maison-d")))
    assert "Fondation C" not in page and "Association A" not in page


# --- 7. Who invites, edits, deletes, answers --------------------------------------------------
def test_editors_of_a_party_taking_part_invite_another_organisation(
    client, editor, partnership, org_b
):
    client.force_login(editor)
    assert client.get(url("invite", partnership)).status_code == 200
    response = client.post(
        url("invite", partnership), {"organisation": org_b.pk, "role": "partner"}
    )
    assert response.status_code == 302
    assert Party.objects.get(partnership=partnership, organisation=org_b).invitation == "invited"


def test_only_the_leads_administrators_delete_and_never_after_an_approved_agreement(
    client, owner, editor, partnership, org_c
):
    carla = UserFactory(username="carla")
    MembershipFactory(user=carla, organisation=org_c, role="admin")
    client.force_login(editor)
    assert client.get(url("delete", partnership)).status_code == 403
    client.force_login(carla)
    assert client.post(url("delete", partnership, org_slug="fondation-c")).status_code == 403
    client.force_login(owner)
    AgreementFactory(partnership=partnership, state="in_force", in_force_at=timezone.now())
    refused = client.get(url("delete", partnership))
    assert refused.status_code == 409 and 'role="alert"' in text(refused)
    assert client.post(url("delete", partnership)).status_code == 409
    assert Partnership.objects.filter(pk=partnership.pk).exists()


def test_answering_an_invitation_already_answered_answers_409(client, outsider, partnership, org_b):
    party = PartyFactory(partnership=partnership, organisation=org_b, invitation="declined")
    client.force_login(outsider)
    response = client.post(url("invitation-accept", org_slug="college-b", pk=party.pk))
    assert response.status_code == 409
    party.refresh_from_db()
    assert party.invitation == "declined"


# --- 8. The policy answers before any form ----------------------------------------------------
def test_viewers_get_403_on_every_write_page_before_any_form(client, viewer, partnership, org_a):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    client.force_login(viewer)
    for name, kwargs in (
        ("edit", {}),
        ("invite", {}),
        ("delete", {}),
        ("commitment-edit", {"pk": commitment.pk}),
        ("commitment-delete", {"pk": commitment.pk}),
    ):
        assert client.get(url(name, partnership, **kwargs)).status_code == 403, name


def test_outsiders_and_invited_organisations_get_404_on_the_partnership_pages(
    client, outsider, partnership, org_b
):
    client.force_login(outsider)
    for invitation in (None, "invited", "declined"):
        if invitation:
            Party.objects.filter(partnership=partnership, organisation=org_b).delete()
            PartyFactory(partnership=partnership, organisation=org_b, invitation=invitation)
        for name in ("workspace", "edit", "invite", "delete"):
            response = client.get(url(name, partnership, org_slug="college-b"))
            assert response.status_code == 404, (invitation, name)


# --- 9. A friendly 403 page ---------------------------------------------------------------------
def test_the_403_page_explains_in_plain_words_and_links_back(
    client, owner, partnership, has_left, settings
):
    settings.DEBUG = False
    client.force_login(owner)
    response = client.get(url("edit", partnership))
    page = text(response)
    assert response.status_code == 403
    assert 'id="forbidden-title"' in page and "<html" in page
    assert f'href="{url("workspace", partnership)}"' in page


def test_the_403_page_for_a_viewer_links_back_to_the_partnership(
    client, viewer, partnership, settings
):
    settings.DEBUG = False
    client.force_login(viewer)
    response = client.get(url("invite", partnership))
    assert response.status_code == 403
    assert f'href="{url("workspace", partnership)}"' in text(response)
