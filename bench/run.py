"""``make bench``: seed if needed, measure every page in-process, then under gunicorn, and
write the figures to docs/benchmarks.md.

    python -m bench.run [--repeat 30] [--threads 8] [--requests 2000] [--seconds 10]

Always on SQLite (``bench.sqlite3``, seeded with seed_scale when empty); on PostgreSQL too when
``DATABASE_URL`` points at it (seeded the same way when it holds no data). Only the part of
docs/benchmarks.md between the markers is rewritten: the notes below it are kept.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time

from bench import load, report
from bench.load import ROOT
from bench.measure import OUT

PYTHON = str(ROOT / ".venv/bin/python")


def environment(database_url: str) -> dict:
    """The settings the app runs with here: the embedded default, without debug."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def holds_data(env: dict) -> bool:
    answer = manage(
        env,
        "shell",
        "-c",
        "from partnerships.models import Partnership; print(Partnership.objects.exists())",
        capture=True,
    )
    return answer.strip().endswith("True")


def bench_database(label: str, database_url: str, args) -> dict:
    env = environment(database_url)
    print(f"== {label}: {report.redact(database_url)}", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    seeded = None
    sizes = [
        *("--organisations", str(args.organisations)),
        *("--partnerships", str(args.partnerships)),
        *("--checks", str(args.checks)),
    ]
    if holds_data(env):
        print("The database already holds data: measuring it as it is (no seeding).")
    else:
        print(f"The database is empty: seeding it (seed_scale {' '.join(sizes)})…")
        started = time.monotonic()
        manage(env, "seed_scale", *sizes)
        seeded = time.monotonic() - started
    print("In-process timings (Django test client):", flush=True)
    explain_dir = OUT / "explain"
    measured = json.loads(
        subprocess.run(
            [
                *(PYTHON, "-m", "bench.measure", "--repeat", str(args.repeat)),
                *("--explain-dir", str(explain_dir)),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        ).stdout
    )
    credentials = measured.pop("credentials")  # sessions and tokens: not for the report
    measured["label"] = label
    measured["seeded_seconds"] = seeded
    measured["explain_path"] = f"{os.path.relpath(explain_dir, ROOT)}/{measured['vendor']}-*.txt"
    if args.no_load:
        return measured
    print(
        f"Under gunicorn (2 workers), {args.threads} threads, at most {args.requests} "
        f"requests or {args.seconds:g} s per page:",
        flush=True,
    )
    measured["load"] = load.run(
        env, measured["pages"], credentials, args.threads, args.requests, args.seconds
    )
    return measured


def machine() -> dict:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        model = platform.processor() or model
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load": os.getloadavg(),
    }


def command_line() -> str:
    """The command as typed: ``make bench`` (with its arguments), or this module's."""
    url = os.environ.get("DATABASE_URL", "")
    prefix = f"DATABASE_URL={report.redact(url)} " if url.startswith("postgres") else ""
    if os.environ.get("MAKELEVEL"):
        extra = sys.argv[1:]
        return prefix + "make bench" + (f' BENCH_ARGS="{shlex.join(extra)}"' if extra else "")
    return prefix + "python -m bench.run " + shlex.join(sys.argv[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000, help="per page, at most")
    parser.add_argument("--seconds", type=float, default=10, help="per page, at most")
    parser.add_argument("--organisations", type=int, default=200, help="to seed an empty DB")
    parser.add_argument("--partnerships", type=int, default=5000, help="to seed an empty DB")
    parser.add_argument("--checks", type=int, default=100_000, help="to seed an empty DB")
    parser.add_argument("--sqlite", default=str(ROOT / "bench.sqlite3"))
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn part")
    parser.add_argument("--output", default=str(ROOT / "docs/benchmarks.md"))
    args = parser.parse_args()
    command = command_line()
    started = datetime.datetime.now(datetime.UTC)
    runs = [bench_database("SQLite", f"sqlite:///{args.sqlite}", args)]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        runs.append(bench_database("PostgreSQL", url, args))
    info = {
        "machine": machine(),
        "date": started,
        "command": command,
        "postgres_url": bool(url.startswith(("postgres://", "postgresql://"))),
        "options": vars(args),
    }
    report.write(args.output, report.render(runs, info))
    print(report.summary(runs))
    print(f"Written to {os.path.relpath(args.output, ROOT)}")


if __name__ == "__main__":
    main()
