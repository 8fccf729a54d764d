"""Importing partnerships from a spreadsheet: upload for a preview, then confirm.

``POST /api/v1/imports/?organisation=<slug>`` reads the file and answers the preview (201), or
202 with a ``status_url`` for a file of more than 500 rows, read in the background;
``GET /api/v1/imports/{id}/`` answers the same preview once ready; ``POST …/{id}/confirm/``
writes it all in one transaction, or nothing (see ``partnerships.services.imports``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import TransactionalWrites
from core.api.schema import VALIDATION_ERROR_REF
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import ImportStatus
from partnerships.models import ImportJob
from partnerships.services import imports

from .scoping import creating_organisation

ACTIONS = ("create", "update", "unchanged", "error")


class ImportPartnerSerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation = serializers.CharField(
        required=False, help_text=_("Short name of the organisation on the platform invited.")
    )
    email = serializers.EmailField(
        required=False,
        help_text=_("Contact invited by e-mail (an organisation not on the platform)."),
    )
    candidates = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("Ambiguous name: the short names it may be; say which in `resolve`."),
    )


class ImportRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("Line of the file."))
    action = serializers.ChoiceField(choices=ACTIONS)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages by field, in the language of the upload."),
    )
    title = serializers.CharField(allow_blank=True)
    partnership = serializers.IntegerField(
        allow_null=True, help_text=_("The partnership updated or unchanged.")
    )
    partners = ImportPartnerSerializer(many=True)
    changes = serializers.ListField(child=serializers.CharField())


class ImportCountsSerializer(serializers.Serializer):
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    error = serializers.IntegerField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()


class ImportJobSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    rows = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "organisation",
            "filename",
            "status",
            "headers",
            "mapping",
            "rows",
            "counts",
            "result",
            "error",
            "status_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportRowSerializer(many=True))
    def get_rows(self, job: ImportJob) -> list[dict]:
        return ImportRowSerializer(job.preview, many=True).data

    @extend_schema_field(ImportCountsSerializer)
    def get_counts(self, job: ImportJob) -> dict:
        return imports.summary(job.preview)

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_url(self, job: ImportJob) -> str:
        return reverse("api:import-detail", kwargs={"pk": job.pk})

    @extend_schema_field(OpenApiTypes.STR)
    def get_error(self, job: ImportJob) -> str:
        """Why a confirmation in the background wrote nothing (the job is ready again)."""
        return job.error if job.status == ImportStatus.READY else ""

    @extend_schema_field(ImportResultSerializer(allow_null=True))
    def get_result(self, job: ImportJob) -> dict | None:
        return job.result or None


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A CSV (`,` or `;`, UTF-8 or Windows-1252), XLSX or ODS file.")
    )
    mapping = serializers.JSONField(
        required=False,
        help_text=_(
            'As JSON: {"<column title>": "<field>"}; the fields are id, title, purpose, '
            "partners, partner_email (partner_email_2, …), status, starts_on, ends_on, "
            "agreed_level, target_level, review_cadence, next_review_on, responsibilities, "
            "commitments, concerns and ignore. Without it, the organisation's last mapping, "
            "then the column titles."
        ),
    )


class ImportConfirmSerializer(serializers.Serializer):
    skip_errors = serializers.BooleanField(
        default=False, help_text=_("Import the rows without errors and leave the others.")
    )
    resolve = serializers.DictField(
        child=serializers.CharField(max_length=80),
        required=False,
        help_text=_('For ambiguous partner names: {"<partner name>": "<organisation slug>"}.'),
    )


def jobs_for(user) -> QuerySet[ImportJob]:
    """Imports of the user's active organisations, whatever their role (404 otherwise)."""
    return ImportJob.objects.filter(
        organisation__in=Organisation.objects.active().of_user(user)
    ).select_related("organisation")


ORGANISATION = OpenApiParameter(
    "organisation",
    OpenApiTypes.STR,
    description=_("Slug of the organisation importing (default: the first you write for)."),
)


class ImportListApi(TransactionalWrites, APIView):
    """Upload a spreadsheet of partnerships and get the preview of what it would do: nothing is
    written until it is confirmed."""

    parser_classes = [MultiPartParser]
    error_codes = (400, 415)

    @extend_schema(
        summary=_("Upload a spreadsheet of partnerships for a preview"),
        parameters=[ORGANISATION],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportJobSerializer,
            202: OpenApiResponse(
                ImportJobSerializer,
                description=_("More than 500 rows: read in the background; poll `status_url`."),
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        organisation = creating_organisation(request.user, request.query_params.get("organisation"))
        policy.require_organisation_writer(policy.Actor.of(request.user, organisation))
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise serializers.ValidationError({"file": [_("The file is larger than 10 MB.")]})
        try:
            job = imports.import_start(
                actor=request.user,
                organisation=organisation,
                content=upload.read(),
                filename=upload.name or "",
                mapping=serializer.validated_data.get("mapping"),
            )
        except imports.ImportRefused as error:
            if hasattr(error, "error_dict"):
                raise
            raise serializers.ValidationError({"file": error.messages}) from error
        answer = status.HTTP_202_ACCEPTED if job.in_progress else status.HTTP_201_CREATED
        return Response(ImportJobSerializer(job).data, status=answer)


class ImportDetailApi(APIView):
    """An import: its state and, once read, the preview of each row (or, once confirmed, what
    each row did and the counts)."""

    @extend_schema(summary=_("An import and its preview"), responses={200: ImportJobSerializer})
    def get(self, request, pk: int, *args, **kwargs):
        job = get_object_or_404(jobs_for(request.user), pk=pk)
        # The preview holds partners' contacts: for those who may import, as on the page.
        policy.require_organisation_writer(policy.Actor.of(request.user, job.organisation))
        return Response(ImportJobSerializer(job).data)


class ImportConfirmApi(TransactionalWrites, APIView):
    """Write the import in one transaction. With rows in error and without `skip_errors`, 400
    and nothing written; an ambiguous partner name is an error until `resolve` names the
    organisation. A second confirmation, or one before the file is read, is a 409."""

    parser_classes = [JSONParser]
    conflict_methods = ("POST",)

    @extend_schema(
        summary=_("Confirm an import"),
        request=ImportConfirmSerializer,
        responses={
            200: ImportJobSerializer,
            202: OpenApiResponse(
                ImportJobSerializer,
                description=_(
                    "More than 500 rows: written in the background; poll `status_url` until "
                    "`status` is `confirmed`, or `ready` again with the reason in `error` "
                    "(nothing written)."
                ),
            ),
            400: OpenApiResponse(
                VALIDATION_ERROR_REF,
                description=_(
                    "Rows with errors and no `skip_errors` (`detail` and the `rows` in error), "
                    "or fields of the body in error: nothing was written."
                ),
            ),
        },
    )
    def post(self, request, pk: int, *args, **kwargs):
        job = get_object_or_404(jobs_for(request.user), pk=pk)
        policy.require_organisation_writer(policy.Actor.of(request.user, job.organisation))
        serializer = ImportConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = imports.import_confirm_start(
                actor=request.user,
                job=job,
                skip_errors=serializer.validated_data["skip_errors"],
                resolve=serializer.validated_data.get("resolve"),
            )
        except imports.ImportHasErrors as error:
            rows = [row for row in error.rows if row["action"] == "error"]
            return Response(
                {
                    "detail": " ".join(error.messages),
                    "rows": ImportRowSerializer(rows, many=True).data,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        answer = status.HTTP_202_ACCEPTED if job.in_progress else status.HTTP_200_OK
        return Response(ImportJobSerializer(job).data, status=answer)
