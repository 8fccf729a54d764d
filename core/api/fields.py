"""Fields the API apps share."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, refusing the NUL character with a 400 before it reaches the database.

    PostgreSQL cannot compare a string holding NUL and fails the whole query; SQLite would just
    find nothing. Text fields already refuse it (DRF's CharField does).
    """

    default_error_messages = {
        **serializers.SlugRelatedField.default_error_messages,
        "null_characters": _("Null characters are not allowed."),
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        "example": "14:00",
    }
)
class ClockTimeField(serializers.TimeField):
    """A time of day on a wall clock, exchanged as HH:MM (seconds accepted on input, no time
    zone: the project's own applies). JSON Schema's ``time`` format asks for an offset, which
    a meeting's local time does not have."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)
