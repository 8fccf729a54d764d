"""The caller's notifications over the API: the list, newest first, and marking one read.

Nobody reads or marks another person's notifications: they are not found (404).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api.errors import TransactionalWrites

from .kinds import KINDS
from .models import Notification
from .services import notification_open

KIND_VALUES = list(KINDS)


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=KIND_VALUES, read_only=True)
    text = serializers.CharField(
        read_only=True, help_text=_("What happened, in your language (Accept-Language).")
    )
    url = serializers.CharField(
        read_only=True, help_text=_("The page it is about, as a path of the site.")
    )
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "read", "created_at"]
        read_only_fields = fields


class MyNotifications:
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.for_user(self.request.user).order_by("-created_at", "-pk")


@extend_schema_view(get=extend_schema(summary=_("Your notifications, newest first")))
class NotificationListApi(MyNotifications, generics.ListAPIView):
    serializer_class = NotificationSerializer


@extend_schema_view(
    post=extend_schema(
        summary=_("Mark one of your notifications read"),
        request=None,
        responses=NotificationSerializer,
    )
)
class NotificationReadApi(TransactionalWrites, MyNotifications, generics.GenericAPIView):
    serializer_class = NotificationSerializer

    def post(self, request, *args, **kwargs):
        notification = self.get_object()
        notification_open(user=request.user, notification=notification)
        return Response(self.get_serializer(notification).data)


urlpatterns = [
    path("notifications/", NotificationListApi.as_view(), name="notification-list"),
    path("notifications/<int:pk>/read/", NotificationReadApi.as_view(), name="notification-read"),
]
