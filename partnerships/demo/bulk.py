"""Bulk writes for the scale generator: rows in batches, each with its creation history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from organisations.models import Organisation, User

BATCH = 2000


@dataclass
class World:
    """What was built: counts by model, and the names the benchmark needs."""

    counts: dict[str, int] = field(default_factory=dict)
    head: Organisation | None = None
    head_admin: User | None = None
    superuser: User | None = None


def bulk(model: type[models.Model], objects: list, world: World, history: bool = True) -> list:
    """Insert ``objects`` in batches, then one creation row each in their history."""
    model.objects.bulk_create(objects, batch_size=BATCH)
    if history and hasattr(model, "history"):
        model.history.bulk_history_create(objects, batch_size=BATCH)
        world.counts["history"] = world.counts.get("history", 0) + len(objects)
    world.counts[model._meta.model_name] = len(objects)
    return objects


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def stamp(obj: models.Model, day: datetime.date, user: User | None) -> models.Model:
    """The date and author its creation history row carries."""
    obj._history_date = moment(day)
    obj._history_user = user
    return obj
