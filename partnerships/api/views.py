"""Partnerships, their parties, invitations and the summary report.

Thin views: fetch for this user (``scoping``), pick the acting organisation, validate, call a
service, answer with a read serializer. The nested records are in ``records.py``.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import TransactionalWrites
from core.api.lists import StableOrderingFilter
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import ConcernStatus
from partnerships.models import Commitment, Concern, PartnerInvitation, Partnership, Party
from partnerships.reads.attention import overdue_reviews
from partnerships.reads.todo import todo_items
from partnerships.services.partner_invitations import (
    partner_invitation_withdraw,
    partner_invite_by_email,
)
from partnerships.services.partnerships import (
    invitation_respond,
    partnership_create,
    partnership_delete,
    partnership_update,
    party_invite,
    party_leave,
    party_name_lead,
)

from .filters import PartnershipFilter
from .scoping import (
    acting_organisation,
    creating_organisation,
    invitation_for_user,
    partnership_for_user,
    partnerships_for_user,
    pending_invitations_for,
    perceived_levels_for,
    slug_or_none,
)
from .serializers import (
    InvitationSerializer,
    LeadNameSerializer,
    PartnerInvitationCreateSerializer,
    PartnerInvitationSerializer,
    PartnershipCreateSerializer,
    PartnershipDetailSerializer,
    PartnershipSerializer,
    PartnershipUpdateSerializer,
    PartyInviteSerializer,
    PartyLeaveSerializer,
    PartySerializer,
    SummarySerializer,
    TodoItemSerializer,
)

ACTING = OpenApiParameter(
    "organisation",
    OpenApiTypes.STR,
    description=_(
        "Slug of your organisation to act for, when several of yours are parties "
        "(default: the first by name where you are an editor or administrator)."
    ),
)


class PartnershipScoped:
    """Views below /partnerships/<partnership_id>/: the partnership is fetched for this user
    first, so outsiders get 404 on every nested route."""

    acting_parameter = ACTING  # documented on the writes by core.api.schema.ApiSchema

    def get_partnership(self) -> Partnership:
        if not hasattr(self, "_partnership"):
            self._partnership = partnership_for_user(
                self.request.user, self.kwargs["partnership_id"]
            )
        return self._partnership

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["partnership"] = self.get_partnership()
        return context

    def acting_organisation(self, **kwargs) -> Organisation:
        return acting_organisation(self.request, self.get_partnership(), **kwargs)


def _detail(user, partnership_id: int) -> dict:
    partnership = partnership_for_user(user, partnership_id, detailed=True)
    partnership.perceived_levels = perceived_levels_for(user, partnership)
    return PartnershipDetailSerializer(partnership).data


@extend_schema_view(
    get=extend_schema(summary=_("Partnerships your organisations are parties of")),
    post=extend_schema(
        summary=_("Create a partnership and invite partners"),
        request=PartnershipCreateSerializer,
        responses={201: PartnershipDetailSerializer},
    ),
)
class PartnershipListApi(TransactionalWrites, generics.ListCreateAPIView):
    """Partnerships one of your organisations is an accepted party of, with their current
    levels, gaps and signals. Creating one makes your organisation its first party."""

    serializer_class = PartnershipSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = PartnershipFilter
    ordering_fields = [
        "title",
        "status",
        "next_review_on",
        "created_at",
        "updated_at",
        "agreed_level",
        "perception_gap",
        "agreement_gap",
    ]

    def get_queryset(self):
        return partnerships_for_user(self.request.user)

    def create(self, request, *args, **kwargs):
        body = request.data if isinstance(request.data, dict) else {}
        organisation = creating_organisation(request.user, body.get("organisation"))
        # readers get 403 (an inactive organisation 404) before the body is read
        policy.require_organisation_writer(policy.Actor.of(request.user, organisation))
        serializer = PartnershipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("organisation", None)
        partners = [(p["organisation"], p["role"]) for p in data.pop("partners", [])]
        if any(partner == organisation for partner, _role in partners):
            raise serializers.ValidationError(
                {"partners": [_("Your own organisation is already a party.")]}
            )
        partnership = partnership_create(
            actor=request.user, organisation=organisation, partners=partners, **data
        )
        return Response(_detail(request.user, partnership.pk), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary=_("A partnership, with the levels you may see")),
    put=extend_schema(
        summary=_("Change a partnership (send the version you read)"),
        request=PartnershipUpdateSerializer,
    ),
    patch=extend_schema(
        summary=_("Change part of a partnership (send the version you read)"),
        request=PartnershipUpdateSerializer,
    ),
    delete=extend_schema(
        summary=_("Delete a partnership (administrators of the lead party)"),
    ),
)
class PartnershipDetailApi(TransactionalWrites, generics.RetrieveUpdateDestroyAPIView):
    """A partnership. A change sends back the `version` it read: without it 400, if someone
    changed the partnership since then 409 and nothing is changed."""

    serializer_class = PartnershipDetailSerializer
    # DELETE: 409 once an agreement of the partnership was approved (it is part of the record).
    conflict_methods = ("PUT", "PATCH", "DELETE")
    acting_parameter = ACTING
    lookup_url_kwarg = "partnership_id"

    def get_queryset(self):
        return Partnership.objects.visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return Response(_detail(request.user, kwargs["partnership_id"]))

    def update(self, request, *args, partial=False, **kwargs):
        partnership = self.get_object()
        organisation = acting_organisation(request, partnership)
        serializer = PartnershipUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        partnership_update(
            actor=request.user,
            organisation=organisation,
            partnership=partnership,
            version=fields.pop("version"),
            **fields,
        )
        return Response(_detail(request.user, partnership.pk))

    def destroy(self, request, *args, **kwargs):
        partnership = self.get_object()
        organisation = acting_organisation(
            request, partnership, require=policy.require_may_delete_partnership, prefer_lead=True
        )
        partnership_delete(actor=request.user, organisation=organisation, partnership=partnership)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary=_("The parties of a partnership, invited ones included")),
    post=extend_schema(
        summary=_("Invite an organisation (editors and administrators of a party)"),
        description=_(
            "Either an organisation on the platform, by its slug (`organisation`): it becomes "
            "an invited party; or one not on the platform yet, by its name and a contact's "
            "address (`organisation_name`, `email`): the contact receives a link to register "
            "it and answer, and the answer is a partner invitation."
        ),
        request=PolymorphicProxySerializer(
            component_name="PartyOrPartnerInvite",
            serializers=[PartyInviteSerializer, PartnerInvitationCreateSerializer],
            resource_type_field_name=None,
        ),
        responses={
            201: PolymorphicProxySerializer(
                component_name="PartyOrPartnerInvitation",
                serializers=[PartySerializer, PartnerInvitationSerializer],
                resource_type_field_name=None,
            )
        },
    ),
)
class PartyListApi(PartnershipScoped, TransactionalWrites, generics.ListCreateAPIView):
    """The organisations of a partnership; an invited one counts once its administrators
    accept."""

    serializer_class = PartySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Party.objects.none()
        return (
            Party.objects.filter(partnership=self.get_partnership())
            .select_related("organisation")
            .order_by("organisation__name", "pk")
        )

    def create(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        acting = self.acting_organisation()
        if isinstance(request.data, dict) and "email" in request.data:
            by_email = PartnerInvitationCreateSerializer(data=request.data)
            by_email.is_valid(raise_exception=True)
            invitation = partner_invite_by_email(
                actor=request.user,
                acting=acting,
                partnership=partnership,
                **by_email.validated_data,
            )
            return Response(
                PartnerInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED
            )
        serializer = PartyInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        party = party_invite(
            actor=request.user, acting=acting, partnership=partnership, **serializer.validated_data
        )
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)


class PartyLeaveApi(PartnershipScoped, TransactionalWrites, generics.GenericAPIView):
    """An administrator makes their organisation leave the partnership, with an optional
    reason: what it recorded stays, and it reads the record, read-only. The last party cannot
    leave (409): it ends or deletes the partnership instead."""

    serializer_class = PartySerializer
    conflict_methods = ("POST",)

    @extend_schema(
        summary=_("Leave the partnership (administrators of a party)"),
        request=PartyLeaveSerializer,
        responses={200: PartySerializer},
    )
    def post(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        organisation = self.acting_organisation(require=policy.require_may_leave)
        body = PartyLeaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        party = party_leave(
            actor=request.user,
            organisation=organisation,
            partnership=partnership,
            reason=body.validated_data["reason"],
        )
        return Response(PartySerializer(party).data)


class LeadNameApi(PartnershipScoped, TransactionalWrites, generics.GenericAPIView):
    """After the lead left, an administrator of a party taking part names the new lead among
    the parties taking part (409 while the partnership has a lead)."""

    serializer_class = PartySerializer
    conflict_methods = ("POST",)

    @extend_schema(
        summary=_("Name the new lead after the lead left (administrators of a party)"),
        request=LeadNameSerializer,
        responses={200: PartySerializer},
    )
    def post(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        organisation = self.acting_organisation(require=policy.require_lead_namer)
        body = LeadNameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lead = Organisation.objects.filter(slug=body.validated_data["organisation"]).first()
        if lead is None:
            raise serializers.ValidationError(
                {"organisation": _("This organisation does not take part in the partnership.")}
            )
        party = party_name_lead(
            actor=request.user, organisation=organisation, partnership=partnership, lead=lead
        )
        return Response(PartySerializer(party).data)


class TodoApi(APIView):
    """What you should do now for one of your organisations, each item with the page where it
    is done."""

    error_codes = (400, 404)  # ?organisation= missing or malformed, or naming none of yours

    @extend_schema(
        summary=_("Your to-do for one of your organisations"),
        parameters=[
            OpenApiParameter(
                "organisation",
                OpenApiTypes.STR,
                required=True,
                description=_("Slug of one of your organisations."),
            )
        ],
        responses={200: TodoItemSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        slug = slug_or_none(request.query_params.get("organisation"), "organisation")
        if slug is None:
            raise serializers.ValidationError(
                {"organisation": _("Name one of your organisations by its slug.")}
            )
        organisation = get_object_or_404(
            Organisation.objects.active().of_user(request.user), slug=slug
        )
        items = todo_items(policy.Actor.of(request.user, organisation))
        return Response(TodoItemSerializer(items, many=True).data)


@extend_schema_view(
    get=extend_schema(
        summary=_("Invitations sent by e-mail to organisations not on the platform yet")
    )
)
class PartnerInvitationListApi(PartnershipScoped, generics.ListAPIView):
    """Their state (``expired`` past their date), for every party of the partnership."""

    serializer_class = PartnerInvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnerInvitation.objects.none()
        return PartnerInvitation.objects.filter(partnership=self.get_partnership()).order_by(
            "-created_at", "-pk"
        )


@extend_schema_view(
    delete=extend_schema(
        summary=_("Withdraw an invitation sent by e-mail (editors and administrators)"),
        responses={204: None},
    )
)
class PartnerInvitationDetailApi(TransactionalWrites, generics.GenericAPIView):
    """An invitation by e-mail of a partnership the caller's organisations read; withdrawing
    it is refused (409) once answered or withdrawn."""

    serializer_class = PartnerInvitationSerializer
    conflict_methods = ("DELETE",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnerInvitation.objects.none()
        return PartnerInvitation.objects.filter(
            partnership__in=Partnership.objects.visible_to(self.request.user)
        ).select_related("partnership")

    def delete(self, request, *args, **kwargs):
        invitation = self.get_object()
        acting = acting_organisation(request, invitation.partnership)
        partner_invitation_withdraw(actor=request.user, acting=acting, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationRespondApi(TransactionalWrites, generics.GenericAPIView):
    """An administrator of the invited organisation answers the invitation."""

    serializer_class = PartySerializer
    accept = True
    conflict_methods = ("POST",)  # an invitation already answered

    @extend_schema(request=None, responses=PartySerializer)
    def post(self, request, *args, **kwargs):
        party = invitation_for_user(request.user, kwargs["partnership_id"], kwargs["org_slug"])
        party = invitation_respond(actor=request.user, party=party, accept=self.accept)
        return Response(PartySerializer(party).data)


@extend_schema_view(post=extend_schema(summary=_("Accept an invitation (invited administrators)")))
class InvitationAcceptApi(InvitationRespondApi):
    accept = True


@extend_schema_view(post=extend_schema(summary=_("Decline an invitation (invited administrators)")))
class InvitationDeclineApi(InvitationRespondApi):
    accept = False


@extend_schema_view(
    get=extend_schema(summary=_("Invitations waiting for the organisations you administer"))
)
class InvitationListApi(generics.ListAPIView):
    """What each invited organisation needs to decide: the partnership's title and purpose,
    who invites it and in which role."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Party.objects.none()
        return pending_invitations_for(self.request.user)


