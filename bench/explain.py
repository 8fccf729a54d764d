"""Query plans of a page on PostgreSQL: does any query read a large log table in full?

Issue #18 asks that no page issue a query whose plan scans a table of history rows
(simple_history's ``…historical…`` tables), the level entries (``LevelAssessment``) or the
concern checks (``ConcernCheck``) in full. ``explain_page`` requests the page once, keeps every
query as sent (SQL and parameters), runs ``EXPLAIN`` on each ``SELECT`` and names the watched
tables a plan reads with a ``Seq Scan``. The full plans go to a text file per page.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def watched(table: str) -> bool:
    """A table of history rows, of level entries or of concern checks."""
    from partnerships.models import ConcernCheck, LevelAssessment

    logs = {LevelAssessment._meta.db_table, ConcernCheck._meta.db_table}
    return table in logs or "historical" in table


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def plan_of(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_page(client: Client, url: str, name: str, directory: Path | None = None) -> dict:
    """The page's query count, how many SELECTs were explained, every table read by a
    sequential scan and the watched ones among them; the plans written to
    ``directory/<vendor>-<page>.txt`` when a directory is given."""
    sent: list[tuple[str, object]] = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(keep):
        response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{name} {url}: {response.status_code}")
    selects = [(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]
    plans = [plan_of(sql, params) for sql, params in selects]
    scanned = sorted({table for plan in plans for table in SEQ_SCAN.findall(plan)})
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        text = [f"# {name}: {url}", f"# {len(captured)} queries, {len(selects)} explained", ""]
        for number, ((sql, params), plan) in enumerate(zip(selects, plans, strict=True), 1):
            text += [f"-- query {number}", sql, f"-- params: {params!r}", plan, ""]
        (directory / f"{connection.vendor}-{slug(name)}.txt").write_text("\n".join(text))
    return {
        "queries": len(captured),
        "explained": len(selects),
        "seq_scans": scanned,
        "full_scans": [table for table in scanned if watched(table)],
    }
