"""The pieces of ``make load`` that run without locust or a server: the capacity targets, the
section of docs/benchmarks.md it rewrites, the sessions and tokens it makes in the database,
and the check that finds (or misses) each acknowledged write."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench import load_django, load_report, pages
from partnerships.demo.scale import ScaleBuilder
from partnerships.management.commands.seed_scale import flush_tenant_data


def row(name: str, rps: float, errors: int = 0) -> dict:
    return {"name": name, "requests": int(rps * 20), "rps": rps, "errors": errors}


def verdict_of(rows: list[dict], name: str) -> dict:
    return next(v for v in load_report.verdicts(rows) if v["name"] == name)


def test_dashboard_meets_its_target_at_a_quarter_of_the_profile_pages_rate():
    rows = [row("profile", 100), row("dashboard", 25), row("list", 39.9), row("API list", 40)]
    assert verdict_of(rows, "dashboard")["met"]
    assert verdict_of(rows, "dashboard")["ratio"] == pytest.approx(0.25)
    assert not verdict_of(rows, "list")["met"]
    assert verdict_of(rows, "API list")["met"]


def test_a_page_that_answered_errors_does_not_meet_its_target():
    rows = [row("profile", 100), row("workspace", 90, errors=1)]
    assert not verdict_of(rows, "workspace")["met"]


def test_without_the_floor_no_target_is_met():
    rows = [row("profile", 0), row("dashboard", 30)]
    assert not verdict_of(rows, "dashboard")["met"]


def test_each_page_is_judged_against_the_floor_measured_just_before_and_after_it():
    """The machine slowed down during the run: the floor measured around each page follows it,
    a floor measured once at the start would not."""
    rows = [
        row("profile", 120),
        row("dashboard", 30),
        row("profile", 100),
        row("list", 36),
        row("profile", 80),
    ]
    dashboard, listing = verdict_of(rows, "dashboard"), verdict_of(rows, "list")
    assert dashboard["floor"] == pytest.approx(110)
    assert dashboard["ratio"] == pytest.approx(30 / 110) and dashboard["met"]
    assert listing["floor"] == pytest.approx(90)
    assert listing["ratio"] == pytest.approx(0.40) and listing["met"]


def test_a_page_after_the_last_floor_is_judged_against_that_floor_alone():
    rows = [row("profile", 100), row("workspace", 41), row("profile", 110), row("API list", 39)]
    assert verdict_of(rows, "workspace")["floor"] == pytest.approx(105)
    assert verdict_of(rows, "API list")["floor"] == pytest.approx(110)
    assert not verdict_of(rows, "API list")["met"]


def test_percentiles_are_nearest_rank_over_the_answers():
    times = list(range(1, 101))
    assert load_report.percentile(times, 0.50) == 50
    assert load_report.percentile(times, 0.99) == 99
    assert load_report.percentile([7], 0.95) == 7
    assert load_report.percentile([], 0.5) is None


def test_requests_per_second_count_only_the_answers_within_the_phase():
    summary = load_report.summarise("dashboard", [100.0, 200.0, 900.0], 1, 2, 4.0)
    assert summary["rps"] == 0.5
    assert summary["requests"] == 3 and summary["errors"] == 1
    assert summary["p99"] == 900.0


DOC = (
    "# Benchmarks\n\n<!-- bench:begin: x -->\nbench table\n<!-- bench:end -->\n\n"
    "## Notes\n\nhand-written\n"
)


def test_the_load_section_goes_after_the_bench_section_and_keeps_the_notes():
    section = f"{load_report.BEGIN}\nfirst\n{load_report.END}"
    written = load_report.replace_section(DOC, section)
    assert written.index("<!-- bench:end -->") < written.index("first") < written.index("## Notes")
    assert written.replace(section + "\n\n", "", 1).replace("-->\n\n\n", "-->\n\n") == DOC


def test_a_second_run_replaces_the_load_section_only():
    once = load_report.replace_section(DOC, f"{load_report.BEGIN}\nfirst\n{load_report.END}")
    twice = load_report.replace_section(once, f"{load_report.BEGIN}\nsecond\n{load_report.END}")
    assert "first" not in twice and twice.count(load_report.BEGIN) == 1
    assert twice == once.replace("first", "second")


def test_the_section_says_when_writes_were_lost():
    info = {
        "date": datetime.datetime(2026, 11, 30, 17, 0),
        "commit": "abc1234",
        "command": "make load",
        "machine": {"cores": 2, "load": (1.0, 1.0, 1.0)},
        "load_after": (2.0, 1.0, 1.0),
        "workers": 2,
        "database": "postgres://postgres@127.0.0.1:5432/bench_load",
        "world": "5,000 partnerships",
        "head": "reseau-national",
        "head_admin": "reseau-admin",
        "partnership": 1,
        "capacity_users": 20,
        "capacity_seconds": 20,
        "mixed_users": 50,
        "mixed_seconds": 60,
        "think": 1,
    }
    capacity = [load_report.summarise("profile", [10.0, 20.0, 30.0], 0, 2, 1.0)]
    writes = {"level": {"sent": 3, "acked": 2, "found": 1, "lost": 1}}
    text = load_report.render(info, capacity, [], writes)
    assert text.startswith(load_report.BEGIN) and text.endswith(load_report.END)
    assert "commit abc1234" in text
    assert "lost writes: 1 (target 0, **not met**)" in text


@pytest.fixture
def world(db):
    flush_tenant_data()
    return ScaleBuilder(20, 40, checks=240).build()


def test_a_session_made_in_the_database_signs_the_user_in(world):
    user = world.head.memberships.get(role="editor").user
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = load_django.session_cookie(user)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_prepare_gives_each_simulated_member_its_own_organisation_the_busiest_first(world):
    plan = load_django.prepare(users=3)
    members = plan["members"]
    assert len({member["organisation"] for member in members}) == 3
    busiest = pages.busiest_organisation()  # in so small a world, not always world.head
    assert members[0]["organisation"] == plan["capacity"]["organisation"] == busiest.slug
    api = Client(HTTP_AUTHORIZATION=f"Token {members[1]['token']}")
    assert api.get(plan["capacity"]["pages"][-1]["url"]).status_code == 200


def test_verify_finds_an_acknowledged_level_and_counts_a_missing_one_as_lost(world):
    member = load_django.prepare(users=1)["members"][0]
    api = Client(HTTP_AUTHORIZATION=f"Token {member['token']}")
    body = {"kind": "perceived", "level": 3, "party": member["organisation"], "rationale": "m-1"}
    answer = api.post(member["levels"][0], body, content_type="application/json")
    assert answer.status_code == 201
    commitment = member["commitments"][0]
    body = {"description": "m-3", "version": commitment["version"]}
    answer = api.patch(commitment["url"], body, content_type="application/json")
    assert answer.status_code == 200
    later = {"description": "later", "version": answer.json()["version"]}
    assert api.patch(commitment["url"], later, content_type="application/json").status_code == 200
    outcome = load_django.verify(
        [
            {"kind": "level", "marker": "m-1", "acked": True},
            {"kind": "commitment", "marker": "m-3", "acked": True},
            {"kind": "level", "marker": "m-never-written", "acked": True},
            {"kind": "concern check", "marker": "m-2", "acked": False},
        ]
    )
    assert outcome["level"] == {"sent": 2, "acked": 2, "found": 1, "lost": 1}
    assert outcome["concern check"] == {"sent": 1, "acked": 0, "found": 0, "lost": 0}
    # A commitment's description changes again later: its history still holds the marker.
    assert outcome["commitment"] == {"sent": 1, "acked": 1, "found": 1, "lost": 0}
