"""What is recorded about a partnership: levels, responsibilities, commitments, concerns and
their checks, benefits, reviews.

Each view fetches the partnership for this user first (404 for outsiders), picks the acting
organisation (403 for readers), validates, then calls the service. History (levels, checks) is
append-only: it has no update route.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api.errors import TransactionalWrites
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import AssessmentKind
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Responsibility,
    Review,
)
from partnerships.services.proposals import level_propose
from partnerships.services.records import (
    concern_check_record,
    concern_raise,
    level_record,
    record_delete,
    record_restore,
    record_save,
    review_save,
)
from partnerships.services.reviews import review_cancel, review_close, review_hold

from .filters import (
    BenefitFilter,
    CommitmentFilter,
    ConcernFilter,
    LevelFilter,
    ResponsibilityFilter,
    ReviewFilter,
)
from .proposals import LevelProposalSerializer, proposals_of
from .serializers import (
    BenefitSerializer,
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    ConcernCheckCreateSerializer,
    ConcernCheckSerializer,
    ConcernCreateSerializer,
    ConcernSerializer,
    ConcernUpdateSerializer,
    LevelCreateSerializer,
    LevelSerializer,
    ResponsibilitySerializer,
    ReviewCancelSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)
from .views import PartnershipScoped

OWN_PERCEPTION_ONLY = _("You can only record your own organisation's perception.")
RAISED_BY_OWN = _(
    "A fear or resistance is raised by the organisation that records it: name your own "
    "organisation, or leave this out."
)


class RecordsMixin(PartnershipScoped):
    """The records of one model in the partnership of the URL, as this user may see them."""

    model: type[models.Model]
    input_serializer_class: type[serializers.Serializer] | None = None

    def records(self) -> models.QuerySet:
        return self.model.objects.filter(partnership=self.get_partnership())

    def get_queryset(self) -> models.QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.records()

    def get_input_serializer(self, *args, **kwargs) -> serializers.Serializer:
        serializer_class = self.input_serializer_class or self.get_serializer_class()
        return serializer_class(*args, context=self.get_serializer_context(), **kwargs)

    def answer(self, record: models.Model, code: int = status.HTTP_200_OK) -> Response:
        """The record as read back (with its annotations), in the read serializer."""
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data, code)


class RecordListApi(RecordsMixin, TransactionalWrites, generics.ListCreateAPIView):
    conflict_methods = ("POST",)  # a record linked to a closed review

    def create(self, request, *args, **kwargs):
        organisation = self.acting_organisation()
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.model(partnership=self.get_partnership(), **serializer.validated_data)
        record_save(actor=request.user, organisation=organisation, record=record)
        return self.answer(record, status.HTTP_201_CREATED)


class RecordDetailApi(RecordsMixin, TransactionalWrites, generics.RetrieveUpdateDestroyAPIView):
    """Read, change and, for the record types the policy lets people delete, delete."""

    conflict_methods = ("PUT", "PATCH", "DELETE")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is not None and not policy.is_deletable_type(cls.model):
            cls.http_method_names = [m for m in cls.http_method_names if m != "delete"]

    def update(self, request, *args, partial=False, **kwargs):
        record = self.get_object()
        organisation = self.acting_organisation()
        serializer = self.get_input_serializer(record, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)  # required by the versioned models' serializers
        for name, value in data.items():
            setattr(record, name, value)
        record_save(actor=request.user, organisation=organisation, record=record, version=version)
        return self.answer(record)

    def perform_destroy(self, record: models.Model) -> None:
        organisation = self.acting_organisation()
        record_delete(actor=self.request.user, organisation=organisation, record=record)


class RecordRestoreApi(RecordsMixin, TransactionalWrites, generics.GenericAPIView):
    """Undo the deletion of a record: the organisation that deleted it, within the undo window
    (403 for another party, 409 once too late or when it was not deleted). The body is empty."""

    conflict_methods = ("POST",)

    def records(self) -> models.QuerySet:
        # The deleted records too: only they can be restored.
        return self.model.all_objects.filter(partnership=self.get_partnership())

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        organisation = self.acting_organisation()
        record_restore(actor=request.user, organisation=organisation, record=record)
        return self.answer(record)


# --- Responsibilities, commitments, benefits: list, create, read, change, delete -------------
class ResponsibilityMixin(RecordsMixin):
    model = Responsibility
    serializer_class = ResponsibilitySerializer

    def records(self):
        return super().records().select_related("party__organisation")


class CommitmentMixin(RecordsMixin):
    model = Commitment
    serializer_class = CommitmentSerializer

    def records(self):
        return super().records().select_related("party__organisation")


class BenefitMixin(RecordsMixin):
    model = Benefit
    serializer_class = BenefitSerializer

    def records(self):
        return super().records().select_related("party__organisation", "author")


class ResponsibilityListApi(ResponsibilityMixin, RecordListApi):
    """Who does what: the responsibilities of the parties."""

    filterset_class = ResponsibilityFilter


class ResponsibilityDetailApi(ResponsibilityMixin, RecordDetailApi):
    """A responsibility of a party. Deleting it (204) can be undone for a while by your
    organisation: `POST …/restore/`."""


class CommitmentListApi(CommitmentMixin, RecordListApi):
    """What each party committed to, by when."""

    filterset_class = CommitmentFilter


@extend_schema_view(
    put=extend_schema(request=CommitmentUpdateSerializer),
    patch=extend_schema(request=CommitmentUpdateSerializer),
)
class CommitmentDetailApi(CommitmentMixin, RecordDetailApi):
    """A commitment; once done it carries its completion date. A change sends back the
    `version` it read: without it 400, if someone changed the commitment since then 409.
    Deleting it (204) can be undone for a while by your organisation: `POST …/restore/`."""

    input_serializer_class = CommitmentUpdateSerializer
    conflict_methods = ("PUT", "PATCH", "DELETE")  # agreed at a closed review


@extend_schema(request=None, responses={200: ResponsibilitySerializer})
class ResponsibilityRestoreApi(ResponsibilityMixin, RecordRestoreApi):
    """Undo the deletion of a responsibility (see the undo window in the deletion's answer)."""


@extend_schema(request=None, responses={200: CommitmentSerializer})
class CommitmentRestoreApi(CommitmentMixin, RecordRestoreApi):
    """Undo the deletion of a commitment; it comes back at its next version."""


class BenefitListApi(BenefitMixin, RecordListApi):
    """The pleasures the partnership demonstrated, with their evidence."""

    filterset_class = BenefitFilter


class BenefitDetailApi(BenefitMixin, RecordDetailApi):
    """A pleasure demonstrated. Deleting it (204) can be undone for a while by your
    organisation: `POST …/restore/`."""


@extend_schema(request=None, responses={200: BenefitSerializer})
class BenefitRestoreApi(BenefitMixin, RecordRestoreApi):
    """Undo the deletion of a pleasure demonstrated."""


# --- Concerns: no delete (a resolved concern stays in the history) -------------------------
class ConcernMixin(RecordsMixin):
    model = Concern
    serializer_class = ConcernSerializer

    def records(self):
        return (
            Concern.objects.visible_to(self.request.user)
            .filter(partnership=self.get_partnership())
            .with_latest_intensity()
            .select_related("raised_by__organisation", "author")
        )


@extend_schema_view(post=extend_schema(request=ConcernCreateSerializer))
class ConcernListApi(ConcernMixin, RecordListApi):
    """Fears to tame and resistances to overcome, with their latest intensity. A private one
    is seen only by the organisation that raised it. A new one is raised by the organisation
    that records it; given an `intensity`, its first check is recorded with it."""

    filterset_class = ConcernFilter
    input_serializer_class = ConcernCreateSerializer

    def create(self, request, *args, **kwargs):
        organisation = self.acting_organisation()
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        raised_by = data.pop("raised_by", None)
        intensity = data.pop("intensity", None)
        own = policy.party_of(organisation, self.get_partnership())
        if raised_by is not None and raised_by != own:
            raise serializers.ValidationError({"raised_by": [RAISED_BY_OWN]})
        concern = Concern(partnership=self.get_partnership(), raised_by=own, **data)
        concern_raise(
            actor=request.user, organisation=organisation, concern=concern, intensity=intensity
        )
        return self.answer(concern, status.HTTP_201_CREATED)


@extend_schema_view(
    put=extend_schema(request=ConcernUpdateSerializer),
    patch=extend_schema(request=ConcernUpdateSerializer),
)
class ConcernDetailApi(ConcernMixin, RecordDetailApi):
    """A fear or a resistance; who raised it does not change, and it is resolved rather than
    deleted. A change sends back the `version` it read: without it 400, if someone changed the
    concern since then 409."""

    input_serializer_class = ConcernUpdateSerializer
    conflict_methods = ("PUT", "PATCH")


# --- Levels and concern checks: append-only history --------------------------------------
class LevelMixin(RecordsMixin):
    model = LevelAssessment
    serializer_class = LevelSerializer

    def records(self):
        # The blind rule: other parties' ratings for a review stay hidden until it is held.
        return (
            LevelAssessment.objects.visible_to(self.request.user)
            .filter(partnership=self.get_partnership())
            .select_related("party__organisation", "author")
        )


@extend_schema_view(
    get=extend_schema(summary=_("The level log you may see")),
    post=extend_schema(
        summary=_("Record an agreed, perceived or target level"),
        description=_(
            "A perceived or target level, or the level agreed together during a held review, "
            "is recorded at once (201). Outside a review, an agreed level is proposed to the "
            "other parties taking part (202): it becomes the agreed level when every one of "
            "them confirms it (see level-proposals)."
        ),
        request=LevelCreateSerializer,
        responses={201: LevelSerializer, 202: LevelProposalSerializer},
    ),
)
class LevelListApi(LevelMixin, TransactionalWrites, generics.ListCreateAPIView):
    filterset_class = LevelFilter
    conflict_methods = ("POST",)  # an entry for a closed review

    def create(self, request, *args, **kwargs):
        organisation = self.acting_organisation_for_level(request)
        serializer = LevelCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        party = data.pop("party", None)
        if party and party != organisation.slug:
            raise serializers.ValidationError({"party": [OWN_PERCEPTION_ONLY]})
        if data["kind"] == AssessmentKind.AGREED and policy.agreed_by_proposal(data.get("review")):
            return self.propose(organisation, data)
        assessment = level_record(
            actor=request.user,
            organisation=organisation,
            partnership=self.get_partnership(),
            **data,
        )
        return self.answer(assessment, status.HTTP_201_CREATED)

    def propose(self, organisation, data: dict) -> Response:
        """Outside a held review the agreed level is proposed to the other parties: 202, it
        becomes the agreed level when every one of them confirms."""
        proposal = level_propose(
            actor=self.request.user,
            organisation=organisation,
            partnership=self.get_partnership(),
            level=data["level"],
            rationale=data.get("rationale", ""),
        )
        fresh = proposals_of(self.get_partnership()).get(pk=proposal.pk)
        return Response(LevelProposalSerializer(fresh).data, status.HTTP_202_ACCEPTED)

    def acting_organisation_for_level(self, request):
        """A perceived level is its party's own: the party named acts, unless the query
        names the acting organisation."""
        body = request.data if isinstance(request.data, dict) else {}
        party = body.get("party")
        if body.get("kind") != "perceived" or not isinstance(party, str) or not party:
            return self.acting_organisation()
        if request.query_params.get("organisation"):
            return self.acting_organisation()
        try:
            return self.acting_organisation(chosen=party)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"party": [OWN_PERCEPTION_ONLY]}) from error


