"""``make load``: locust against gunicorn (2 workers) on PostgreSQL, loopback only, bounded in
time; the figures go to docs/benchmarks.md between the load markers. A benchmark, not a test.

    python -m bench.loadtest [--capacity-seconds 20] [--mixed-seconds 60] [--think 1]

The database is ``LOAD_DATABASE_URL`` (created when missing, migrated, seeded with seed_scale
when it holds no partnership). Sessions and API tokens are made in the database by
bench/load_django.py, so the sign-in form and its limits are left alone. Then:

1. capacity: ``--capacity-users`` users asking only for one page, ``--capacity-seconds`` per
   page, one page after the other: the head organisation's dashboard, list, workspace and API
   list, with the profile page (the signed-in floor) before the first and after each; each
   page's requests/s against the mean of the floor's just before and just after it, with the
   targets of issue #18;
2. mixed: ``--mixed-users`` editors of different organisations, 90 % reads and 10 % writes
   through the API for ``--mixed-seconds``; every acknowledged write is then looked for in the
   database.

The exit status is 0 whether or not the targets are met (it is a measurement); 1 only when
the run itself could not be made.
"""

from gevent import monkey

monkey.patch_all()  # before anything imports ssl or threading (locust needs it patched)

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psycopg  # noqa: E402
from locust.env import Environment  # noqa: E402

from bench import load, load_report  # noqa: E402
from bench.load import ROOT  # noqa: E402
from bench.locust_pages import Recorder, auth_headers, member_user, page_user  # noqa: E402
from bench.report import redact  # noqa: E402
from bench.run import PYTHON, environment, holds_data, machine, manage  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_load"


def ensure_database(url: str) -> None:
    """Create the database named by ``url`` when its server does not have it yet."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    name = info.pop("dbname")
    with psycopg.connect(**info, dbname="postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            print(f"Creating the database {name}…", flush=True)
            connection.execute(
                psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
            )


def django_step(env: dict, *args: str) -> str:
    return subprocess.run(
        [PYTHON, "-m", "bench.load_django", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE,
    ).stdout


def swarm(host: str, user_class, users: int, seconds: float, recorder: Recorder) -> None:
    """``users`` instances of ``user_class`` for ``seconds``; then each user finishes the
    request it is in (timed, but not counted in the requests/s) and stops."""
    env = Environment(user_classes=[user_class], host=host, stop_timeout=60)
    env.events.request.add_listener(recorder.on_request)
    runner = env.create_local_runner()
    recorder.until = time.monotonic() + seconds
    runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    runner.quit()


def row_of(recorder: Recorder, name: str, seconds: float) -> dict:
    times, failures = recorder.times[name], recorder.failures[name]
    return load_report.summarise(name, times, failures, recorder.in_time[name], seconds)


def capacity(host: str, plan: dict, users: int, seconds: float) -> list[dict]:
    """Each page alone for ``seconds``, the profile page (the floor) before the first and again
    after each one: every page is judged against the floor measured around it."""
    floor, *others = plan["pages"]
    order = [floor]
    for page in others:
        order += [page, floor]
    rows = []
    for page in order:
        recorder = Recorder()
        swarm(host, page_user(page, plan), users, seconds, recorder)
        name = page["name"]
        row = row_of(recorder, name, seconds)
        rows.append(row)
        print(
            f"  {name:<12} {row['rps']:7.1f} req/s  p50 {row['p50'] or 0:6.0f} ms  "
            f"p95 {row['p95'] or 0:6.0f} ms  p99 {row['p99'] or 0:6.0f} ms  "
            f"errors {row['errors']}",
            flush=True,
        )
        for reason in sorted(recorder.reasons[name])[:3]:
            print(f"    error: {reason}")
    return rows


def mixed(host: str, members: list[dict], seconds: float, think: float) -> tuple[list, Recorder]:
    recorder = Recorder()
    swarm(host, member_user(members, recorder, think), len(members), seconds, recorder)
    names = sorted(set(recorder.times) | set(recorder.failures))
    rows = [row_of(recorder, name, seconds) for name in names]
    for row in rows:
        print(
            f"  {row['name']:<22} {row['rps']:6.1f} req/s  p50 {row['p50'] or 0:6.0f} ms  "
            f"p95 {row['p95'] or 0:6.0f} ms  p99 {row['p99'] or 0:6.0f} ms  "
            f"errors {row['errors']}",
            flush=True,
        )
        for reason in sorted(recorder.reasons[row["name"]])[:3]:
            print(f"    error: {reason}")
    return rows, recorder


def warm_up(port: int, plan: dict) -> None:
    """One request per page, so each worker's first imports are not timed."""
    for page in plan["pages"]:
        for _worker in range(2):
            status = load.request(port, "GET", page["url"], auth_headers(page, plan))[0]
            if status != 200:
                raise SystemExit(f"{page['name']} {page['url']}: {status} before the load")


