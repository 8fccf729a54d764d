"""The signed-in person's notifications (mounted under /accounts/notifications/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/", views.notification_open_view, name="notification-open"),
    path("read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("preferences/", views.notification_preferences, name="notification-preferences"),
    path(
        "unsubscribe/<str:unsubscribe_token>/",
        views.notification_unsubscribe,
        name="notification-unsubscribe",
    ),
]
