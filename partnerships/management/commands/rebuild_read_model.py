"""``manage.py rebuild_read_model``: recompute every partnership's read model from its logs.

The rows are kept right by every write already; this is for after a bulk load that bypassed the
models (``seed_scale``), a restore from an old backup, or a drift the nightly check reported.
``--check`` only compares and lists the differences (exit status 1 when there are some).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partnerships.services import state


class Command(BaseCommand):
    help = "Recompute the read model (each partnership's current state) from the logs."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only, write nothing; fail on drift"
        )

    def handle(self, *args, check: bool = False, **options) -> None:
        started = time.monotonic()
        if check:
            found = state.drift()
            for line in found:
                self.stdout.write(line)
            if found:
                raise CommandError(f"{len(found)} differences between the read model and the logs")
            self.stdout.write("The read model matches the logs.")
            return
        with transaction.atomic():
            count = state.rebuild()
        self.stdout.write(
            f"Read model rebuilt for {count} partnerships in {time.monotonic() - started:.1f} s."
        )
