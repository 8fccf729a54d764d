"""Backup and restore drills: ``make backup``, ``make restore`` into an empty database, and the
same rows with the same content in every table (counts and a hash of every row).

On SQLite the drill restores into a second database file; on PostgreSQL (in CI) into a second
database the test creates and drops, with pg_dump and pg_restore.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from core.backup import _pg_environment, backup, fingerprint
from partnerships.models import Partnership
from partnerships.services.partnerships import partnership_create
from partnerships.services.records import concern_check_record, record_save
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.services import require

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data():
    """A bit of everything, through the services so the history tables fill too."""
    from partnerships.models import Commitment, Concern

    org_a = OrganisationFactory(slug="association-a", name="Association A")
    org_c = OrganisationFactory(slug="fondation-c", name="Fondation C", kind="foundation")
    alice = UserFactory(username="alice", first_name="Alice")
    MembershipFactory(user=alice, organisation=org_a, role="admin")
    partnership = partnership_create(
        actor=alice,
        organisation=org_a,
        title="Lecture « au collège »",
        partners=[(org_c, "partner")],
    )
    party = partnership.parties.get(organisation=org_a)
    record_save(
        actor=alice,
        organisation=org_a,
        record=Commitment(partnership=partnership, party=party, title="Envoyer le calendrier"),
    )
    concern = Concern(
        partnership=partnership,
        raised_by=party,
        kind="fear",
        category="power",
        description="Peur d'être absorbés 🙂",
        visibility="private",
    )
    record_save(actor=alice, organisation=org_a, record=concern)
    concern_check_record(actor=alice, organisation=org_a, concern=concern, intensity=4)
    return partnership


def _environment(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return {**env, "DATABASE_URL": database_url}


def make(target: str, database_url: str, backup_file: Path, *extra: str):
    """The Makefile's target, run with this test run's Python (never reinstalling it)."""
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "--old-file=.venv/.installed",
            target,
            f"PY={sys.executable}",
            f"BACKUP_FILE={backup_file}",
            *extra,
        ],
        cwd=settings.BASE_DIR,
        env=_environment(database_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _url(settings_dict: dict, name: str | None = None) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name or settings_dict['NAME']}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return (
        f"postgres://{settings_dict['USER']}{password}@{host}:{port}/"
        f"{name or settings_dict['NAME']}"
    )


@pytest.fixture
def drill_database(tmp_path):
    """The address of a second, empty database; dropped afterwards."""
    default = connections.settings["default"]
    if connection.vendor != "postgresql":
        yield _url(default, str(tmp_path / "drill.sqlite3"))
        return
    name = f"drill_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield _url(default, name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fingerprint_of(database_url: str) -> dict[str, list]:
    """The fingerprint of another database, read by a process of its own."""
    script = (
        "import json, django; django.setup(); "
        "from core.backup import fingerprint; print(json.dumps(fingerprint()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**_environment(database_url), "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def test_a_backup_restored_into_an_empty_database_has_the_same_rows(data, drill_database, tmp_path):
    if connection.vendor == "postgresql":
        for tool in ("pg_dump", "pg_restore"):
            require(shutil.which(tool) is not None, f"{tool} is needed for PostgreSQL backups")
    backup_file = tmp_path / ("backup.dump" if connection.vendor == "postgresql" else "b.json.gz")
    source_url = _url(connections.settings["default"])
    made = make("backup", source_url, backup_file)
    assert made.returncode == 0, made.stderr
    assert backup_file.stat().st_size > 0

    restored = make("restore", drill_database, backup_file)
    assert restored.returncode == 0, restored.stderr

    before = {table: list(value) for table, value in fingerprint().items()}
    after = fingerprint_of(drill_database)
    assert before["partnerships_partnership"][0] == 1
    assert before["partnerships_historicalconcern"][0] >= 1
    assert {table: count for table, (count, _hash) in after.items()} == {
        table: count for table, (count, _hash) in before.items()
    }
    assert after == before


def test_a_restore_into_a_database_holding_data_is_refused_unless_forced(data, tmp_path):
    backup_file = tmp_path / ("backup.dump" if connection.vendor == "postgresql" else "b.json")
    if connection.vendor == "postgresql":
        require(shutil.which("pg_dump") is not None, "pg_dump is needed for PostgreSQL backups")
    call_command("backup", output=str(backup_file))
    Partnership.objects.filter(pk=data.pk).delete()  # changed after the backup
    refused = make("restore", _url(connections.settings["default"]), backup_file)
    assert refused.returncode != 0
    assert "already holds data" in refused.stderr
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(backup_file))
    assert not Partnership.objects.exists()

    call_command("restore", str(backup_file), force=True)
    connection.close()
    assert Partnership.objects.get().title == "Lecture « au collège »"


def test_restore_needs_a_backup_file(db, tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "--old-file=.venv/.installed", "restore"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "BACKUP_FILE" in result.stderr
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("bonjour")
    with pytest.raises(CommandError, match="neither a pg_dump archive nor a JSON backup"):
        call_command("restore", str(not_a_backup), force=True)


def test_a_backup_file_is_readable_by_its_owner_only(data, tmp_path):
    path = backup(tmp_path / "today.json.gz")
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_postgresql_tools_get_the_tls_options_of_database_url(db, monkeypatch):
    options = {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/db-ca.pem"}
    monkeypatch.setitem(connections["default"].settings_dict, "OPTIONS", options)
    _args, env = _pg_environment("default")
    assert (env["PGSSLMODE"], env["PGSSLROOTCERT"]) == ("verify-full", "/etc/ssl/db-ca.pem")
