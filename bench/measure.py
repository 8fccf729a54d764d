"""Server-side timings of each measured page, in-process with Django's test client.

    python -m bench.measure --repeat 30 > result.json

Run by ``bench.run`` against the database ``DATABASE_URL`` names (already seeded). For each
page: a warm-up, then ``--repeat`` timed requests; the median and the 95th percentile, the
query count of one more request, and the median as a multiple of /healthz's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(repeat: int, warmup: int) -> dict:
    from django.db import connection

    from bench import pages

    # No setup_test_environment(): it instruments every template render for the test
    # client's benefit (a copy of the context each time), which would inflate the timings.
    organisation = pages.busiest_organisation()
    partnership = pages.busiest_partnership(organisation)
    from organisations.models import User

    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    member = pages.member_of(organisation)
    clients = pages.clients(member, staff)
    results = []
    for target in pages.targets(organisation, partnership):
        client = clients[target.who]
        for _ in range(warmup):
            pages.fetch(client, target)
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            pages.fetch(client, target)
            timings.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "name": target.name,
                "url": target.url,
                "group": target.group,
                "who": target.who,
                "queries": pages.query_count(client, target),
                "median_ms": statistics.median(timings),
                "p95_ms": percentile(timings, 0.95),
            }
        )
        print(f"  {target.name:<28} {results[-1]['median_ms']:8.1f} ms", file=sys.stderr)
    baseline = results[0]["median_ms"]
    for row in results:
        row["ratio"] = row["median_ms"] / baseline
    return {
        "vendor": connection.vendor,
        "organisation": organisation.slug,
        "partnerships": _count_partnerships(organisation),
        "workspace": partnership.pk,
        "member": member.username,
        "staff": staff.username,
        "database_version": _database_version(),
        "repeat": repeat,
        "pages": results,
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
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    json.dump(measure(args.repeat, args.warmup), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
