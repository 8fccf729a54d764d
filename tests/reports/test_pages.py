"""The report pages as users reach them: who may, what they show, what they export, and how
many queries they cost."""

from __future__ import annotations

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from partnerships.views.reports import PAGES
from tests.factories import (
    BenefitFactory,
    CommitmentFactory,
    ConcernCheckFactory,
    ConcernFactory,
    LevelAssessmentFactory,
    OrganisationFactory,
    PartnershipFactory,
    PartyFactory,
    ReviewFactory,
    UserFactory,
)
from tests.reports.conftest import END, START, TODAY

pytestmark = pytest.mark.django_db
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
SLUGS = [page.slug for page in PAGES]
CHARTS = [name for page in PAGES for name in page.charts]


def org_url(name: str) -> str:
    return reverse(f"partnerships:{name}", args=["association-a"])


def admin_urls() -> list[str]:
    return [
        reverse("admin:reports"),
        *(reverse(f"admin:report-{slug}") for slug in SLUGS),
        *(reverse(f"admin:report-chart-{name}") for name in CHARTS),
    ]


def org_urls() -> list[str]:
    return [
        org_url("reports"),
        *(org_url(f"report-{slug}") for slug in SLUGS),
        *(org_url(f"report-chart-{name}") for name in CHARTS),
    ]


@pytest.fixture
def staff_client(superuser):
    superuser.language = "en"
    superuser.save()
    client = Client()  # its own, so a test may also hold a member's
    client.force_login(superuser)
    return client


@pytest.fixture
def member_client(client, viewer):
    viewer.language = "en"
    viewer.save()
    client.force_login(viewer)
    client.get(org_url("reports"))  # the session remembers the organisation once
    return client


