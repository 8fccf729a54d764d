"""``manage.py backup [--output FILE]``: the whole database in one file (``make backup``)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.backup import RestoreRefused, backup, is_postgresql


class Command(BaseCommand):
    help = (
        "Back up the whole database: pg_dump's custom format on PostgreSQL, JSON (dumpdata) "
        "on SQLite. Restore it with the restore command."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", "-o", help="The file to write (default: backups/…).")
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, output: str | None, database: str, **options) -> None:
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            extension = "dump" if is_postgresql(database) else "json.gz"
            output = f"backups/partenariats-{stamp}.{extension}"
        try:
            written = backup(Path(output), alias=database)
        except RestoreRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {written}")
