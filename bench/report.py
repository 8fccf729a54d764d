"""docs/benchmarks.md: the generated part between two markers, the hand-written notes kept."""

from __future__ import annotations

import re
from pathlib import Path

from bench.pages import BASELINE, LIMITS

BEGIN = "<!-- bench:begin: written by `make bench`, do not edit by hand -->"
END = "<!-- bench:end -->"
P95_LIMIT_MS = 300  # on SQLite at 5,000 partnerships (issue #8)
DEFAULT_NOTES = "\n## Notes\n\n(Hand-written: what was found and fixed, query plans.)\n"


def redact(url: str) -> str:
    """A database address without its password."""
    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def _mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _table(run: dict) -> list[str]:
    loads = {row["name"]: row for row in run.get("load", [])}
    lines = [
        "| page | queries | median ms | p95 ms | x /healthz | target | met | req/s (gunicorn) |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for page in run["pages"]:
        limit = LIMITS.get(page["group"])
        met = page["group"] == BASELINE or page["ratio"] <= limit
        if run["vendor"] == "sqlite":
            met = met and page["p95_ms"] <= P95_LIMIT_MS
        rps = loads.get(page["name"])
        rps_text = "—"
        if rps:
            rps_text = f"{rps['rps']:.1f}" + (f" ({rps['failed']} failed)" if rps["failed"] else "")
        lines.append(
            f"| {page['name']} | {page['queries']} | {page['median_ms']:.1f} | "
            f"{page['p95_ms']:.1f} | {page['ratio']:.0f} | "
            f"{'—' if limit is None else f'≤ {limit}x'} | "
            f"{'—' if page['group'] == BASELINE else _mark(met)} | {rps_text} |"
        )
    return lines


def render(runs: list[dict], info: dict) -> str:
    m = info["machine"]
    options = info["options"]
    lines = [
        BEGIN,
        "",
        f"Measured on {info['date']:%Y-%m-%d %H:%M} UTC with `{info['command']}`.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['system']}); load average "
        f"{m['load'][0]:.2f} when it started (the machine may be shared: figures are noisy).",
        f"- Python {m['python']}; "
        + "; ".join(f"{run['label']}: {run['database_version']}" for run in runs)
        + ".",
        f"- In-process: Django's test client, 3 warm-up requests then {options['repeat']} timed "
        "ones per page; the query count is that of one more request.",
        f"- Under load: gunicorn with 2 workers on 127.0.0.1, {options['threads']} client threads "
        f"(Python, http.client), at most {options['requests']} requests or "
        f"{options['seconds']:g} s per page; the client shares the machine's cores.",
        f"- Targets (issue #8): pages within {LIMITS['page']}x /healthz, reports within "
        f"{LIMITS['report']}x, and on SQLite no p95 over {P95_LIMIT_MS} ms.",
    ]
    for run in runs:
        counts = run["partnerships"]
        seeded = (
            f"seeded by seed_scale in {run['seeded_seconds']:.0f} s"
            if run["seeded_seconds"]
            else "already seeded"
        )
        lines += [
            "",
            f"### {run['label']}",
            "",
            f"{counts['all']} partnerships, {counts['checks']} concern checks ({seeded}); "
            f"pages of `{run['organisation']}` (party to {counts['organisation']} partnerships) "
            f"as `{run['member']}`, admin reports as `{run['staff']}`, workspace of "
            f"partnership #{run['workspace']}.",
            "",
            *_table(run),
        ]
    lines += ["", END]
    return "\n".join(lines) + "\n"


def write(path: str, generated: str) -> None:
    target = Path(path)
    text = target.read_text() if target.exists() else ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + generated + "\n" + after
    else:
        text = "# Benchmarks\n\n" + generated + DEFAULT_NOTES
    target.write_text(text)


def summary(runs: list[dict]) -> str:
    lines = []
    for run in runs:
        lines.append(f"{run['label']}:")
        loads = {row["name"]: row["rps"] for row in run.get("load", [])}
        for page in run["pages"]:
            lines.append(
                f"  {page['name']:<28} {page['queries']:>3} queries  "
                f"median {page['median_ms']:7.1f} ms  p95 {page['p95_ms']:7.1f} ms  "
                f"x{page['ratio']:<6.0f} {loads.get(page['name'], 0):7.1f} req/s"
            )
    return "\n".join(lines)
