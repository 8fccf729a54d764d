"""The network map: computed from the records at a date, only what the organisation may see,
drawn as accessible SVG with a table, laid out so that nodes stay put month to month."""

from __future__ import annotations

import datetime
import math
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.models import Organisation
from partnerships.reads.network import first_rows, months, network_at
from tests.factories import (
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def history(org_a, org_b, org_c):
    """A prepared history of Association A, with the map expected at three dates.

    - with C from 2023-01-10: service in January 2023, cooperation from 2024-03-01;
    - with a unit of A's own town (internal) from 2023-06-01, ended 2024-01-31;
    - with B and D (three parties) from 2024-02-01; D leaves on 2024-09-01;
    - B and C together, without A: never on A's map.
    """
    town = OrganisationFactory(name="Ville", slug="ville", kind="public_body")
    org_a.parent = town
    org_a.save()
    unit = OrganisationFactory(name="Centre social", slug="centre-social", parent=town)
    org_d = OrganisationFactory(name="Dépôt D", slug="depot-d")

    def partnership(title, parties, starts_on, ends_on=None, scope="external"):
        p = PartnershipFactory(title=title, starts_on=starts_on, ends_on=ends_on, scope=scope)
        for organisation, joined_on, left_on in parties:
            PartyFactory(
                partnership=p, organisation=organisation, joined_on=joined_on, left_on=left_on
            )
        return p

    with_c = partnership(
        "Lecture", [(org_a, D(2023, 1, 10), None), (org_c, D(2023, 1, 10), None)], D(2023, 1, 10)
    )
    LevelAssessmentFactory(partnership=with_c, level=1, assessed_on=D(2023, 1, 10))
    LevelAssessmentFactory(partnership=with_c, level=5, assessed_on=D(2024, 3, 1))
    internal = partnership(
        "Quartier",
        [(org_a, D(2023, 6, 1), None), (unit, D(2023, 6, 1), None)],
        D(2023, 6, 1),
        ends_on=D(2024, 1, 31),
        scope="internal",
    )
    LevelAssessmentFactory(partnership=internal, level=3, assessed_on=D(2023, 6, 1))
    three = partnership(
        "Jardins",
        [
            (org_a, D(2024, 2, 1), None),
            (org_b, D(2024, 2, 1), None),
            (org_d, D(2024, 2, 1), D(2024, 9, 1)),
        ],
        D(2024, 2, 1),
    )
    hidden = partnership(
        "Sans A", [(org_b, D(2022, 1, 1), None), (org_c, D(2022, 1, 1), None)], D(2022, 1, 1)
    )
    LevelAssessmentFactory(partnership=hidden, level=7, assessed_on=D(2022, 1, 1))
    return {"with_c": with_c, "internal": internal, "three": three, "hidden": hidden, "unit": unit}


def edges(network):
    return sorted((e.target, e.partnership, e.level, e.scope) for e in network.edges)


def test_the_map_at_past_dates_is_the_one_the_history_gives(org_a, history):
    with_c, internal, three = history["with_c"].pk, history["internal"].pk, history["three"].pk
    assert edges(network_at(org_a, D(2022, 12, 31))) == []
    assert edges(network_at(org_a, D(2023, 1, 31))) == [("fondation-c", with_c, 1, "external")]
    assert edges(network_at(org_a, D(2023, 12, 31))) == [
        ("centre-social", internal, 3, "internal"),
        ("fondation-c", with_c, 1, "external"),
    ]
    # The internal partnership ended; three parties give two edges of one partnership; the
    # level with C deepened on 1 March.
    assert edges(network_at(org_a, D(2024, 3, 31))) == [
        ("college-b", three, None, "external"),
        ("depot-d", three, None, "external"),
        ("fondation-c", with_c, 5, "external"),
    ]
    # D left on 1 September.
    assert edges(network_at(org_a, D(2024, 9, 30))) == [
        ("college-b", three, None, "external"),
        ("fondation-c", with_c, 5, "external"),
    ]
    network = network_at(org_a, D(2023, 12, 31))
    assert network.centre.slug == "association-a"
    assert network.centre.system == "ville"
    assert {n.slug: n.system for n in network.partners} == {
        "centre-social": "ville",
        "fondation-c": None,
    }
    assert network.reached_through_units() == 0


def test_a_partnership_between_two_partners_never_shows(org_a, org_b, org_c, history):
    hidden = history["hidden"].pk
    for day in (D(2022, 6, 1), D(2024, 6, 1), D(2026, 1, 1)):
        network = network_at(org_a, day)
        assert hidden not in network.partnership_ids()
        assert all(e.source == "association-a" for e in network.edges)
    # And C sees none of A's partnership with B.
    assert history["three"].pk not in network_at(org_c, D(2024, 6, 1)).partnership_ids()


def test_a_sealed_rating_makes_no_gap(org_a, org_c, partnership):
    party_a = partnership.parties.get(organisation=org_a)
    party_c = partnership.parties.get(organisation=org_c)
    review = ReviewFactory(partnership=partnership, status="planned")
    LevelAssessmentFactory(partnership=partnership, kind="perceived", party=party_a, level=1)
    # C's rating is sealed until the review is held: A sees no gap, and never C's level.
    LevelAssessmentFactory(
        partnership=partnership, kind="perceived", party=party_c, level=6, review=review
    )
    (edge,) = network_at(org_a).edges
    assert edge.perception_gap is None and not edge.gap_marked
    review.status = "held"
    review.held_on = review.scheduled_on
    review.save()
    (edge,) = network_at(org_a).edges
    assert edge.perception_gap == 5 and edge.gap_marked


def test_nodes_stay_put_from_one_month_to_the_next(org_a, history):
    before = network_at(org_a, D(2024, 2, 29))
    after = network_at(org_a, D(2024, 3, 31))
    for node in after.nodes:
        old = next((n for n in before.nodes if n.slug == node.slug), None)
        if old is not None:
            assert math.dist((old.x, old.y), (node.x, node.y)) < 1.0


def test_the_month_control_goes_back_to_the_first_partnership():
    dates = months(D(2026, 3, 15), D(2025, 11, 20))
    assert dates == [
        D(2025, 11, 30),
        D(2025, 12, 31),
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 15),
    ]
    assert len(months(D(2026, 3, 15), D(1990, 1, 1))) == 5 * 12 + 1