# --- Who may see them ---------------------------------------------------------------------
def test_the_admin_index_has_a_reports_entry(staff_client):
    content = staff_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:reports")}"' in content
    assert f'href="{reverse("admin:report-gaps")}"' in content


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    for url in admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_members_who_are_not_staff_are_sent_to_the_admin_login(client, owner):
    client.force_login(owner)
    for url in admin_urls():
        response = client.get(url, {"format": "csv"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_need_the_right_to_view_partnerships(client):
    staff = UserFactory(username="sam", is_staff=True)
    client.force_login(staff)
    assert (
        f'href="{reverse("admin:reports")}"'
        not in client.get(reverse("admin:index")).content.decode()
    )
    for url in admin_urls():
        assert client.get(url).status_code == 403, url
    staff.user_permissions.add(Permission.objects.get(codename="view_partnership"))
    for url in admin_urls():
        assert client.get(url).status_code == 200, url


def test_outsiders_get_404_on_every_organisation_report(client, outsider, world):
    client.force_login(outsider)
    for url in org_urls():
        assert client.get(url, {"format": "csv"}).status_code == 404, url


def test_every_member_reaches_the_reports_from_the_navigation(member_client):
    page = member_client.get(org_url("dashboard")).content.decode()
    assert f'href="{org_url("reports")}"' in page
    index = member_client.get(org_url("reports")).content.decode()
    for slug in SLUGS:
        assert f'href="{org_url(f"report-{slug}")}"' in index
    for url in org_urls():
        assert member_client.get(url).status_code == 200, url


def test_charts_are_svg_images_drawn_with_the_same_filters(member_client, world):
    page = member_client.get(org_url("report-levels"), PERIOD).content.decode()
    src = f"{org_url('report-chart-levels-by-level')}?start=2025-01-01&amp;end=2025-06-30"
    assert f'src="{src}"' in page
    response = member_client.get(org_url("report-chart-levels-by-level"), PERIOD)
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"June 2025" in response.content


@pytest.mark.parametrize("slug", SLUGS)
def test_every_chart_of_a_page_is_an_image_with_its_table(member_client, world, slug):
    response = member_client.get(org_url(f"report-{slug}"), PERIOD)
    figures = response.context["figures"]
    charts = [item for item in figures if item["kind"] == "chart"]
    assert [item["name"] for item in charts] == list(PAGES[SLUGS.index(slug)].charts)
    assert response.content.decode().count("<img ") == len(charts)
    assert len(page_tables(response.content)) == len(figures)


def test_invalid_filters_are_explained_not_computed(member_client):
    response = member_client.get(
        org_url("report-levels"), {"start": "2025-06-01", "end": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "The start of the period comes after its end." in response.content.decode()
    too_long = {"start": "2015-01-01", "end": "2025-01-01"}
    assert member_client.get(org_url("report-levels"), too_long).status_code == 400
    assert (
        member_client.get(org_url("report-levels"), {**too_long, "format": "csv"}).status_code
        == 400
    )
    assert member_client.get(org_url("report-chart-levels-by-level"), too_long).status_code == 400


# --- Exports equal to the page ------------------------------------------------------------
class FigureTables(HTMLParser):
    """The tables of the report figures, as rows of cell texts (a dash read as empty)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.in_figures = self.in_caption = self.skip_row = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "report-figure" in (attrs.get("class") or ""):
            self.in_figures = True
        if not self.in_figures:
            return
        if tag == "table":
            self.tables.append([])
        elif tag == "caption":
            self.in_caption = True
            self.tables[-1].append([""])
        elif tag == "tr":
            self.skip_row = "empty" in (attrs.get("class") or "")
            if not self.skip_row:
                self.tables[-1].append([])
        elif tag in ("th", "td") and not self.skip_row:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("th", "td") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            self.tables[-1][-1].append("" if text == "—" else text)
            self.cell = None

    def handle_data(self, data):
        if self.in_caption:
            self.tables[-1][-1][0] += data.strip()
        elif self.cell is not None:
            self.cell.append(data)


def numbers_as_numbers(blocks: list[list[list[str]]]) -> list[list[list]]:
    """Cells compared by value: a spreadsheet reads 100.0 back as 100."""

    def value(cell: str):
        try:
            return float(cell)
        except ValueError:
            return cell

    return [[[value(cell) for cell in row] for row in block] for block in blocks]


def page_tables(content: bytes) -> list[list[list[str]]]:
    parser = FigureTables()
    parser.feed(content.decode())
    return parser.tables


def csv_blocks(content: bytes) -> list[list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    blocks, block = [], []
    for row in [*rows, []]:
        if row:
            block.append(row)
        elif block:
            blocks.append(block)
            block = []
    return blocks


def xlsx_blocks(content: bytes) -> list[list[list[str]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    blocks = []
    for sheet in workbook.worksheets:
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        # An empty cell is not written: pad each row to the header's width, the title alone.
        width = len(rows[1])
        blocks.append([rows[0][:1], *(row + [""] * (width - len(row)) for row in rows[1:])])
    return blocks


@pytest.mark.parametrize("slug", SLUGS)
def test_exports_hold_exactly_the_numbers_of_the_page(member_client, world, slug):
    url = org_url(f"report-{slug}")
    shown = page_tables(member_client.get(url, PERIOD).content)
    assert shown and all(len(table) >= 2 for table in shown)
    as_csv = member_client.get(url, {**PERIOD, "format": "csv"})
    assert as_csv["Content-Disposition"] == (
        f'attachment; filename="{slug}-2025-01-01-2025-06-30.csv"'
    )
    assert csv_blocks(as_csv.content) == shown
    as_xlsx = member_client.get(url, {**PERIOD, "format": "xlsx"})
    assert as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert numbers_as_numbers(xlsx_blocks(as_xlsx.content)) == numbers_as_numbers(shown)


@pytest.mark.parametrize("slug", ["concerns", "reviews"])
def test_admin_exports_hold_exactly_the_numbers_of_the_page(staff_client, world, slug):
    url = reverse(f"admin:report-{slug}")
    shown = page_tables(staff_client.get(url, PERIOD).content)
    assert csv_blocks(staff_client.get(url, {**PERIOD, "format": "csv"}).content) == shown
    as_xlsx = staff_client.get(url, {**PERIOD, "format": "xlsx"})
    assert numbers_as_numbers(xlsx_blocks(as_xlsx.content)) == numbers_as_numbers(shown)


def test_the_page_shows_the_hand_worked_numbers(
    member_client, staff_client, world, org_c, monkeypatch
):
    monkeypatch.setattr("partnerships.views.reports.today", lambda: TODAY)
    reviews = page_tables(member_client.get(org_url("report-reviews"), PERIOD).content)
    assert reviews[0][1:] == [
        ["Organisation", "Held on time", "Held late", "Missing", "Not yet due"],
        ["Antenne Nord", "1", "0", "0", "1"],
        ["Association A", "2", "1", "1", "1"],
        ["Fondation C", "1", "1", "1", "0"],
    ]
    narrowed = {**PERIOD, "organisation": org_c.slug, "scope": "external"}
    staff = page_tables(staff_client.get(reverse("admin:report-reviews"), narrowed).content)
    assert [row[0] for row in staff[0][2:]] == ["Association A", "Entreprise E", "Fondation C"]


# --- A fixed number of queries ------------------------------------------------------------
def grow(organisation, count: int) -> None:
    """More of everything the reports read, in partnerships of ``organisation``."""
    for index in range(count):
        partnership = PartnershipFactory(starts_on=datetime.date(2024, 6, 1))
        party = PartyFactory(partnership=partnership, organisation=organisation)
        other = PartyFactory(partnership=partnership, organisation=OrganisationFactory())
        LevelAssessmentFactory(partnership=partnership, level=index % 7 + 1)
        for who, level in ((party, 2), (other, 5)):
            LevelAssessmentFactory(
                partnership=partnership, kind="perceived", party=who, level=level
            )
        check = ConcernCheckFactory(concern=ConcernFactory(raised_by=other), intensity=3)
        ConcernCheckFactory(
            concern=check.concern, intensity=4, checked_on=datetime.date(2025, 2, 1)
        )
        CommitmentFactory(party=party, due_on=datetime.date(2025, 3, 1))
        ReviewFactory(partnership=partnership, scheduled_on=datetime.date(2025, 4, 1))
        BenefitFactory(party=other, observed_on=datetime.date(2025, 5, 1))


# Queries of the report itself, page by page (the same on both sides).
REPORT_QUERIES = {
    "levels": 1,  # agreed entries with the next one's date, counted at each month's end
    # gap sizes; the page of partnerships perceived apart; of those perceived away from the
    # agreed level; the rows of both pages
    "gaps": 4,
    "concerns": 3,  # by category; trend by quarter; heat map
    "commitments": 1,  # by organisation
    "reviews": 3,  # by organisation; due by the cadence, unplanned; overdue today
    "pleasures": 1,  # by quarter and category
}
# The files hold every row of the gap lists: read whole, they need no page of keys first.
FILE_QUERIES = {**REPORT_QUERIES, "gaps": 3}


@pytest.mark.parametrize("slug", SLUGS)
def test_organisation_report_queries_do_not_grow_with_the_data(
    member_client, world, org_a, django_assert_num_queries, slug
):
    url = org_url(f"report-{slug}")
    # session, user, the user's memberships (the gate's and the header's switcher); the
    # report; the organisations of the filter's menu; the notifications badge of the header
    expected = 3 + REPORT_QUERIES[slug] + 2
    with django_assert_num_queries(expected):
        member_client.get(url, PERIOD)
    grow(org_a, 8)
    with django_assert_num_queries(expected):
        member_client.get(url, PERIOD)
    with django_assert_num_queries(3 + FILE_QUERIES[slug]):  # no menu, no header
        member_client.get(url, {**PERIOD, "format": "xlsx"})


@pytest.mark.parametrize("slug", SLUGS)
def test_admin_report_queries_do_not_grow_with_the_data(
    staff_client, world, org_a, django_assert_num_queries, slug
):
    url = reverse(f"admin:report-{slug}")
    # session, user; the report; the organisations of the filter's menu
    expected = 2 + REPORT_QUERIES[slug] + 1
    with django_assert_num_queries(expected):
        staff_client.get(url, PERIOD)
    grow(org_a, 8)
    with django_assert_num_queries(expected):
        staff_client.get(url, PERIOD)


def test_a_chart_runs_only_the_query_that_draws_it(member_client, world, django_assert_num_queries):
    # session, user, membership; the gap sizes
    with django_assert_num_queries(4):
        member_client.get(org_url("report-chart-gaps-sizes"), PERIOD)


# --- Long tables: one page on screen, every row in the files ------------------------------
def test_a_long_gap_list_shows_one_page_and_the_files_every_row(
    staff_client, world, org_a, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("partnerships.reports.gaps.TABLE_PAGE_SIZE", 2)
    for index in range(4):  # four more partnerships perceived 2 and 5: three levels apart
        partnership = PartnershipFactory(
            title=f"Gap {index}", starts_on=datetime.date(2024, 6, 1), scope="external"
        )
        for organisation, level in ((org_a, 2), (OrganisationFactory(), 5)):
            LevelAssessmentFactory(
                partnership=partnership,
                kind="perceived",
                party=PartyFactory(partnership=partnership, organisation=organisation),
                level=level,
                assessed_on=datetime.date(2025, 2, 1),
            )
    url = reverse("admin:report-gaps")
    narrowed = {**PERIOD, "scope": "external"}
    everything = csv_blocks(staff_client.get(url, {**PERIOD, "format": "csv"}).content)
    apart = everything[1][2:]  # after the gap sizes: title, header, then the rows
    assert len(apart) == 5 and [row[-1] for row in apart] == ["3"] * 5
    assert apart == sorted(apart, key=lambda row: (-int(row[-1]), row[0]))
    xlsx = xlsx_blocks(staff_client.get(url, {**PERIOD, "format": "xlsx"}).content)
    assert len(xlsx[1]) == len(everything[1])

    with django_assert_num_queries(2 + REPORT_QUERIES["gaps"] + 1):
        response = staff_client.get(url, PERIOD)
    shown = page_tables(response.content)
    assert shown[1][2:] == apart[:2]
    content = response.content.decode()
    assert "Rows 1 to 2 of 5 (page 1 of 3)" in content
    assert (
        'href="?start=2025-01-01&amp;end=2025-06-30&amp;gaps-apart-page=2#figure-gaps-apart"'
        in (content)
    )
    # Page links keep the filters.
    second = staff_client.get(url, {**narrowed, "gaps-apart-page": "2"}).content.decode()
    assert (
        'href="?start=2025-01-01&amp;end=2025-06-30&amp;scope=external&amp;gaps-apart-page=1'
        '#figure-gaps-apart"'
    ) in second
    page_two = staff_client.get(url, {**PERIOD, "gaps-apart-page": "2"})
    assert page_tables(page_two.content)[1][2:] == apart[2:4]
    # The download links leave the page out: the files hold everything.
    assert 'href="?start=2025-01-01&amp;end=2025-06-30&amp;format=csv"' in (
        page_two.content.decode()
    )
    # A page past the end is the last one; a page that is not a number is the first.
    last = staff_client.get(url, {**PERIOD, "gaps-apart-page": "99"})
    assert page_tables(last.content)[1][2:] == apart[4:]
    assert "Rows 5 to 5 of 5 (page 3 of 3)" in last.content.decode()
    odd = staff_client.get(url, {**PERIOD, "gaps-apart-page": "x"})
    assert page_tables(odd.content)[1][2:] == apart[:2]
    # The export of a paged address is still the whole table.
    paged_csv = staff_client.get(url, {**PERIOD, "gaps-apart-page": "2", "format": "csv"})
    assert csv_blocks(paged_csv.content) == everything
