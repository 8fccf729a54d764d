from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.ObtainTokenApi.as_view(), name="auth-token"),
    path("organisations/", views.OrganisationListApi.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:org_slug>/",
        views.OrganisationDetailApi.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<slug:org_slug>/members/",
        views.MemberListApi.as_view(),
        name="member-list",
    ),
    path(
        "organisations/<slug:org_slug>/members/<int:pk>/",
        views.MemberDetailApi.as_view(),
        name="member-detail",
    ),
    path(
        "member-invitations/",
        views.MyMemberInvitationListApi.as_view(),
        name="member-invitation-list",
    ),
    path(
        "member-invitations/<int:pk>/accept/",
        views.MyMemberInvitationAcceptApi.as_view(),
        name="member-invitation-accept",
    ),
    path(
        "member-invitations/<int:pk>/decline/",
        views.MyMemberInvitationDeclineApi.as_view(),
        name="member-invitation-decline",
    ),
]
