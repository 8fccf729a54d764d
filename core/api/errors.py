"""Errors and transactions of the API.

The services raise Django's ``PermissionDenied`` and ``ValidationError`` (and the conflicts of
``core.exceptions``); the API turns them into 403, 400 with a message per field, and 409, in the
request's language.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import Conflict, VersionConflict


def _field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    non_field_key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        return {
            non_field_key if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    return {non_field_key: error.messages}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, taught the exceptions the services raise."""
    if isinstance(exc, VersionConflict):
        return Response(
            {"detail": str(exc), "current_version": exc.current_version},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Conflict):
        return Response(
            {"detail": " ".join(exc.messages)},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_field_errors(exc))
    elif isinstance(exc, Http404):
        # Django's message names the model ("No Partnership matches…"): say no more than 404.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 400 and isinstance(response.data, dict):
        # One shape (the schema's ValidationError): a field's messages are always a list.
        response.data = {
            key: [value] if isinstance(value, str) and key != "detail" else value
            for key, value in response.data.items()
        }
    return response


class TransactionalWrites:
    """One transaction per write request: any error response rolls back everything it wrote.

    Reads stay outside a transaction so that, on SQLite, they never take the write lock.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response
