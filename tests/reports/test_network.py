"""The staff network map in the admin reports: by system, filtered, exported for Gephi."""

from __future__ import annotations

import csv
import datetime
import io
from xml.etree import ElementTree

import networkx as nx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/admin/reports/network/"


@pytest.fixture
def staff(superuser):
    superuser.language = "en"
    superuser.save()
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def platform(org_a, org_b, org_c):
    town = OrganisationFactory(name="Ville", slug="ville", kind="public_body")
    unit = OrganisationFactory(name="Centre social", slug="centre-social", parent=town)
    today = datetime.date.today()

    def partnership(parties, level=None, scope="external"):
        p = PartnershipFactory(starts_on=today - datetime.timedelta(days=30), scope=scope)
        for organisation in parties:
            PartyFactory(partnership=p, organisation=organisation, joined_on=p.starts_on)
        if level:
            LevelAssessmentFactory(partnership=p, level=level, assessed_on=p.starts_on)
        return p

    partnership([org_a, unit], level=5)
    partnership([org_a, town], level=3)
    partnership([town, unit], level=4, scope="internal")
    partnership([org_b, org_c], level=2)
    partnership([org_a, org_b, org_c])
    return town


def test_staff_see_the_systems_and_their_links(staff, platform):
    response = staff.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index("<svg xmlns")
    svg = ElementTree.fromstring(html[start : html.index("</svg>", start) + 6])
    assert svg.find("{http://www.w3.org/2000/svg}title") is not None
    assert "<caption>" in html and "Ville" in html
    network = response.context["network"]
    systems = {
        s.key: (len(s.organisations), len(s.partnerships), len(s.internal)) for s in network.systems
    }
    assert systems["ville"] == (2, 3, 1)
    assert systems["association-a"] == (1, 3, 0)
    assert network.partnership_count == 5


def test_the_filters_narrow_the_network(staff, platform):
    by_level = staff.get(URL, {"level": 5}).context["network"]
    assert by_level.partnership_count == 1
    by_system = staff.get(URL, {"system": "ville"}).context["network"]
    assert by_system.partnership_count == 3
    by_kind = staff.get(URL, {"kind": "school"}).context["network"]
    assert by_kind.partnership_count == 2
    long_ago = staff.get(URL, {"start": "2001-01-01", "end": "2001-12-31"}).context["network"]
    assert long_ago.partnership_count == 0
    assert staff.get(URL, {"start": "2025-02-30"}).status_code == 400
    assert staff.get(URL, {"start": "2025-02-30", "format": "graphml"}).status_code == 400


def test_the_files_for_gephi(staff, platform):
    graphml = staff.get(URL, {"format": "graphml"})
    assert graphml["Content-Disposition"].endswith('.graphml"')
    graph = nx.parse_graphml(graphml.content.decode())
    assert graph.nodes["centre-social"]["system"] == "ville"
    assert graph.edges["association-a", "centre-social"]["partnerships"] == 1
    nodes = staff.get(URL, {"format": "nodes"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(nodes), delimiter=nodes.split("\n")[0][2]))
    assert rows[0][:2] == ["id", "label"] and len(rows) == 6
    edges = staff.get(URL, {"format": "edges"}).content.decode("utf-8-sig")
    assert edges.splitlines()[0].startswith("source")


def test_only_staff_with_the_right(client, platform, owner):
    client.force_login(owner)
    assert client.get(URL).status_code == 302  # the admin sends non-staff to its sign-in
    clerk = UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403


def test_the_queries_do_not_grow_with_the_platform(staff, platform, org_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(URL).status_code == 200
        return len(captured)

    staff.get(URL)
    small = count()
    for _ in range(10):
        p = PartnershipFactory(starts_on=D(2025, 1, 1))
        PartyFactory(partnership=p, organisation=org_a)
        PartyFactory(partnership=p, organisation=OrganisationFactory(parent=platform))
    assert count() == small


def test_the_reports_index_links_the_map(staff):
    assert reverse("admin:report-network") in staff.get("/admin/reports/").content.decode()


def test_the_tables_hold_the_systems_and_their_links(staff, platform, org_a):
    gone = PartnershipFactory(starts_on=D(2020, 1, 1))
    PartyFactory(partnership=gone, organisation=org_a, joined_on=D(2020, 1, 1))
    PartyFactory(
        partnership=gone,
        organisation=OrganisationFactory(name="Partie partie", slug="partie-partie"),
        joined_on=D(2020, 1, 1),
        left_on=D(2021, 1, 1),  # gone before the period
    )
    response = staff.get(URL)
    html = response.content.decode()
    # A and Ville share two partnerships, agreed at 5 and 3; B and C one, with no level.
    assert "<tr><td>Association A</td><td>Ville</td><td>2</td><td>4.0</td></tr>" in html
    assert '<tr><th scope="row">Ville</th><td>2</td><td>3</td><td>1</td></tr>' in html
    assert "<td>—</td></tr>" in html
    assert "partie-partie" not in {s.key for s in response.context["network"].systems}
    assert "Partie partie" not in html