@extend_schema_view(get=extend_schema(summary=_("One entry of the level log")))
class LevelDetailApi(LevelMixin, generics.RetrieveAPIView):
    pass


class CheckMixin(PartnershipScoped):
    def get_concern(self) -> Concern:
        concerns = Concern.objects.visible_to(self.request.user).filter(
            partnership=self.get_partnership()
        )
        return get_object_or_404(concerns.select_related("raised_by"), pk=self.kwargs["concern_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConcernCheck.objects.none()
        return self.get_concern().checks.select_related("author")


@extend_schema_view(
    get=extend_schema(summary=_("The intensity checks of a concern")),
    post=extend_schema(
        summary=_("Re-rate a concern's intensity"),
        request=ConcernCheckCreateSerializer,
        responses={201: ConcernCheckSerializer},
    ),
)
class CheckListApi(CheckMixin, TransactionalWrites, generics.ListCreateAPIView):
    serializer_class = ConcernCheckSerializer
    conflict_methods = ("POST",)  # a check for a closed review

    def create(self, request, *args, **kwargs):
        concern = self.get_concern()
        organisation = self.acting_organisation()
        serializer = ConcernCheckCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        check = concern_check_record(
            actor=request.user,
            organisation=organisation,
            concern=concern,
            **serializer.validated_data,
        )
        return Response(ConcernCheckSerializer(check).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary=_("One intensity check")))
class CheckDetailApi(CheckMixin, generics.RetrieveAPIView):
    serializer_class = ConcernCheckSerializer


# --- Reviews: planned, held, closed (then frozen); no delete ------------------------------
class ReviewMixin(RecordsMixin):
    model = Review
    serializer_class = ReviewSerializer

    def records(self):
        return super().records().select_related("created_by").prefetch_related("attendees")

    def get_serializer_context(self):
        own = Organisation.objects.of_user(self.request.user).values_list("slug", flat=True)
        return {**super().get_serializer_context(), "own_slugs": set(own)}


class ReviewListApi(ReviewMixin, TransactionalWrites, generics.ListCreateAPIView):
    """The review meetings of the partnership."""

    filterset_class = ReviewFilter

    def create(self, request, *args, **kwargs):
        organisation = self.acting_organisation()
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendees = data.pop("attendees", None)
        review = Review(partnership=self.get_partnership(), **data)
        review_save(
            actor=request.user, organisation=organisation, review=review, attendees=attendees
        )
        return self.answer(review, status.HTTP_201_CREATED)


@extend_schema_view(
    put=extend_schema(request=ReviewUpdateSerializer),
    patch=extend_schema(request=ReviewUpdateSerializer),
)
class ReviewDetailApi(ReviewMixin, TransactionalWrites, generics.RetrieveUpdateAPIView):
    """A review meeting; closing it freezes it (changes then answer 409). A change sends back
    the `version` it read: without it 400, if someone changed the review since then 409."""

    conflict_methods = ("PUT", "PATCH")
    input_serializer_class = ReviewUpdateSerializer

    def update(self, request, *args, partial=False, **kwargs):
        review = self.get_object()
        organisation = self.acting_organisation()
        serializer = self.get_input_serializer(review, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendees = data.pop("attendees", None)
        version = data.pop("version")
        for name, value in data.items():
            setattr(review, name, value)
        review_save(
            actor=request.user,
            organisation=organisation,
            review=review,
            attendees=attendees,
            version=version,
        )
        return self.answer(review)


class ReviewStepApi(ReviewMixin, TransactionalWrites, generics.GenericAPIView):
    """A step of the meeting; the body is empty."""

    step = None
    conflict_methods = ("POST",)

    @extend_schema(request=None, responses={200: ReviewSerializer})
    def post(self, request, *args, **kwargs):
        review = self.get_object()
        organisation = self.acting_organisation()
        type(self).step(actor=request.user, organisation=organisation, review=review)
        return self.answer(Review.objects.prefetch_related("attendees").get(pk=review.pk))


class ReviewHoldApi(ReviewStepApi):
    """Mark the review held: every party's blind rating is revealed to all."""

    step = review_hold


class ReviewCloseApi(ReviewStepApi):
    """Close the review: its record is frozen (409 unless it was held first)."""

    step = review_close


class ReviewCancelApi(ReviewMixin, TransactionalWrites, generics.GenericAPIView):
    """Cancel a planned review with a reason (409 once it was held, closed or cancelled): it
    becomes read-only and its calendar event is cancelled."""

    conflict_methods = ("POST",)

    @extend_schema(request=ReviewCancelSerializer, responses={200: ReviewSerializer})
    def post(self, request, *args, **kwargs):
        review = self.get_object()
        organisation = self.acting_organisation()
        body = ReviewCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review_cancel(
            actor=request.user,
            organisation=organisation,
            review=review,
            reason=body.validated_data["reason"],
        )
        return self.answer(Review.objects.prefetch_related("attendees").get(pk=review.pk))
