from __future__ import annotations

import pytest
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