class SummaryApi(APIView):
    """Counts across the partnerships of your organisations (or of the one named)."""

    error_codes = (400, 404)  # ?organisation= malformed, or naming none of yours

    @extend_schema(
        summary=_("Summary of your organisations' partnerships"),
        parameters=[
            OpenApiParameter(
                "organisation",
                OpenApiTypes.STR,
                description=_("Slug of one of your organisations, to count only its own."),
            )
        ],
        responses={200: SummarySerializer},
    )
    def get(self, request, *args, **kwargs):
        partnerships = Partnership.objects.visible_to(request.user)
        concerns = Concern.objects.visible_to(request.user)
        slug = slug_or_none(request.query_params.get("organisation"), "organisation")
        if slug:
            organisations = Organisation.objects.active().of_user(request.user)
            organisation = get_object_or_404(organisations, slug=slug)
            partnerships = Partnership.objects.for_organisation(organisation)
            concerns = Concern.objects.visible_to_organisation(organisation)
        return Response(SummarySerializer(_summary(partnerships, concerns)).data)


def _summary(partnerships, concerns) -> dict:
    today = timezone.localdate()

    def counts(queryset, key: str) -> list[dict]:
        rows = queryset.order_by().values(key).annotate(count=Count("pk")).order_by(key)
        return [{key: row[key], "count": row["count"]} for row in rows]

    concern_rows = (
        concerns.with_latest_intensity()
        .order_by()
        .values("kind", "category")
        .annotate(
            count=Count("pk"),
            open=Count("pk", filter=~Q(status=ConcernStatus.RESOLVED)),
            mean_latest_intensity=Avg("latest_intensity"),
        )
        .order_by("kind", "category")
    )
    return {
        "partnerships": partnerships.count(),
        "by_agreed_level": [
            {"level": row["agreed_level"], "count": row["count"]}
            for row in counts(partnerships.with_levels(), "agreed_level")
        ],
        "by_status": counts(partnerships, "status"),
        "by_scope": counts(partnerships, "scope"),
        "concerns": [
            {**row, "mean_latest_intensity": _rounded(row["mean_latest_intensity"])}
            for row in concern_rows
        ],
        "overdue_commitments": Commitment.objects.filter(partnership__in=partnerships)
        .overdue(today)
        .count(),
        # The dashboard's definition: running partnerships whose next review is past.
        "overdue_reviews": overdue_reviews(partnerships, None, today).count(),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)
