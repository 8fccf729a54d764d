"""Back up and restore the whole database (``make backup`` / ``make restore``).

PostgreSQL is dumped with ``pg_dump -Fc`` and restored with ``pg_restore``: the schema and every
row, in one file. SQLite (the embedded default) is dumped with ``dumpdata`` as JSON and loaded
with ``loaddata``, which also works into PostgreSQL. A JSON backup leaves out what the schema
recreates by itself (content types, permissions) and what is only transient (sessions, sign-in
attempts); links to content types are written by natural key, so they survive the renumbering.

A restore refuses a database that already holds data (users, organisations, partnerships)
unless forced: it replaces everything.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connections, transaction

EXACT_JSON = "exactjson"
PG_MAGIC = b"PGDMP"
GZIP_MAGIC = b"\x1f\x8b"
# Recreated by migrate itself, or not worth keeping: left out of JSON backups and fingerprints.
REGENERATED = ("contenttypes", "auth.permission", "sessions", "axes")
# Beat's "schedules changed" marker: loading the schedules rightly stamps it with the time.
CHANGE_MARKERS = ("django_celery_beat.periodictasks",)
# Rows here mean the database is in use: a restore would destroy them.
USER_DATA_APPS = ("organisations", "partnerships", "authtoken")


class RestoreRefused(Exception):
    """The restore would overwrite data, or the file is not a backup this tool can read."""


def is_postgresql(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def _regenerated(model) -> bool:
    label = model._meta.label_lower
    return any(label == name or model._meta.app_label == name for name in REGENERATED)


def _excluded_labels() -> list[str]:
    """dumpdata's ``--exclude`` for what is installed of ``REGENERATED``."""
    installed = {config.label for config in apps.get_app_configs()}
    return [name for name in REGENERATED if name.split(".")[0] in installed]


LIBPQ_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _private_file(path: Path) -> None:
    """Create (or empty) ``path`` readable by its owner only: a backup holds password hashes,
    API tokens and e-mail addresses."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)


def _pg_environment(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL client tools; the password goes by environment."""
    settings = connections[alias].settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    # TLS options of DATABASE_URL (?sslmode=verify-full&sslrootcert=…) reach the client tools
    # too: without them pg_dump would fall back to an unverified connection.
    for option, value in (settings.get("OPTIONS") or {}).items():
        if option in LIBPQ_ENVIRONMENT:
            env[LIBPQ_ENVIRONMENT[option]] = str(value)
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    return [*args, "--dbname", settings["NAME"]], env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise RestoreRefused(f"{command[0]} is needed for PostgreSQL backups; install it.")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RestoreRefused(f"{command[0]} failed: {result.stderr.strip()}")


def backup(output: Path, alias: str = "default") -> Path:
    """Write the whole database to ``output``: a pg_dump archive, or JSON (gzipped if the
    name ends in .gz)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    _private_file(output)
    if is_postgresql(alias):
        connection_args, env = _pg_environment(alias)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(output), *connection_args],
            env,
        )
        return output
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "backup.json"
        serializers.register_serializer(EXACT_JSON, "core.exact_json")
        call_command(
            "dumpdata",
            format=EXACT_JSON,  # plain JSON, read back by loaddata's own JSON reader
            natural_foreign=True,
            exclude=_excluded_labels(),
            output=str(dump),
            database=alias,
            verbosity=0,
        )
        if output.name.endswith(".gz"):
            with dump.open("rb") as source, gzip.open(output, "wb") as target:
                shutil.copyfileobj(source, target)
        else:
            shutil.copyfile(dump, output)
    return output


def holds_data(alias: str = "default") -> bool:
    """Whether any user, organisation, partnership or token is stored (tables may not exist)."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    models = [
        model
        for config in apps.get_app_configs()
        if config.label in USER_DATA_APPS
        for model in config.get_models()
    ]
    return any(
        model._base_manager.using(alias).exists()
        for model in models
        if model._meta.db_table in tables
    )


def _kind(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(5)
    if head.startswith(PG_MAGIC):
        return "pg_dump"
    if head.startswith(GZIP_MAGIC) or head.lstrip()[:1] == b"[":
        return "json"
    raise RestoreRefused(f"{path} is neither a pg_dump archive nor a JSON backup.")


def restore(path: Path, alias: str = "default", force: bool = False) -> None:
    """Replace the database's content with the backup at ``path``.

    Refused when the database holds data, unless ``force``: then everything is replaced.
    """
    if not path.is_file():
        raise RestoreRefused(f"No backup file at {path}.")
    kind = _kind(path)
    if holds_data(alias) and not force:
        raise RestoreRefused(
            "The database already holds data; restoring would replace all of it. "
            "Restore into an empty database, or force it (FORCE=1, --force)."
        )
    if kind == "pg_dump":
        if not is_postgresql(alias):
            raise RestoreRefused("A pg_dump archive restores into PostgreSQL only.")
        connections[alias].close()
        connection_args, env = _pg_environment(alias)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *connection_args,
                str(path),
            ],
            env,
        )
        return
    _load_json(path, alias)


def _load_json(path: Path, alias: str) -> None:
    """Bring the schema up to date, empty every table, then load the rows, all or nothing."""
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        fixture = Path(folder) / "backup.json"
        opener = gzip.open if _is_gzip(path) else open
        with opener(path, "rb") as source, fixture.open("wb") as target:
            shutil.copyfileobj(source, target)
        with transaction.atomic(using=alias):
            # flush recreates content types and permissions; the backup refers to them by
            # natural key, and brings back everything else (schedules included).
            call_command("flush", database=alias, interactive=False, verbosity=0)
            call_command("loaddata", str(fixture), database=alias, verbosity=0)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(2) == GZIP_MAGIC


def fingerprint(alias: str = "default") -> dict[str, tuple[int, str]]:
    """Per table: its row count and a hash of every row in key order (what a drill compares).

    Tables the schema regenerates (content types, permissions), sessions and beat's change
    marker are left out.
    """
    result = {}
    for model in apps.get_models(include_auto_created=True):
        if _regenerated(model) or model._meta.label_lower in CHANGE_MARKERS:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        rows = model._base_manager.using(alias).order_by("pk").values_list(*columns)
        for row in rows.iterator(chunk_size=2000):
            digest.update(json.dumps(row, default=str, sort_keys=True).encode())
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result
