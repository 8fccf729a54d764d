"""Generate a large, deterministic world for benchmarks (see partnerships/demo/scale.py)."""

from __future__ import annotations

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from organisations.models import Organisation, User
from partnerships.demo import data
from partnerships.demo.scale import HEAD_ADMIN, ScaleBuilder
from partnerships.models import Partnership
from partnerships.services import state

# Everything tenant data lives in, and the tables that point at users.
FLUSHED_APPS = ("organisations", "partnerships", "authtoken", "admin", "sessions")


class Command(BaseCommand):
    help = (
        "Fill an empty database with many organisations and partnerships and years of history, "
        "for benchmarks. Refuses a database that already holds data unless --flush is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisations", type=int, default=200)
        parser.add_argument("--partnerships", type=int, default=5000)
        parser.add_argument("--checks", type=int, default=100_000, help="concern checks in all")
        parser.add_argument("--seed", type=int, default=8, help="same seed, same world")
        parser.add_argument(
            "--flush",
            "--force",
            action="store_true",
            dest="flush",
            help="DELETE every organisation, user and partnership first (all their data)",
        )

    def handle(self, *args, **options) -> None:
        if holds_data():
            if not options["flush"]:
                raise CommandError(
                    "This database already holds organisations, users or partnerships; "
                    "seed_scale only fills an empty one. Run it with --flush to DELETE them "
                    "all first (every user, organisation and partnership is lost)."
                )
            self.stdout.write("Flushing users, organisations and partnerships (--flush)…")
            flush_tenant_data()
        started = time.monotonic()
        with transaction.atomic():
            world = ScaleBuilder(
                organisations=options["organisations"],
                partnerships=options["partnerships"],
                checks=options["checks"],
                seed=options["seed"],
            ).build()
            state.rebuild()  # the rows were bulk-created, past the signals that keep it
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, as autovacuum would gather (when it runs):
            # without them the planner expects one row per table and picks nested loops.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        head_count = Partnership.objects.for_organisation(world.head).count()
        self.stdout.write(f"Seeded in {elapsed:.1f} s:")
        for name, count in world.counts.items():
            self.stdout.write(f"  {name:<20} {count:>8}")
        self.stdout.write(
            f"Busiest organisation: {world.head.name} ({world.head.slug}), "
            f"party to {head_count} partnerships."
        )
        self.stdout.write(
            f"Sign in as «{HEAD_ADMIN}» (its administrator) or «{world.superuser.username}» "
            f"(platform staff), password «{data.DEMO_PASSWORD}»."
        )


def holds_data() -> bool:
    return any(m.objects.exists() for m in (Organisation, User, Partnership))


def flush_tenant_data() -> None:
    """Empty the tables of the tenant apps, as ``flush`` does, leaving schedules in place."""
    tables = [
        model._meta.db_table
        for label in FLUSHED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # Deferred foreign-key checks still pending in this transaction forbid TRUNCATE: run
        # them now (the tests build two worlds in one transaction).
        connection.check_constraints()
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
