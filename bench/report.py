"""docs/benchmarks.md: the generated part between two markers, the hand-written notes kept."""

from __future__ import annotations

import re
from pathlib import Path

from bench.pages import (
    FLOOR_PAGES,
    PAGE_FLOOR_LIMIT,
    REPORT_FLOOR_LIMIT,
    SCALE_LIMIT,
    SMALL_SUFFIX,
    SMALLEST,
)

BEGIN = "<!-- bench:begin: written by `make bench`, do not edit by hand -->"
END = "<!-- bench:end -->"
DEFAULT_NOTES = "\n## Notes\n\n(Hand-written: what was found and fixed, query plans.)\n"
KIND_WORDS = {SMALLEST: "smallest", "floor": "floor"}


def redact(url: str) -> str:
    """A database address without its password."""
    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def _ratio(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _targets(page: dict) -> tuple[str, str]:
    if not page["targets"]:
        return "—", "—"
    wanted = ", ".join(f"≤ {t['limit']:g}x {KIND_WORDS[t['kind']]}" for t in page["targets"])
    met = ", ".join("yes" if t["met"] else "**no**" for t in page["targets"])
    return wanted, met


def _table(run: dict) -> list[str]:
    loads = {row["name"]: row for row in run.get("load", [])}
    lines = [
        "| page | queries | median ms | p95 ms | x floor | x smallest | target | met "
        "| req/s (gunicorn) |",
        "|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for page in run["pages"]:
        wanted, met = _targets(page)
        rps = loads.get(page["name"])
        rps_text = "—"
        if rps:
            rps_text = f"{rps['rps']:.1f}" + (f" ({rps['failed']} failed)" if rps["failed"] else "")
        lines.append(
            f"| {page['name']} | {page['queries']} | {page['median_ms']:.1f} | "
            f"{page['p95_ms']:.1f} | {_ratio(page['x_floor'], 1)} | "
            f"{_ratio(page['x_smallest'], 2)} | {wanted} | {met} | {rps_text} |"
        )
    return lines


def targets_met(run: dict) -> tuple[int, int]:
    judged = [t for page in run["pages"] for t in page["targets"]]
    return sum(t["met"] for t in judged), len(judged)


def _summary_line(run: dict) -> str:
    met, total = targets_met(run)
    kinds = []
    for kind in (SMALLEST, "floor"):
        judged = [t for page in run["pages"] for t in page["targets"] if t["kind"] == kind]
        kinds.append(f"{sum(t['met'] for t in judged)} of {len(judged)} against the {kind}")
    return f"**Targets met: {met} of {total}** ({'; '.join(kinds)})."


def _explain_table(run: dict) -> list[str]:
    explained = [page for page in run["pages"] if page.get("explain")]
    if not explained:
        return []
    lines = [
        "",
        f"EXPLAIN of every query of each page (plans in `{run['explain_path']}`): tables of "
        "history rows, level entries or concern checks read by a `Seq Scan`.",
        "",
        "| page | queries | SELECTs explained | full scans of those tables |",
        "|---|---:|---:|---|",
    ]
    for page in explained:
        plan = page["explain"]
        scans = ", ".join(f"`{table}`" for table in plan["full_scans"]) or "none"
        lines.append(f"| {page['name']} | {plan['queries']} | {plan['explained']} | {scans} |")
    clean = sum(not page["explain"]["full_scans"] for page in explained)
    lines += ["", f"Pages without such a scan: {clean} of {len(explained)}."]
    return lines


def _run_section(run: dict) -> list[str]:
    counts = run["partnerships"]
    small = run["small"]
    seeded = (
        f"seeded by seed_scale in {run['seeded_seconds']:.0f} s"
        if run["seeded_seconds"]
        else "already seeded"
    )
    return [
        "",
        f"### {run['label']}",
        "",
        f"{counts['all']} partnerships, {counts['checks']} concern checks ({seeded}). "
        f"Head: `{run['organisation']}` (party to {counts['organisation']} partnerships) as "
        f"`{run['member']}`, workspace and review of partnership #{run['workspace']}. "
        f"Smallest: `{small['organisation']}` (party to {small['partnerships']}) as "
        f"`{small['member']}`, partnership #{small['workspace']}. Admin reports as "
        f"`{run['staff']}`.",
        "",
        _summary_line(run),
        "",
        *_table(run),
        *_explain_table(run),
    ]


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
        "- In-process: Django's test client, 3 warm-up requests per page, then "
        f"{options['repeat']} rounds timing every page once each (pages side by side); "
        "the query count is that of one more request.",
        f"- Under load: gunicorn with 2 workers on 127.0.0.1, {options['threads']} client threads "
        f"(Python, http.client), at most {options['requests']} requests or "
        f"{options['seconds']:g} s per page; the client shares the machine's cores.",
        "- Targets (issue #18), on the medians: the head's dashboard, list (plain and "
        f"filtered), workspace, review page, API list and detail within {SCALE_LIMIT:g}x the "
        "same page of the organisation party to the fewest partnerships (*smallest*, rows "
        f"marked {_small_marker()}); {', '.join(FLOOR_PAGES)} within {PAGE_FLOOR_LIMIT:g}x "
        f"the signed-in *floor* (the profile page, as the head's member); every report and "
        f"network map within {REPORT_FLOOR_LIMIT:g}x the floor. /healthz is information "
        "only.",
    ]
    for run in runs:
        lines += _run_section(run)
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _small_marker() -> str:
    return f"“{SMALL_SUFFIX.strip()}”"


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
        met, total = targets_met(run)
        lines.append(f"{run['label']}: targets met {met} of {total}")
        loads = {row["name"]: row["rps"] for row in run.get("load", [])}
        for page in run["pages"]:
            failed = [t for t in page["targets"] if not t["met"]]
            scans = ",".join(page.get("explain", {}).get("full_scans", []))
            lines.append(
                f"  {page['name']:<34} {page['queries']:>3} q  "
                f"median {page['median_ms']:7.1f} ms  p95 {page['p95_ms']:7.1f} ms  "
                f"x floor {page['x_floor']:6.1f}  "
                f"x smallest {_ratio(page['x_smallest'], 2):>5}  "
                f"{loads.get(page['name'], 0):7.1f} req/s"
                + ("  MISSED" if failed else "")
                + (f"  seq scans: {scans}" if scans else "")
            )
    return "\n".join(lines)