def command_line() -> str:
    url = os.environ.get("LOAD_DATABASE_URL")
    prefix = f"LOAD_DATABASE_URL={redact(url)} " if url else ""
    if os.environ.get("MAKELEVEL"):
        extra = sys.argv[1:]
        return prefix + "make load" + (f' LOAD_ARGS="{shlex.join(extra)}"' if extra else "")
    return prefix + "python -m bench.loadtest " + shlex.join(sys.argv[1:])


def commit() -> str:
    return subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        check=False,
    ).stdout.strip()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity-users", type=int, default=20)
    parser.add_argument("--capacity-seconds", type=float, default=20)
    parser.add_argument("--mixed-users", type=int, default=50)
    parser.add_argument("--mixed-seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause, mixed phase (s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks.md"))
    return parser.parse_args()


def main() -> None:
    args = arguments()
    url = os.environ.get("LOAD_DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("make load runs on PostgreSQL: LOAD_DATABASE_URL=postgres://…")
    command, started = command_line(), datetime.datetime.now(datetime.UTC)
    info = {"date": started, "command": command, "commit": commit(), "machine": machine()}
    env = environment(url)
    print(f"== {redact(url)}", flush=True)
    ensure_database(url)
    manage(env, "migrate", "--noinput", "-v0")
    if not holds_data(env):
        print("No partnership in the database: seeding it (seed_scale)…", flush=True)
        manage(env, "seed_scale")
    with tempfile.TemporaryDirectory(prefix="load-") as work:
        plans = Path(work) / "plans.json"
        django_step(env, "prepare", str(plans), "--users", str(args.mixed_users))
        plan = json.loads(plans.read_text())
        with load.Server(env, workers=args.workers) as server:
            host = f"http://127.0.0.1:{server.port}"
            warm_up(server.port, plan["capacity"])
            print(
                f"Capacity: {args.capacity_users} users per page, "
                f"{args.capacity_seconds:g} s each:",
                flush=True,
            )
            capacity_rows = capacity(
                host, plan["capacity"], args.capacity_users, args.capacity_seconds
            )
            print(f"Mixed: {args.mixed_users} users, {args.mixed_seconds:g} s:", flush=True)
            mixed_rows, recorder = mixed(host, plan["members"], args.mixed_seconds, args.think)
        record = Path(work) / "writes.json"
        record.write_text(json.dumps(recorder.writes))
        writes = json.loads(django_step(env, "verify", str(record)))
    info |= {
        "load_after": os.getloadavg(),
        "workers": args.workers,
        "database": redact(url),
        "world": plan["world"],
        "head": plan["capacity"]["organisation"],
        "head_admin": plan["capacity"]["username"],
        "partnership": plan["capacity"]["partnership"],
        "capacity_users": args.capacity_users,
        "capacity_seconds": args.capacity_seconds,
        "mixed_users": args.mixed_users,
        "mixed_seconds": args.mixed_seconds,
        "think": args.think,
    }
    section = load_report.render(info, capacity_rows, mixed_rows, writes)
    output = Path(args.output)
    output.write_text(load_report.replace_section(output.read_text(), section))
    print(summary(capacity_rows, mixed_rows, writes))
    print(f"Written to {os.path.relpath(output, ROOT)}")


def summary(capacity_rows: list[dict], mixed_rows: list[dict], writes: dict) -> str:
    lines = ["Capacity against the profile page's requests/s (measured before and after it):"]
    for verdict in load_report.verdicts(capacity_rows):
        lines.append(
            f"  {verdict['name']:<10} {verdict['ratio']:5.0%} (target ≥ {verdict['target']:.0%}): "
            + ("met" if verdict["met"] else "NOT MET")
        )
    errors = sum(row["errors"] for row in mixed_rows)
    lost = sum(kind["lost"] for kind in writes.values())
    acked = sum(kind["acked"] for kind in writes.values())
    lines.append(
        f"Mixed: {errors} errors ({'met' if not errors else 'NOT MET'}), {acked} writes "
        f"acknowledged, {lost} lost ({'met' if not lost else 'NOT MET'})"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