def test_the_page_draws_an_accessible_svg_and_a_table(client, owner, org_a, history):
    owner.language = "en"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    url = reverse("partnerships:network", args=[org_a.slug])
    response = client.get(url, {"at": "2024-03-31"})
    assert response.status_code == 200
    html = response.content.decode()
    start, end = html.index("<svg xmlns"), html.index("</svg>", html.index("<svg xmlns")) + 6
    svg = ElementTree.fromstring(html[start:end])
    assert svg.find(f"{SVG}title").text.startswith("Network of Association A")
    assert svg.find(f"{SVG}desc") is not None
    links = svg.findall(f".//{SVG}a")
    assert all(
        link.find(f"{SVG}title") is not None or link.find(f".//{SVG}title") is not None
        for link in links
    )
    workspace = reverse("partnerships:workspace", args=[org_a.slug, history["three"].pk])
    assert any(link.get("href") == workspace for link in links)
    assert "<caption>" in html and "Dépôt D" in html and "Sans A" not in html
    assert "<script>" not in html and "<style" not in html and " style=" not in html  # CSP
    assert "Cooperation" in html  # the level with C, in the legend and the table


def test_the_page_swaps_the_map_with_htmx_and_reads_a_bad_date(client, owner, org_a):
    client.force_login(owner)
    url = reverse("partnerships:network", args=[org_a.slug])
    partial = client.get(url, {"at": "2024-01-31"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b'id="network-map"' in partial.content
    assert client.get(url, {"at": "2024-13-45"}).status_code == 400
    assert client.get(url, {"at": "99999-01-01"}).status_code == 400


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_whatever_the_size(client, owner, org_a, org_c):
    client.force_login(owner)
    url = reverse("partnerships:network", args=[org_a.slug])
    for _ in range(2):
        p = PartnershipFactory()
        PartyFactory(partnership=p, organisation=org_a)
        PartyFactory(partnership=p, organisation=OrganisationFactory())
        LevelAssessmentFactory(partnership=p)
    client.get(url)  # the first visit stores the organisation in the session
    small = _queries(client, url)
    for _ in range(15):
        p = PartnershipFactory()
        PartyFactory(partnership=p, organisation=org_a)
        PartyFactory(partnership=p, organisation=OrganisationFactory(parent=org_c))
        LevelAssessmentFactory(partnership=p)
    assert _queries(client, url) == small
    assert small <= 10


def test_a_large_network_keeps_every_partner_apart(org_a):
    """Hundreds of partners: rings outwards from the first one, no two in one place."""
    for index in range(120):
        p = PartnershipFactory()
        PartyFactory(partnership=p, organisation=org_a)
        PartyFactory(partnership=p, organisation=OrganisationFactory(name=f"P{index:03}"))
    network = network_at(org_a)
    places = [(n.x, n.y) for n in network.partners]
    assert len(set(places)) == 120
    assert min(math.dist((0, 0), place) for place in places) >= 299


def test_today_the_levels_are_the_ones_recorded_and_a_past_day_keeps_its_own(org_a, org_c):
    """Today's map reads the read model; a past day still reads the log as it stood then."""
    p = PartnershipFactory(starts_on=D(2024, 1, 1))
    PartyFactory(partnership=p, organisation=org_a, joined_on=D(2024, 1, 1))
    PartyFactory(partnership=p, organisation=org_c, joined_on=D(2024, 1, 1))
    LevelAssessmentFactory(partnership=p, level=2, assessed_on=D(2024, 1, 1))
    LevelAssessmentFactory(partnership=p, level=6, assessed_on=D(2025, 6, 1))
    assert edges(network_at(org_a)) == [("fondation-c", p.pk, 6, "external")]
    assert edges(network_at(org_a, D(2025, 5, 31))) == [("fondation-c", p.pk, 2, "external")]


def _partners(count: int, organisation) -> None:
    for index in range(count):
        p = PartnershipFactory(title=f"Projet {index}")
        PartyFactory(partnership=p, organisation=organisation)
        PartyFactory(partnership=p, organisation=OrganisationFactory(name=f"Partenaire {index}"))


def _table(html: str) -> str:
    start = html.index("<tbody>", html.index('class="network-table"'))
    return html[start : html.index("</tbody>", start)]


def test_the_table_lists_the_first_partners_and_every_one_on_asking(
    client, owner, org_a, monkeypatch
):
    monkeypatch.setattr("partnerships.views.network.TABLE_PARTNERS", 2)
    _partners(3, org_a)
    client.force_login(owner)
    url = reverse("partnerships:network", args=[org_a.slug])
    html = client.get(url).content.decode()
    table = _table(html)
    assert "Partenaire 0" in table and "Partenaire 1" in table
    assert "Partenaire 2" not in table
    assert "Partenaire 2" in html  # still on the map
    assert "partners=all" in html
    every = client.get(url, {"partners": "all"}).content.decode()
    assert "Partenaire 2" in _table(every) and "Projet 2" in _table(every)
    assert 'name="partners" value="all"' in every  # kept when the month changes
    partial = client.get(url, {"partners": "all"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and "Partenaire 2" in _table(partial.content.decode())


def test_the_table_stops_near_its_share_of_partnerships(org_a):
    _partners(4, org_a)
    for index in range(3):  # a second partnership with the first partner
        p = PartnershipFactory(title=f"Autre {index}")
        PartyFactory(partnership=p, organisation=org_a)
        PartyFactory(partnership=p, organisation=Organisation.objects.get(name="Partenaire 0"))
    rows = network_at(org_a).rows()
    assert [len(row.edges) for row in rows] == [4, 1, 1, 1]
    assert [row.node.name for row in first_rows(rows, 3, 5)] == ["Partenaire 0", "Partenaire 1"]
    assert len(first_rows(rows, 3, 100)) == 3
    assert len(first_rows(rows, 10, 1)) == 1  # the first row, whole, at least


def test_the_central_partners_are_the_graphs_most_connected(org_a, history):
    network = network_at(org_a, D(2024, 3, 31))
    graph, centre = network.graph(), network.centre.slug
    expected = sorted(
        (
            (node.slug, graph.edges[centre, node.slug]["weight"], graph.degree(node.slug) - 1)
            for node in network.partners
        ),
        key=lambda item: (-item[1] - item[2], item[0]),
    )
    found = [(node.slug, shared, met) for node, shared, met in network.central_partners()]
    assert sorted(found) == sorted(expected)
    assert ("college-b", 1, 1) in found  # B meets D in the partnership of three
