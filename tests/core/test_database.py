from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_sqlite_waits_for_a_busy_writer_instead_of_failing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite tuning only applies to the embedded default")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


@pytest.mark.parametrize(("flag", "expected"), [("", "-c jit=off"), ("false", None)])
def test_postgresql_connections_turn_jit_off_unless_told_not_to(flag, expected):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/partenariats",
        "POSTGRES_JIT_OFF": flag,
    }
    script = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    options = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert (options or {}).get("options") == expected
