"""The dashboard's tiles link to the filtered lists they count; a new organisation's dashboard
explains the levels and offers the first steps; empty lists say why they are empty."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partnerships.choices import LEVEL_SUMMARIES, Level
from tests.factories import (
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def url(name: str, slug: str = "association-a") -> str:
    return reverse(f"partnerships:{name}", args=[slug])


def test_each_tile_links_to_a_list_with_as_many_partnerships(client, editor, org_a, org_c):
    def partnership(**fields):
        p = PartnershipFactory(**fields)
        PartyFactory(partnership=p, organisation=org_a, role="lead")
        return p, PartyFactory(partnership=p, organisation=org_c)

    partnership(status="active", next_review_on=TODAY + 5 * DAY)
    late, _c = partnership(status="active", next_review_on=TODAY + 90 * DAY)
    CommitmentFactory(party=late.parties.get(organisation=org_a), due_on=TODAY - DAY)
    CommitmentFactory(party=late.parties.get(organisation=org_a), due_on=TODAY - 2 * DAY)
    _worried, theirs = partnership(status="paused")
    ConcernCheckFactory(concern=ConcernFactory(raised_by=theirs), intensity=5)
    # C's private concern stays C's: it makes no partnership count for A.
    _hidden, theirs_private = partnership(status="proposed")
    ConcernCheckFactory(
        concern=ConcernFactory(raised_by=theirs_private, visibility="private"), intensity=5
    )

    client.force_login(editor)
    page = client.get(url("dashboard")).content.decode()
    tiles = re.findall(r'<li><a href="([^"]+)"><strong>(\d+)</strong>', page)
    assert len(tiles) == 4
    counts = {}
    for href, count in tiles:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.context["page"].paginator.count == int(count), href
        counts[href.split("?")[1].split("&")[0]] = int(count)
    assert counts == {
        "status=active": 2,
        "attention=reviews_due": 1,
        "attention=overdue_commitments": 1,
        "attention=high_concerns": 1,
    }


def test_a_new_organisation_sees_the_levels_and_its_first_steps(client, owner):
    client.force_login(owner)
    response = client.get(url("dashboard"))
    content = html.unescape(response.content.decode())
    assert response.context["first_run"] is True
    assert 'id="first-run"' in content and 'class="counts"' not in content
    for level in Level:
        assert str(LEVEL_SUMMARIES[level]) in content  # French: the page's language
    steps = first_run_section(content)
    assert url("new") in steps and reverse("members", args=["association-a"]) in steps
    # French wording, once the catalog is merged: « Créer votre premier partenariat »
    assert url("import") in steps  # a spreadsheet of the partnerships it already tracks


def test_the_first_run_in_english(client, owner):
    owner.language = "en"
    owner.save()
    client.force_login(owner)
    content = client.get(url("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Create your first partnership" in content
    assert "One party works for the other more than with it." in content


def first_run_section(content: str) -> str:
    return content.split('id="first-run"', 1)[1].split("</section>", 1)[0]


def test_a_viewer_is_not_offered_what_they_may_not_do(client, viewer):
    client.force_login(viewer)
    steps = first_run_section(client.get(url("dashboard")).content.decode())
    assert url("new") not in steps and url("import") not in steps
    assert reverse("members", args=["association-a"]) not in steps


def test_the_empty_list_says_why(client, editor, org_a):
    client.force_login(editor)
    none_yet = client.get(url("list")).content.decode()
    assert url("new") in none_yet  # "no partnership yet", with the way to create one
    p = PartnershipFactory(status="active")
    PartyFactory(partnership=p, organisation=org_a)
    filtered = client.get(url("list"), {"status": "ended"})
    assert filtered.context["filtered"] is True and filtered.context["page"].paginator.count == 0
    assert client.get(url("list"), {"sort": "title"}).context["filtered"] is False


def test_an_empty_chart_says_why_in_the_page_language(client, editor, org_a):
    p = PartnershipFactory(status="active")
    PartyFactory(partnership=p, organisation=org_a)
    client.force_login(editor)
    svg = client.get(url("chart-concerns")).content.decode()
    assert "No data" not in svg
    assert client.get(url("dashboard")).context["intensity"].is_empty


def test_an_organisation_without_partnerships_still_sees_invitations(client, owner, org_a):
    inviting = OrganisationFactory(name="Mairie D", slug="mairie-d")
    p = PartnershipFactory(title="Fête du quartier")
    PartyFactory(partnership=p, organisation=inviting, role="lead")
    PartyFactory(partnership=p, organisation=org_a, invitation="invited")
    client.force_login(owner)
    content = client.get(url("dashboard")).content.decode()
    assert "Fête du quartier" in content and url("invitations") in content


def test_a_member_of_a_second_organisation_sees_its_own_first_run(client, org_c):
    user = UserFactory(username="zoe")
    MembershipFactory(user=user, organisation=OrganisationFactory(slug="nouvelle"), role="admin")
    client.force_login(user)
    assert client.get(url("dashboard", "nouvelle")).context["first_run"] is True
