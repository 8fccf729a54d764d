from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_notice, name="privacy-notice"),
    path("accounts/my-data/", views.my_data, name="my-data"),
    path(
        "accounts/my-data/exports/<int:export_id>/",
        views.my_data_export,
        name="my-data-export",
    ),
    path("accounts/delete/", views.account_delete, name="account-delete"),
]
