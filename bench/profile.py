"""Where a measured page spends its time: each SQL query timed, and the Python functions.

    python -m bench.profile [--repeat 5] [--top 8] ["dashboard" "report gaps" …]

Against the database ``DATABASE_URL`` names (seeded, as for ``make bench``), on the pages of
``bench.pages`` (every page of the head and the admin reports when none is named). For each
page: the median time of the request, the time spent in SQL (each query timed in the driver,
median over ``--repeat`` requests, the slowest listed with the tables they read), and under
cProfile the functions of this project with the most cumulative time (SQL included in
them). Not part of ``make bench``: a guide for whoever makes the pages faster.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROJECT = re.compile(r"/(partnerships|organisations|core|notifications|privacy)/")
WRAPS = {"__call__", "wrapper", "inner", "view", "_wrapped_view", "wrapped", "decorated"}
TABLE = re.compile(r'(?:FROM|JOIN) "(\w+)"')


def timed_queries(client, target, repeat: int) -> tuple[float, list[tuple[float, str]]]:
    """The median request time and, per query of the page (same order every time), its
    median time in ms and its SQL."""
    from django.db import connection

    from bench import pages

    runs, totals = [], []
    for _ in range(repeat):
        sent: list[tuple[float, str]] = []
        started = time.perf_counter()
        with connection.execute_wrapper(_timer(sent)):
            pages.fetch(client, target)
        totals.append((time.perf_counter() - started) * 1000)
        runs.append(sent)
    shortest = min(len(run) for run in runs)
    queries = [
        (statistics.median(run[i][0] for run in runs), runs[0][i][1]) for i in range(shortest)
    ]
    return statistics.median(totals), queries


def _timer(sent: list[tuple[float, str]]):
    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sent.append(((time.perf_counter() - started) * 1000, sql))

    return timer


def python_costs(client, target, top: int) -> tuple[list[str], list[str]]:
    """Under cProfile, one request: this project's functions by cumulative time (the
    middleware and decorators that wrap every view left out), and every function by own
    time (where the interpreter actually spends it: templates, ORM, translations…)."""
    from bench import pages

    profiler = cProfile.Profile()
    profiler.enable()
    pages.fetch(client, target)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    ours, own = [], []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        where = f"{os.path.relpath(filename, ROOT) if filename.startswith(ROOT) else filename}"
        where = re.sub(r".*/site-packages/", "", where) + f":{line} {name}"
        own.append((tottime * 1000, calls, where))
        if PROJECT.search(filename) and "/site-packages/" not in filename and name not in WRAPS:
            ours.append((cumtime * 1000, calls, where))
    ours.sort(reverse=True)
    own.sort(reverse=True)
    return (
        [f"{ms:8.1f} ms cum {calls:7d} calls  {where}" for ms, calls, where in ours[:top]],
        [f"{ms:8.1f} ms own {calls:7d} calls  {where}" for ms, calls, where in own[:top]],
    )


def describe(sql: str) -> str:
    tables = sorted(set(TABLE.findall(sql)))
    subqueries = sql.count("(SELECT")
    head = re.sub(r"\s+", " ", sql)[:90]
    return f"{head}… [{', '.join(tables)}; {subqueries} subqueries; {len(sql)} chars]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import connection

    from bench import pages
    from bench.measure import world

    w = world()
    clients = pages.clients(w["member"], w["staff"], w["small_member"])
    found = pages.targets(w["head"], w["partnership"])
    wanted = args.pages or [t.name for t in found if t.group in (pages.PAGE, pages.REPORT)]
    print(f"{connection.vendor}: {w['head'].slug}, {args.repeat} requests per page")
    for target in (t for t in found if t.name in wanted):
        client = clients[target.who]
        pages.fetch(client, target)  # warm-up
        total, queries = timed_queries(client, target, args.repeat)
        in_sql = sum(ms for ms, _sql in queries)
        print(
            f"\n== {target.name} {target.url}: {total:.1f} ms, {len(queries)} queries, "
            f"{in_sql:.1f} ms in SQL, {total - in_sql:.1f} ms in Python"
        )
        for ms, sql in sorted(queries, reverse=True)[: args.top]:
            print(f"  {ms:8.1f} ms  {describe(sql)}")
        ours, own = python_costs(client, target, args.top)
        print("  Project functions by cumulative time (cProfile, one request):")
        for line in ours:
            print("  " + line)
        print("  Every function by own time:")
        for line in own:
            print("  " + line)


if __name__ == "__main__":
    main()
