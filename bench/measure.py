"""Server-side timings of each measured page, in-process with Django's test client.

    python -m bench.measure --repeat 30 > result.json

Run by ``bench.run`` against the database ``DATABASE_URL`` names (already seeded). Each page
is warmed up, then timed ``--repeat`` times *in turns* (every page once, then every page again),
so that a busier minute on the shared machine weighs on all pages alike and the ratios compare
pages measured side by side. Per page: the median and the 95th percentile, the query count of
one more request, the median as a multiple of the signed-in floor (the profile page), of the
smallest organisation's same page and of /healthz, and issue #18's targets met or not. On
PostgreSQL, every page but the smallest organisation's is explained too (``bench.explain``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def world() -> dict:
    """Who and what is measured: the head, its busiest partnership, the smallest organisation
    and its busiest partnership, their first administrators and the first superuser."""
    from bench import pages
    from organisations.models import User

    head = pages.busiest_organisation()
    small = pages.smallest_organisation(other_than=head)
    return {
        "head": head,
        "partnership": pages.busiest_partnership(head),
        "small": small,
        "small_partnership": pages.busiest_partnership(small),
        "member": pages.member_of(head),
        "small_member": pages.member_of(small),
        "staff": User.objects.filter(is_superuser=True).order_by("pk").first(),
    }


def judge(rows: list[dict]) -> None:
    """Each page's ratios and targets, from the medians of the same run."""
    from bench import pages

    by_name = {row["name"]: row for row in rows}
    floor = next(row for row in rows if row["group"] == pages.FLOOR)["median_ms"]
    healthz = next(row for row in rows if row["group"] == pages.INFO)["median_ms"]
    for row in rows:
        row["x_floor"] = row["median_ms"] / floor
        row["x_healthz"] = row["median_ms"] / healthz
        counterpart = by_name.get(row["name"] + pages.SMALL_SUFFIX)
        row["x_smallest"] = (
            row["median_ms"] / counterpart["median_ms"]
            if counterpart and row["group"] == pages.PAGE
            else None
        )
        row["targets"] = []
        for kind, limit in row["limits"]:
            ratio = row["x_smallest"] if kind == pages.SMALLEST else row["x_floor"]
            if ratio is None:  # no counterpart measured: the target cannot be judged
                continue
            row["targets"].append(
                {"kind": kind, "limit": limit, "ratio": ratio, "met": ratio <= limit}
            )


def measure(repeat: int, warmup: int, explain_dir: Path | None) -> dict:
    from django.db import connection

    from bench import explain, pages
    from core.heap import freeze_loaded_objects

    # No setup_test_environment(): it instruments every template render for the test
    # client's benefit (a copy of the context each time), which would inflate the timings.
    w = world()
    clients = pages.clients(w["member"], w["staff"], w["small_member"])
    found = pages.targets(w["head"], w["partnership"], w["small"], w["small_partnership"])
    for target in found:
        for _ in range(warmup):
            pages.fetch(clients[target.who], target)
    # As a web worker does once the app is loaded (config/wsgi.py): what is loaded by now
    # stays out of the collector's full passes.
    freeze_loaded_objects()
    timings: dict[str, list[float]] = {target.name: [] for target in found}
    for _ in range(repeat):
        for target in found:
            client = clients[target.who]
            started = time.perf_counter()
            pages.fetch(client, target)
            timings[target.name].append((time.perf_counter() - started) * 1000)
    results = []
    for target in found:
        results.append(
            {
                "name": target.name,
                "url": target.url,
                "group": target.group,
                "who": target.who,
                "limits": [list(limit) for limit in target.limits],
                "queries": pages.query_count(clients[target.who], target),
                "median_ms": statistics.median(timings[target.name]),
                "p95_ms": percentile(timings[target.name], 0.95),
            }
        )
        print(f"  {target.name:<34} {results[-1]['median_ms']:8.1f} ms", file=sys.stderr)
    judge(results)
    if connection.vendor == "postgresql":
        print(f"  EXPLAIN of every page, plans in {explain_dir}", file=sys.stderr)
        for target, row in zip(found, results, strict=True):
            if target.group != pages.SMALL:
                row["explain"] = explain.explain_page(
                    clients[target.who], target.url, target.name, explain_dir
                )
    return {
        "vendor": connection.vendor,
        "credentials": credentials(w),
        "organisation": w["head"].slug,
        "partnerships": _count_partnerships(w["head"]),
        "workspace": w["partnership"].pk,
        "member": w["member"].username,
        "small": {
            "organisation": w["small"].slug,
            "partnerships": _count_partnerships(w["small"])["organisation"],
            "workspace": w["small_partnership"].pk,
            "member": w["small_member"].username,
        },
        "staff": w["staff"].username,
        "database_version": _database_version(),
        "repeat": repeat,
        "explain_dir": str(explain_dir) if explain_dir else None,
        "pages": results,
    }


def credentials(w: dict) -> dict[str, dict[str, str]]:
    """Request headers for gunicorn, by audience: a session of its own for each signed-in
    one, and the API tokens. Made here rather than through the sign-in form, which asks for
    a verified e-mail address (seed_scale's people have none) and counts attempts."""
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    def session(user) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return {"Cookie": f"{name}={client.cookies[name].value}"}

    def token(user) -> dict[str, str]:
        return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    return {
        "anonymous": {},
        "member": session(w["member"]),
        "staff": session(w["staff"]),
        "small": session(w["small_member"]),
        "token": token(w["member"]),
        "small-token": token(w["small_member"]),
    }


def _database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _count_partnerships(organisation) -> dict:
    from partnerships.models import ConcernCheck, Partnership

    return {
        "all": Partnership.objects.count(),
        "organisation": Partnership.objects.for_organisation(organisation).count(),
        "checks": ConcernCheck.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain-dir", default=str(OUT / "explain"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    json.dump(measure(args.repeat, args.warmup, Path(args.explain_dir)), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
