"""The OpenAPI schema: every operation documents the error answers it can give.

The schema's identifiers (operation ids, component and enum names, property names) are the same
whatever the reader's language: only summaries and descriptions follow ``Accept-Language``.
Field labels are not published as ``title``s, since generators name types after them.

Every error body has one shape: ``{"detail": "…"}``, plus ``current_version`` on a stale write
(409), or, for invalid input (400), the fields in error each with a list of messages (or, for a
nested field, an object of the same shape), and ``non_field_errors``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the request's language."))


class ConflictSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(
        required=False,
        help_text=_(
            "With a stale version: the version now stored. Reload, re-apply the change, "
            "send this version."
        ),
    )


# The body of a 400: a component of its own (added by the hook below), typed for generated
# clients. Its descriptions stay in English: the component is the same in every language.
VALIDATION_ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "string",
            "description": "A body that could not be read at all (malformed JSON).",
        },
        "non_field_errors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Errors about the request as a whole.",
        },
    },
    "additionalProperties": {
        "description": "The messages of one field: a list of strings (a list of objects for a "
        "list of nested records, an object keyed by position or name for a list or dict field).",
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ],
    },
}
VALIDATION_ERROR_REF = {"$ref": "#/components/schemas/ValidationError"}

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}

ERROR_RESPONSES = {
    400: OpenApiResponse(
        VALIDATION_ERROR_REF,
        description=_(
            "Invalid input: an object whose keys are the fields in error (or "
            "`non_field_errors`), each with a list of messages in the request's language; "
            "`detail` alone for a body that could not be read."
        ),
    ),
    401: OpenApiResponse(ErrorSerializer, description=_("Not signed in: send a token.")),
    403: OpenApiResponse(
        ErrorSerializer, description=_("Signed in, but your role does not allow this.")
    ),
    404: OpenApiResponse(
        ErrorSerializer, description=_("Not found, or not visible to your organisations.")
    ),
    409: OpenApiResponse(
        ConflictSerializer,
        description=_(
            "The record's state does not allow this: the version sent is not the current one, "
            "or the review is closed (or not held yet). Nothing was changed."
        ),
    ),
    503: OpenApiResponse(
        ErrorSerializer,
        description=_(
            "The server cannot make PDF files (its system libraries are missing); the same "
            "document is available as a printable page."
        ),
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        description=_("Too many requests, or too many failed sign-ins: wait, then try again."),
    ),
    415: OpenApiResponse(
        ErrorSerializer,
        description=_("The body is not JSON (`Content-Type: application/json`): nothing was done."),
    ),
}


class ApiSchema(AutoSchema):
    """Documents the error answers every operation can give, so clients and fuzzers expect them.

    401 and 403 wherever a sign-in is needed; 400 on writes and on lists (filters, paging); 404 on
    every route with an id or a page; 409 on the methods a view lists in ``conflict_methods``;
    415 on every operation that reads a body (the API reads JSON only); any other code a view
    lists in ``error_codes``.
    Writes of views with an ``acting_parameter`` document it (the organisation acted for).
    """

    def get_description(self) -> str:
        # The view's own docstring only: mixins' docstrings explain code, not the operation.
        return self.view.__class__.__dict__.get("__doc__") or ""

    def _error_codes(self) -> list[int]:
        codes = set(getattr(self.view, "error_codes", ()))
        is_list = self.method == "GET" and self._is_list_view()
        if self.method != "GET" or is_list:
            codes.add(400)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.add(415)
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes |= {401, 403}
        if "{" in self.path or is_list:
            codes.add(404)
        if self.method in getattr(self.view, "conflict_methods", ()):
            codes.add(409)
        return sorted(codes)

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        acting = getattr(self.view, "acting_parameter", None)
        if acting is not None and self.method in ("POST", "PUT", "PATCH", "DELETE"):
            parameters = [*parameters, acting]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERROR_RESPONSES[code], str(code), direction=direction
                )
        if "429" in responses:
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
        return responses

    def _get_serializer_field_meta(self, field, direction):
        # A label becomes a ``title``, translated, which generators turn into type names.
        meta = super()._get_serializer_field_meta(field, direction)
        meta.pop("title", None)
        return meta


def language_free_identifiers(result, generator, request, public):
    """Postprocessing hook: no ``title`` in parameters either (django-filter's labels), and the
    component of the 400 body."""
    result.setdefault("components", {}).setdefault("schemas", {})["ValidationError"] = (
        VALIDATION_ERROR_COMPONENT
    )
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                parameter.get("schema", {}).pop("title", None)
    return result
