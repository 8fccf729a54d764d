"""The signed-in person's own invitations to join organisations (mounted under /accounts/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.member_invitations, name="member-invitations"),
    path("<int:pk>/accept/", views.member_invitation_accept, name="member-invitation-accept"),
    path("<int:pk>/decline/", views.member_invitation_decline, name="member-invitation-decline"),
]
