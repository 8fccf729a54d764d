"""The refusals the API answers with 409 Conflict; each app subclasses them.

They live here so that the API's exception handler (``core.api.errors``) knows them without
importing the apps.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """Refused because of the state of a record, not because of the input."""


class VersionConflict(Exception):
    """Someone else saved the record first; ``current_version`` is the version it is at now."""

    current_version: int
