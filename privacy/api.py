"""The caller's own account over the API: their data (GET /me/export/) and erasure (DELETE /me/)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import TransactionalWrites

from .erasure import person_erase
from .export import personal_data


class ErasureRequestSerializer(serializers.Serializer):
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_lazy("Your current password: erasing the account asks for it again."),
    )


class MeApi(TransactionalWrites, APIView):
    """Delete your account: your identity is replaced by a pseudonym everywhere, for good.

    What you recorded in shared partnerships stays in their history under the pseudonym; your
    sign-in, e-mail addresses, memberships and notifications are deleted. While you are the
    only administrator of an organisation the answer is 409: name another one first.
    """

    conflict_methods = ("DELETE",)

    @extend_schema(
        operation_id="me_destroy",
        summary=_lazy("Delete your account (erasure)"),
        request=ErasureRequestSerializer,
        responses={204: OpenApiResponse(description=_lazy("Erased: the token no longer works."))},
        tags=["me"],
    )
    def delete(self, request, *args, **kwargs):
        serializer = ErasureRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not request.user.check_password(serializer.validated_data["password"]):
            raise exceptions.PermissionDenied(_("The password is not right."))
        person_erase(actor=request.user, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyDataApi(APIView):
    """Everything the platform holds about you: account, memberships, what you wrote or were
    named in (attendee, author, approver), your notifications and the changes you made."""

    @extend_schema(
        operation_id="me_export_retrieve",
        summary=_lazy("Download your own data"),
        responses={200: OpenApiTypes.OBJECT},
        tags=["me"],
    )
    def get(self, request, *args, **kwargs):
        return Response(personal_data(request.user))


urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("me/export/", MyDataApi.as_view(), name="me-export"),
]
