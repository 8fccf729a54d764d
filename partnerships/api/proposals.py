"""The level agreed together, proposed outside a review, and the other parties' answers.

``POST …/levels/`` with ``kind=agreed`` and no review proposes the level (202); the other
parties taking part confirm or refuse it here. The partnership is fetched for the user first
(404 for outsiders); editors and administrators of another party taking part answer, once (409
after that, or once the proposal is decided).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api.errors import TransactionalWrites
from partnerships import policy
from partnerships.choices import ProposalAnswer, ProposalState
from partnerships.models import LevelProposal, LevelProposalAnswer
from partnerships.services import proposals as services

from .views import PartnershipScoped


# --- Serializers -------------------------------------------------------------------------------
class ConfirmationSerializer(serializers.ModelSerializer):
    """One other party's answer: pending until it confirms or refuses, then who and when."""

    organisation = serializers.CharField(source="party.organisation.slug", read_only=True)
    organisation_name = serializers.CharField(source="party.organisation.name", read_only=True)
    state = serializers.ChoiceField(choices=ProposalAnswer.choices, read_only=True)
    by = serializers.CharField(
        source="answered_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = LevelProposalAnswer
        fields = ["organisation", "organisation_name", "state", "answered_at", "by", "reason"]
        read_only_fields = fields


class LevelProposalSerializer(serializers.ModelSerializer):
    """A proposed agreed level: who proposed it, its state, and each other party's answer."""

    proposal = serializers.IntegerField(source="pk", read_only=True)
    state = serializers.ChoiceField(choices=ProposalState.choices, read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.organisation.slug", read_only=True)
    proposed_by_name = serializers.CharField(source="proposed_by.organisation.name", read_only=True)
    author = serializers.CharField(
        source="author.username", read_only=True, allow_null=True, default=None
    )
    agreed_entry = serializers.PrimaryKeyRelatedField(
        source="assessment",
        read_only=True,
        allow_null=True,
        help_text=_("Once agreed: the entry of the level log it became."),
    )
    confirmations = ConfirmationSerializer(source="answers", many=True, read_only=True)

    class Meta:
        model = LevelProposal
        fields = [
            "proposal",
            "state",
            "level",
            "rationale",
            "proposed_by",
            "proposed_by_name",
            "author",
            "created_at",
            "decided_at",
            "agreed_entry",
            "confirmations",
        ]
        read_only_fields = fields


class ProposalRefusalSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text=_("Why your organisation refuses this level (optional)."),
    )


def proposals_of(partnership):
    """The partnership's proposals, latest first, with their answers: three queries."""
    answers = LevelProposalAnswer.objects.select_related(
        "party__organisation", "answered_by"
    ).order_by("party__organisation__name", "pk")
    return (
        LevelProposal.objects.filter(partnership=partnership)
        .select_related("proposed_by__organisation", "author")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("-created_at", "-pk")
    )


# --- Views -------------------------------------------------------------------------------------
class ProposalsMixin(PartnershipScoped):
    serializer_class = LevelProposalSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LevelProposal.objects.none()
        return proposals_of(self.get_partnership())

    def answer(self, proposal: LevelProposal) -> Response:
        fresh = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(fresh).data, status.HTTP_200_OK)


@extend_schema_view(
    get=extend_schema(summary=_("The proposals of an agreed level, latest first")),
)
class LevelProposalListApi(ProposalsMixin, generics.ListAPIView):
    """Every agreed level proposed outside a review: pending, agreed, refused or replaced."""


@extend_schema_view(get=extend_schema(summary=_("One proposal of an agreed level")))
class LevelProposalDetailApi(ProposalsMixin, generics.RetrieveAPIView):
    pass


class ProposalStepApi(ProposalsMixin, TransactionalWrites, generics.GenericAPIView):
    conflict_methods = ("POST",)

    def answering_organisation(self, proposal: LevelProposal):
        """The caller's organisation that may answer: another party taking part, not yet
        answered (``?organisation=`` names it)."""
        proposal.partnership = self.get_partnership()
        return self.acting_organisation(
            require=lambda actor, _partnership: policy.require_level_answerer(actor, proposal)
        )


class LevelProposalConfirmApi(ProposalStepApi):
    """Confirm the proposed level for your organisation. Once every other party taking part
    confirmed, it becomes the agreed level."""

    @extend_schema(
        summary=_("Confirm a proposed agreed level for your organisation"),
        request=None,
        responses=LevelProposalSerializer,
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_object()
        organisation = self.answering_organisation(proposal)
        services.level_proposal_confirm(
            actor=request.user, organisation=organisation, proposal=proposal
        )
        return self.answer(proposal)


class LevelProposalRefuseApi(ProposalStepApi):
    """Refuse the proposed level for your organisation: the proposal ends and the agreed
    level stays what it was."""

    @extend_schema(
        summary=_("Refuse a proposed agreed level for your organisation"),
        request=ProposalRefusalSerializer,
        responses=LevelProposalSerializer,
    )
    def post(self, request, *args, **kwargs):
        proposal = self.get_object()
        organisation = self.answering_organisation(proposal)
        serializer = ProposalRefusalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.level_proposal_refuse(
            actor=request.user,
            organisation=organisation,
            proposal=proposal,
            reason=serializer.validated_data.get("reason", ""),
        )
        return self.answer(proposal)
