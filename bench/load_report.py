"""``make load``'s figures: percentiles, the capacity targets, and its section of
docs/benchmarks.md (between its own markers; the rest of the file is kept as it is)."""

from __future__ import annotations

import math

BEGIN = "<!-- load:begin: written by make load -->"
END = "<!-- load:end -->"
BENCH_END = "<!-- bench:end -->"
FLOOR = "profile"
# The capacity targets (issue #18): a page's requests/s as a share of the profile page's.
TARGETS = {"dashboard": 0.25, "list": 0.40, "workspace": 0.40, "API list": 0.40}


def percentile(values: list[float], share: float) -> float | None:
    """The value below which ``share`` of ``values`` fall (nearest rank); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarise(name: str, times: list[float], failures: int, in_time: int, seconds: float) -> dict:
    """One row: successful answers per second (``in_time`` of them answered within the
    ``seconds`` of the phase), percentiles in ms of every success, errors."""
    return {
        "name": name,
        "requests": len(times),
        "rps": in_time / seconds if seconds > 0 else 0.0,
        "p50": percentile(times, 0.50),
        "p95": percentile(times, 0.95),
        "p99": percentile(times, 0.99),
        "errors": failures,
    }


def verdicts(rows: list[dict]) -> list[dict]:
    """Each targeted page's requests/s against the floor's: ratio, target, met.

    ``rows`` in the order they were measured. The floor is the mean of the profile page's
    phases just before and just after the page (the one before alone when none follows):
    the machine's speed drifts over a run (it is shared), and a floor measured once at the
    start judged the last pages against a machine that was no longer the same."""
    found = []
    for index, row in enumerate(rows):
        target = TARGETS.get(row["name"])
        if target is None:
            continue
        before = next((r for r in reversed(rows[:index]) if r["name"] == FLOOR), None)
        after = next((r for r in rows[index + 1 :] if r["name"] == FLOOR), None)
        around = [r["rps"] for r in (before, after) if r is not None]
        floor = sum(around) / len(around) if around else 0.0
        ratio = row["rps"] / floor if floor else 0.0
        # A page that failed even once has not shown its capacity.
        met = bool(floor) and ratio >= target and row["errors"] == 0
        found.append(
            {"name": row["name"], "ratio": ratio, "target": target, "met": met, "floor": floor}
        )
    return found


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _rows_table(rows: list[dict]) -> list[str]:
    lines = [
        "| request | answers | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['requests']} | {row['rps']:.1f} | {_ms(row['p50'])} | "
            f"{_ms(row['p95'])} | {_ms(row['p99'])} | {row['errors']} |"
        )
    return lines


def render(info: dict, capacity: list[dict], mixed: list[dict], writes: dict) -> str:
    """The generated section, markers included."""
    machine = info["machine"]
    lost = sum(kind["lost"] for kind in writes.values())
    errors = sum(row["errors"] for row in mixed)
    lines = [
        BEGIN,
        "",
        "## Under load (`make load`)",
        "",
        f"Measured on {info['date']:%Y-%m-%d %H:%M} UTC, commit {info['commit']}, with "
        f"`{info['command']}`.",
        "",
        f"- Machine: {machine['cores']} cores; load average {machine['load'][0]:.2f} when it "
        f"started, {info['load_after'][0]:.2f} when it ended (the machine may be shared: "
        "figures are noisy). The locust client runs on the same cores as the server.",
        f"- Server: gunicorn, {info['workers']} workers, DEBUG off, PostgreSQL "
        f"({info['database']}); {info['world']}.",
        "- Sessions and API tokens are made in the database, not through the sign-in form.",
        "- req/s: successful answers within the phase, over its length; the requests still in "
        "flight when it ends are answered and timed (percentiles, errors) but not counted.",
        "",
        f"### Capacity: {info['capacity_users']} users asking for one page, "
        f"{info['capacity_seconds']:g} s per page, one page after the other",
        "",
        f"As `{info['head_admin']}`, administrator of `{info['head']}`; the workspace is "
        f"partnership #{info['partnership']} (its most concern checks). The profile page (the "
        "floor) is measured before the first page and again after each one, in the order of "
        "the table; each page is judged against the mean of the floor's phases just before "
        "and just after it.",
        "",
        *_rows_table(capacity),
        "",
        "| page | req/s | floor's req/s around it | ratio | target | met |",
        "|---|---:|---:|---:|---:|---|",
    ]
    by_name = {row["name"]: row for row in capacity}
    for verdict in verdicts(capacity):
        lines.append(
            f"| {verdict['name']} | {by_name[verdict['name']]['rps']:.1f} | "
            f"{verdict['floor']:.1f} | {verdict['ratio']:.0%} | ≥ {verdict['target']:.0%} | "
            f"{'yes' if verdict['met'] else '**no**'} |"
        )
    lines += [
        "",
        f"### Mixed: {info['mixed_users']} editors of different organisations, "
        f"{info['mixed_seconds']:g} s",
        "",
        f"90 % reads, 10 % writes through the API; each user pauses {info['think']:g} s on "
        "average between requests. A write is acknowledged when the API answers 201 (level, "
        "concern check) or 200 (commitment); each carries a unique marker, looked for in the "
        "database afterwards.",
        "",
        *_rows_table(mixed),
        "",
        "| write | sent | acknowledged | found in the database | lost |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, outcome in writes.items():
        lines.append(
            f"| {kind} | {outcome['sent']} | {outcome['acked']} | {outcome['found']} | "
            f"{outcome['lost']} |"
        )
    lines += [
        "",
        f"Errors: {errors} (target 0, {'met' if errors == 0 else '**not met**'}); lost writes: "
        f"{lost} (target 0, {'met' if lost == 0 else '**not met**'}).",
        "",
        END,
    ]
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """``text`` with its load section replaced by ``section``; added after the bench
    section (or at the end) when it has none."""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        return head + section + tail
    if BENCH_END in text:
        head, _, tail = text.partition(BENCH_END)
        return head + BENCH_END + "\n\n" + section + tail
    return text.rstrip("\n") + "\n\n" + section + "\n"
