"""Files kept in ``STORAGES["default"]`` (local disk or an S3-compatible store), told apart
from the errors of a store that does not answer.

An unreachable store must never half-record anything nor answer a 500: an upload says the
store is unavailable and records nothing, a download says the file is unavailable for now
(503), and a background job retries later (``core.retry``).
"""

from __future__ import annotations

import logging

from django.core.files.base import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _storage_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OSError,)
    try:  # botocore is there when django-storages' S3 backend is
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - a dependency of the project
        return errors
    return (*errors, BotoCoreError, ClientError)


# What a store that does not answer (or lost the file) raises: worth a retry, never a 500.
STORAGE_ERRORS = _storage_errors()


class StorageUnavailable(Exception):
    """The file store did not answer; nothing was recorded."""


def open_for_download(field: FieldFile) -> File:
    """The stored file, opened and its first bytes read, so an unreachable store is known
    before the response starts (a stream cut halfway would read as a complete download)."""
    try:
        handle = field.open("rb")
        handle.read(0)
        handle.seek(0)
    except STORAGE_ERRORS as error:
        logger.warning("file %s is unavailable: %s", field.name, type(error).__name__)
        raise StorageUnavailable from error
    return handle


def download(request: HttpRequest, field: FieldFile, **kwargs) -> HttpResponse:
    """A ``FileResponse`` of the stored file (after the caller's permission check), or the
    "file unavailable" page (503) when the store does not answer."""
    try:
        handle = open_for_download(field)
    except StorageUnavailable:
        return unavailable(request)
    return FileResponse(handle, **kwargs)


def unavailable(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "file_unavailable.html",
        {"message": _("This file is unavailable for now. Try again in a few minutes.")},
        status=503,
    )
    response["Retry-After"] = "60"
    return response
