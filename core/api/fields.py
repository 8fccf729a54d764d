"""Fields the API apps share."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
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
