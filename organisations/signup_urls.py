"""Creating an organisation and asking to join one (mounted under /accounts/organisations/)."""

from django.urls import path

from . import signup_views

urlpatterns = [
    path("new/", signup_views.organisation_new, name="organisation-new"),
    path("<slug:org_slug>/join/", signup_views.join_request_new, name="organisation-join-request"),
]
