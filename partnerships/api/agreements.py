"""Agreement versions of a partnership: list, draft, read, change the draft, submit, decide.

Routes (below /partnerships/<partnership_id>/agreements/): the partnership is fetched for the
user first (404 for outsiders); editors and administrators of a party draft and submit;
administrators approve or refuse for their own organisation only. A step the version's state
does not allow answers 409 and changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api.errors import TransactionalWrites
from organisations.models import Organisation
from partnerships import policy
from partnerships.models import Agreement, AgreementApproval, AgreementRepresentative
from partnerships.models.agreements import CLAUSE_FIELDS
from partnerships.services import agreements as services

from .views import PartnershipScoped


# --- Serializers -------------------------------------------------------------------------------
class ApprovalSerializer(serializers.ModelSerializer):
    """One party's decision: who decided (their name as it was then), when, and why if refused."""

    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = AgreementApproval
        fields = ["organisation", "organisation_name", "round", "decision", "name", "at", "reason"]
        read_only_fields = fields


class RepresentativeSerializer(serializers.ModelSerializer):
    """Who signs the version for one party, and in what capacity (e.g. "Directrice")."""

    organisation = serializers.CharField(source="organisation.slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = AgreementRepresentative
        fields = ["organisation", "organisation_name", "name", "capacity"]
        read_only_fields = ["organisation", "organisation_name"]


class AgreementSerializer(serializers.ModelSerializer):
    approvals = ApprovalSerializer(many=True, read_only=True)
    representatives = RepresentativeSerializer(many=True, read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True
    )
    has_signed_scan = serializers.SerializerMethodField()
    snapshot = serializers.DictField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "version",
            "state",
            "starts_on",
            "ends_on",
            "review_cadence",
            *CLAUSE_FIELDS,
            "snapshot",
            "submission_round",
            "revision",
            "approvals",
            "representatives",
            "has_signed_scan",
            "created_by",
            "created_at",
            "submitted_at",
            "in_force_at",
        ]
        read_only_fields = fields

    def get_has_signed_scan(self, agreement: Agreement) -> bool:
        return bool(agreement.signed_scan)


class AgreementInputSerializer(serializers.ModelSerializer):
    """The dates, review cadence and clauses of a draft; every field is optional."""

    class Meta:
        model = Agreement
        fields = ["starts_on", "ends_on", "review_cadence", *CLAUSE_FIELDS]
        extra_kwargs = {name: {"required": False} for name in fields}

    def validate(self, attrs: dict) -> dict:
        def value(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None)

        starts_on, ends_on = value("starts_on"), value("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError(
                {"ends_on": [_("The end date cannot come before the start date.")]}
            )
        return attrs


class AgreementChangeSerializer(AgreementInputSerializer):
    """A change of a draft: its fields, and optionally the revision the client read."""

    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_(
            "The draft's revision you read: when given, a draft changed since by someone else "
            "answers 409 instead of being overwritten."
        ),
    )

    class Meta(AgreementInputSerializer.Meta):
        fields = [*AgreementInputSerializer.Meta.fields, "revision"]


class RefusalSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, help_text=_("Why your organisation refuses this version.")
    )


# --- Views -------------------------------------------------------------------------------------
class AgreementsMixin(PartnershipScoped):
    serializer_class = AgreementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        approvals = AgreementApproval.objects.select_related("organisation").order_by(
            "round", "at", "pk"
        )
        representatives = AgreementRepresentative.objects.select_related("organisation")
        return (
            Agreement.objects.filter(partnership=self.get_partnership())
            .select_related("created_by")
            .prefetch_related(
                Prefetch("approvals", queryset=approvals),
                Prefetch("representatives", queryset=representatives),
            )
            .order_by("-version")
        )

    def answer(self, agreement: Agreement, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=agreement.pk)).data, code)


