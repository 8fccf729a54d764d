"""An organisation's commitments and fears and resistances as CSV or XLSX files.

The same files as the pages' Export menu (``partnerships.reads.tables``): a CSV in the style
of the request's language (French: ``;`` and dd/mm/yyyy; English: ``,`` and ISO dates).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from organisations.models import Organisation
from partnerships.reads.tables import CONTENT_TYPES, record_export

FILE_FORMAT = OpenApiParameter(
    "file_format",
    OpenApiTypes.STR,
    enum=list(CONTENT_TYPES),
    default="csv",
    description=_(
        "csv (in French: columns separated by semicolons, dates as dd/mm/yyyy; in English: "
        "commas and ISO dates; UTF-8 with a byte order mark) or xlsx."
    ),
)
FILE_RESPONSES = {
    (200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES.values()
}


class RecordExportApi(APIView):
    """Base of the record exports: 404 unless the caller is a member of the organisation named
    in the address and it is active."""

    kind = ""
    error_codes = (400, 404)

    def get(self, request, org_slug: str, *args, **kwargs):
        organisation = get_object_or_404(
            Organisation.objects.active().of_user(request.user), slug=org_slug
        )
        file_format = request.query_params.get("file_format") or "csv"
        if file_format not in CONTENT_TYPES:
            raise serializers.ValidationError(
                {"file_format": [_("Choose the format of the export: CSV or XLSX.")]}
            )
        return record_export(organisation, self.kind, file_format)


class CommitmentExportApi(RecordExportApi):
    """Every commitment of the organisation's partnerships (those of parties that left too):
    partnership, what, owner, due date, status, completed on, overdue."""

    kind = "commitments"

    @extend_schema(
        summary=_("Your organisation's commitments as a CSV or XLSX file"),
        parameters=[FILE_FORMAT],
        responses=FILE_RESPONSES,
    )
    def get(self, request, org_slug: str, *args, **kwargs):
        return super().get(request, org_slug, *args, **kwargs)


class ConcernExportApi(RecordExportApi):
    """The fears and resistances the organisation sees (shared ones and its own private ones):
    partnership, kind, category, raised by, visibility, status, latest intensity and date, and
    every check as "date: intensity", newest first."""

    kind = "concerns"

    @extend_schema(
        summary=_("The fears and resistances your organisation sees, as a CSV or XLSX file"),
        parameters=[FILE_FORMAT],
        responses=FILE_RESPONSES,
    )
    def get(self, request, org_slug: str, *args, **kwargs):
        return super().get(request, org_slug, *args, **kwargs)
