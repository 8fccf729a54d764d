from django.urls import path

from . import signup_views, views

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add_view, name="member-add"),
    path("members/<int:pk>/role/", views.member_role_view, name="member-role"),
    path("members/<int:pk>/remove/", views.member_remove_view, name="member-remove"),
    path(
        "members/invitations/<int:pk>/cancel/",
        views.member_invitation_cancel_view,
        name="member-invitation-cancel",
    ),
    path(
        "members/requests/<int:pk>/approve/",
        signup_views.join_request_approve,
        name="join-request-approve",
    ),
    path(
        "members/requests/<int:pk>/refuse/",
        signup_views.join_request_refuse,
        name="join-request-refuse",
    ),
]