@extend_schema_view(
    get=extend_schema(summary=_("The versions of the partnership's agreement, latest first")),
    post=extend_schema(
        summary=_("Draft the next version of the agreement"),
        request=AgreementInputSerializer,
        responses={201: AgreementSerializer},
    ),
)
class AgreementListApi(AgreementsMixin, TransactionalWrites, generics.ListCreateAPIView):
    """The agreement's versions (1 = the original, 2+ = amendments). A new draft starts from
    the version in force; while another version is a draft or submitted, 409."""

    conflict_methods = ("POST",)

    def create(self, request, *args, **kwargs):
        organisation = self.acting_organisation()
        serializer = AgreementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_draft(
            actor=request.user,
            organisation=organisation,
            partnership=self.get_partnership(),
            **serializer.validated_data,
        )
        return self.answer(agreement, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary=_("A version of the agreement, with its approvals")),
    patch=extend_schema(
        summary=_("Change a draft version (409 once submitted)"),
        request=AgreementChangeSerializer,
    ),
)
class AgreementDetailApi(AgreementsMixin, TransactionalWrites, generics.RetrieveUpdateAPIView):
    """A version of the agreement. Only a draft changes; a submitted or approved one answers
    409 (an approved version never changes: draft a new one)."""

    http_method_names = ["get", "patch", "head", "options"]
    conflict_methods = ("PATCH",)

    def update(self, request, *args, **kwargs):
        agreement = self.get_object()
        organisation = self.acting_organisation()
        serializer = AgreementChangeSerializer(agreement, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.agreement_update(
            actor=request.user,
            organisation=organisation,
            agreement=agreement,
            **serializer.validated_data,
        )
        return self.answer(agreement)


class AgreementStepApi(AgreementsMixin, TransactionalWrites, generics.GenericAPIView):
    conflict_methods = ("POST",)

    def deciding_organisation(self) -> Organisation:
        """An administrator decides for their own organisation: naming another is refused."""
        try:
            return self.acting_organisation(require=policy.require_party_admin)
        except DjangoValidationError as error:
            raise PermissionDenied(_("You can only decide for your own organisation.")) from error


class AgreementSubmitApi(AgreementStepApi):
    """Submit a draft to every party's administrators; it is frozen while they decide."""

    @extend_schema(
        summary=_("Submit a draft for approval"), request=None, responses=AgreementSerializer
    )
    def post(self, request, *args, **kwargs):
        agreement = self.get_object()
        organisation = self.acting_organisation()
        services.agreement_submit(
            actor=request.user, organisation=organisation, agreement=agreement
        )
        return self.answer(agreement)


class AgreementApproveApi(AgreementStepApi):
    """Approve a submitted version for your organisation (its administrators only). Once every
    party approved, it comes into force and supersedes the version in force before it."""

    @extend_schema(
        summary=_("Approve a submitted version for your organisation"),
        request=None,
        responses=AgreementSerializer,
    )
    def post(self, request, *args, **kwargs):
        agreement = self.get_object()
        organisation = self.deciding_organisation()
        services.agreement_approve(
            actor=request.user, organisation=organisation, agreement=agreement
        )
        return self.answer(agreement)


class AgreementRefuseApi(AgreementStepApi):
    """Refuse a submitted version for your organisation, saying why: it goes back to draft."""

    @extend_schema(
        summary=_("Refuse a submitted version for your organisation"),
        request=RefusalSerializer,
        responses=AgreementSerializer,
    )
    def post(self, request, *args, **kwargs):
        agreement = self.get_object()
        organisation = self.deciding_organisation()
        serializer = RefusalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.agreement_refuse(
            actor=request.user,
            organisation=organisation,
            agreement=agreement,
            reason=serializer.validated_data["reason"],
        )
        return self.answer(agreement)


class AgreementRepresentativeApi(AgreementStepApi):
    """Name who signs a draft for your organisation, and in what capacity (your own party's
    representative only; naming again replaces it). Once submitted, 409: the names are frozen
    with the version."""

    @extend_schema(
        summary=_("Name your organisation's representative on a draft"),
        request=RepresentativeSerializer,
        responses=AgreementSerializer,
    )
    def post(self, request, *args, **kwargs):
        agreement = self.get_object()
        organisation = self.acting_organisation()
        serializer = RepresentativeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.agreement_representative_set(
            actor=request.user,
            organisation=organisation,
            agreement=agreement,
            **serializer.validated_data,
        )
        return self.answer(agreement)
