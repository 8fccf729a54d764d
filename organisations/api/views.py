"""Organisations and their members. Thin: look up for this user, validate, call a service.

Non-members get 404 on an organisation's routes; members who are not admins get 403 on writes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from core.api.errors import TransactionalWrites
from organisations.models import MemberInvitation, Membership, Organisation, User
from organisations.permissions import require_admin, require_member_manager
from organisations.services import (
    invitation_accept,
    invitation_decline,
    member_invite,
    membership_remove,
    membership_update,
    organisation_create,
    organisation_update,
)

from ..lockout import client_address
from .filters import OrganisationFilter
from .serializers import (
    MemberInvitationSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MyMemberInvitationSerializer,
    OrganisationCreateSerializer,
    OrganisationDirectorySerializer,
    OrganisationListEntrySerializer,
    OrganisationSerializer,
    OrganisationUpdateSerializer,
    TokenRequestSerializer,
)


def organisation_for_member(user: User, slug: str) -> Organisation:
    """The organisation, with the user's role, if the user is a member of it and it is
    active; 404 otherwise."""
    organisations = (
        Organisation.objects.active().of_user(user).with_role_of(user).select_related("parent")
    )
    return get_object_or_404(organisations, slug=slug)


class ClientAddressThrottle(ScopedRateThrottle):
    """Counts per client address as the sign-in lockout reads it (``PROXY_COUNT``).

    DRF's own reading keys on the whole X-Forwarded-For header when NUM_PROXIES is unset: a
    client sending a new made-up value each time would get a fresh counter each time.
    """

    def get_ident(self, request):
        return client_address(request._request)


class ObtainTokenApi(ObtainAuthToken):
    # Not TransactionalWrites: its rollback of every error answer would also undo the failed
    # attempts django-axes records, and the lockout would never come. The only write here is
    # the token's get_or_create.
    # Credentials are the whole authentication here: no session, so no CSRF check either.
    authentication_classes = ()
    # Password guessing: a few tries a minute per address (DEFAULT_THROTTLE_RATES), and
    # django-axes locks the username out from that address after repeated failures.
    throttle_classes = (ClientAddressThrottle,)
    throttle_scope = "auth-token"
    # JSON only, as every other operation: a form or multipart body answers 415.
    parser_classes = (JSONParser,)
    error_codes = (415, 429)
    serializer_class = TokenRequestSerializer

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Get your API token"),
        description=_(
            "Send your username (or e-mail address) and password, and `otp`, the code from your "
            "authenticator app, if two-factor authentication is on for your account; use the "
            "token as `Authorization: Token <key>`."
        ),
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def get_serializer_context(self):
        # django-axes marks a lockout on the request it is given; its middleware reads the mark
        # on Django's request, which DRF's wrapper does not pass attribute writes through to.
        return {**super().get_serializer_context(), "request": self.request._request}


DIRECTORY = OpenApiParameter(
    "directory",
    OpenApiTypes.BOOL,
    description=_("Every active organisation (name, slug and kind), to find partners."),
)


@extend_schema_view(
    get=extend_schema(
        summary=_("Your organisations, or the directory"),
        parameters=[DIRECTORY],
        responses=OrganisationListEntrySerializer(many=True),
    ),
    post=extend_schema(
        summary=_("Create an organisation (platform staff); you become its administrator"),
        request=OrganisationCreateSerializer,
        responses={201: OrganisationSerializer},
    ),
)
class OrganisationListApi(TransactionalWrites, generics.ListCreateAPIView):
    filterset_class = OrganisationFilter

    def in_directory(self) -> bool:
        value = self.request.query_params.get("directory", "")
        if value == "":
            return False
        try:
            return serializers.BooleanField().to_internal_value(value)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"directory": error.detail}) from error

    def get_queryset(self):
        if self.in_directory():
            return Organisation.objects.active().order_by("name", "pk")
        user = self.request.user
        # A deactivated organisation is refused everywhere, like an outsider's.
        return (
            Organisation.objects.active().of_user(user).with_role_of(user).select_related("parent")
        )

    def get_serializer_class(self):
        if self.request.method == "POST":
            return OrganisationCreateSerializer
        if self.in_directory():
            return OrganisationDirectorySerializer
        return OrganisationSerializer

    def create(self, request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied(
                _("Only the platform staff can create organisations for the time being.")
            )
        serializer = OrganisationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = organisation_create(actor=request.user, **serializer.validated_data)
        created = organisation_for_member(request.user, organisation.slug)
        return Response(OrganisationSerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary=_("An organisation you belong to")),
    put=extend_schema(
        summary=_("Change an organisation (administrators)"),
        request=OrganisationUpdateSerializer,
    ),
    patch=extend_schema(
        summary=_("Change part of an organisation (administrators)"),
        request=OrganisationUpdateSerializer,
    ),
)
class OrganisationDetailApi(TransactionalWrites, generics.RetrieveUpdateAPIView):
    serializer_class = OrganisationSerializer

    def get_object(self) -> Organisation:
        return organisation_for_member(self.request.user, self.kwargs["org_slug"])

    def update(self, request, *args, partial=False, **kwargs):
        organisation = self.get_object()
        require_admin(request.user, organisation)
        serializer = OrganisationUpdateSerializer(organisation, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        organisation_update(
            actor=request.user, organisation=organisation, **serializer.validated_data
        )
        return Response(OrganisationSerializer(self.get_object()).data)


class MembersMixin:
    """Views below /organisations/<org_slug>/members/: members read, administrators write."""

    def organisation(self) -> Organisation:
        return organisation_for_member(self.request.user, self.kwargs["org_slug"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return (
            Membership.objects.filter(organisation=self.organisation())
            .select_related("user", "organisation")
            .order_by("user__username", "pk")
        )


@extend_schema_view(
    get=extend_schema(summary=_("The members of an organisation")),
    post=extend_schema(
        summary=_("Invite a member (administrators); they join once they accept"),
        request=MembershipCreateSerializer,
        responses={201: MemberInvitationSerializer},
    ),
)
class MemberListApi(MembersMixin, TransactionalWrites, generics.ListCreateAPIView):
    serializer_class = MembershipSerializer

    def create(self, request, *args, **kwargs):
        organisation = self.organisation()
        require_member_manager(request.user, organisation)
        serializer = MembershipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = member_invite(
            actor=request.user,
            organisation=organisation,
            user=serializer.validated_data["username"],
            role=serializer.validated_data["role"],
        )
        return Response(MemberInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary=_("A member")),
    put=extend_schema(
        summary=_("Change a member's role (administrators)"),
        request=MembershipUpdateSerializer,
    ),
    patch=extend_schema(
        summary=_("Change a member's role (administrators)"),
        request=MembershipUpdateSerializer,
    ),
    delete=extend_schema(summary=_("Remove a member (administrators)")),
)
class MemberDetailApi(MembersMixin, TransactionalWrites, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = MembershipSerializer

    def update(self, request, *args, partial=False, **kwargs):
        membership = self.get_object()
        require_member_manager(request.user, membership.organisation)
        serializer = MembershipUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        role = serializer.validated_data.get("role", membership.role)
        membership_update(actor=request.user, membership=membership, role=role)
        return Response(MembershipSerializer(membership).data)

    def perform_destroy(self, membership: Membership) -> None:
        membership_remove(actor=self.request.user, membership=membership)


@extend_schema_view(
    get=extend_schema(summary=_("Invitations to join an organisation waiting for your answer"))
)
class MyMemberInvitationListApi(generics.ListAPIView):
    """Yours only: nobody becomes a member of an organisation without accepting."""

    serializer_class = MyMemberInvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberInvitation.objects.none()
        return (
            MemberInvitation.objects.for_invitee(self.request.user)
            .select_related("organisation", "invited_by")
            .order_by("created_at", "pk")
        )


class MyMemberInvitationAnswerApi(TransactionalWrites, generics.GenericAPIView):
    """The person invited answers; anybody else's invitation is not found (404)."""

    serializer_class = MyMemberInvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MemberInvitation.objects.none()
        return (
            MemberInvitation.objects.pending()
            .filter(invitee=self.request.user)
            .select_related("organisation", "invited_by")
        )


@extend_schema_view(
    post=extend_schema(
        summary=_("Accept an invitation to join an organisation; you become a member"),
        request=None,
        responses=MembershipSerializer,
    )
)
class MyMemberInvitationAcceptApi(MyMemberInvitationAnswerApi):
    def post(self, request, *args, **kwargs):
        membership = invitation_accept(invitation=self.get_object(), user=request.user)
        return Response(MembershipSerializer(membership).data)


@extend_schema_view(
    post=extend_schema(
        summary=_("Decline an invitation to join an organisation"),
        description=_(
            "You do not become a member; the invitation leaves your list and the "
            "organisation's. Its administrators may invite you again later."
        ),
        request=None,
        responses=MyMemberInvitationSerializer,
    )
)
class MyMemberInvitationDeclineApi(MyMemberInvitationAnswerApi):
    def post(self, request, *args, **kwargs):
        invitation = invitation_decline(invitation=self.get_object(), user=request.user)
        return Response(MyMemberInvitationSerializer(invitation).data)
