"""``manage.py restore FILE [--force]``: bring back a backup (``make restore``)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import RestoreRefused, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by the backup command into this database. Refused when the "
        "database already holds data, unless --force (which replaces all of it)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the data the database holds."
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, file: str, force: bool, database: str, **options) -> None:
        try:
            restore(Path(file), alias=database, force=force)
        except RestoreRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {file}")
