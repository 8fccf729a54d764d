"""Every change of an audited model leaves a history row that names who made it.

Audited models are the ones with django-simple-history's ``history`` (people edit them). A
save records its history row by itself: ``services.save_validated`` names the acting user, and in a
request simple-history's middleware names the signed-in user. ``QuerySet.update()``,
``bulk_update()`` and ``bulk_create()`` bypass that, so on an audited model they are allowed
only inside ``recorded_bulk_write()``, whose caller records the history rows itself;
``audited_update`` does both. The test suite runs every test under ``guard_unrecorded_writes``
and a static test scans the code for such calls (tests/test_audit.py).

Who acts, by write path:
- pages, API, services: the acting user (``history_user``);
- admin: the staff member signed in (simple-history's admin and middleware);
- background tasks act for nobody: a task that changes an audited model leaves
  ``history_user`` empty and says why in ``history_change_reason``, as
  ``system_change_reason(<task name>)`` does (the agreement expiry task ending versions);
- a deletion's ``on_delete=SET_NULL`` (Django empties the links to the deleted record with one
  ``update()``): the deletion itself is in the deleted record's history, with its user.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from partnerships.services.versions import is_versioned

if TYPE_CHECKING:
    from organisations.models import User

BULK_WRITES = ("update", "bulk_update", "bulk_create")

_recorded_bulk_write: ContextVar[bool] = ContextVar("recorded_bulk_write", default=False)


class UnrecordedWrite(RuntimeError):
    """A bulk write on an audited model would change rows without any history row."""


def is_audited(model: type[models.Model]) -> bool:
    """Whether the model keeps a change history (simple-history's ``history``)."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def system_change_reason(task_name: str) -> str:
    """The ``history_change_reason`` of a change made by a background task."""
    return f"task:{task_name}"


@contextlib.contextmanager
def recorded_bulk_write() -> Iterator[None]:
    """Allow bulk writes on audited models: the caller records their history rows itself."""
    token = _recorded_bulk_write.set(True)
    try:
        yield
    finally:
        _recorded_bulk_write.reset(token)


@transaction.atomic
def audited_update(queryset: models.QuerySet, *, actor: User | None, reason: str, **values) -> int:
    """``queryset.update(**values)`` that records one history row per row changed.

    The rows are locked and changed one by one in memory, written with ``bulk_update`` and
    recorded with the acting user and ``reason``. A versioned record moves to its next version,
    so a form opened before the change is refused rather than undoing it.
    """
    model = queryset.model
    fields = list(values)
    objs = list(queryset.select_for_update())
    stamped = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    versioned = is_versioned(model)
    now = timezone.now()
    for obj in objs:
        for name, value in values.items():
            setattr(obj, name, value)
        for name in stamped:
            setattr(obj, name, now)
        if versioned:
            obj.version += 1
    fields += [*stamped, *(["version"] if versioned else [])]
    with recorded_bulk_write():  # the default manager: a model's own rules on bulk writes hold
        model._default_manager.bulk_update(objs, list(dict.fromkeys(fields)))
    model.history.bulk_history_create(
        objs, update=True, default_user=actor, default_change_reason=reason
    )
    return len(objs)


def _guarded(method_name: str, original):
    def method(self, *args, **kwargs):
        if is_audited(self.model) and not _recorded_bulk_write.get():
            raise UnrecordedWrite(
                f"{self.model.__name__}.objects…{method_name}() would change audited rows "
                "without history: save each record through a service, or use "
                "partnerships.services.audit.audited_update()."
            )
        return original(self, *args, **kwargs)

    method.__name__ = method_name
    return method


def _deleting(original):
    def delete(self, *args, **kwargs):
        # on_delete=SET_NULL empties links with update(); the deletion has its own history row.
        with recorded_bulk_write():
            return original(self, *args, **kwargs)

    return delete


@contextlib.contextmanager
def guard_unrecorded_writes() -> Iterator[None]:
    """Make bulk writes on audited models outside ``recorded_bulk_write()`` raise."""
    originals = {name: getattr(models.QuerySet, name) for name in BULK_WRITES}
    original_delete = Collector.delete
    for name, original in originals.items():
        setattr(models.QuerySet, name, _guarded(name, original))
    Collector.delete = _deleting(original_delete)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(models.QuerySet, name, original)
        Collector.delete = original_delete
