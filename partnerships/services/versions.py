"""Optimistic locking of the versioned models, and the one save every service goes through
(validated, with the acting user in the history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy

from core.exceptions import VersionConflict

if TYPE_CHECKING:
    from organisations.models import User


STALE_MESSAGES = {
    "partnership": gettext_lazy(
        "Someone else changed this partnership while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "commitment": gettext_lazy(
        "Someone else changed this commitment while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "concern": gettext_lazy(
        "Someone else changed this fear or resistance while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "review": gettext_lazy(
        "Someone else changed this review while you were editing it "
        "(it is now at version %(version)s). Reload it, then apply your changes again."
    ),
    "agreement": gettext_lazy(
        "Someone else changed this draft while you were editing it (it is now at revision "
        "%(version)s). Reload it, then apply your changes again."
    ),
}


class StaleVersion(VersionConflict):
    """The record changed since the form or request was prepared: nothing was overwritten."""

    def __init__(self, current_version: int, model_name: str = "partnership"):
        self.current_version = current_version
        self.model_name = model_name
        super().__init__(str(STALE_MESSAGES[model_name]) % {"version": current_version})


VERSIONED_MODELS = {"partnership", "commitment", "concern", "review"}


def is_versioned(model: type[models.Model]) -> bool:
    """Models edited by people concurrently carry a ``version`` (optimistic locking).

    Named, not guessed from a field called ``version``: an agreement's ``version`` is its
    number (1 = the original); its drafts are locked by ``revision`` in agreement_update.
    """
    return model._meta.model_name in VERSIONED_MODELS


def lock_at_version(model: type[models.Model], pk: int, version: int) -> models.Model:
    """Lock the stored row and check it is still at ``version``; return it as stored.

    Must run inside the write's transaction: the row stays locked until it commits, so of two
    concurrent saves of the same version the second waits, then reads the new version and is
    refused (on SQLite, IMMEDIATE transactions serialise writers the same way). The write then
    goes through ``save_validated`` with ``version + 1``, so it records its history row like any
    other.
    """
    current = model._base_manager.select_for_update().get(pk=pk)
    if current.version != version:
        raise StaleVersion(current.version, model._meta.model_name)
    return current


def save_validated(obj, actor: User | None, **kwargs) -> None:
    """Validate (constraints included) and save, recording ``actor`` in the history."""
    obj.full_clean()
    obj._history_user = actor
    obj.save(**kwargs)
