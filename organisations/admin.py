from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from privacy.admin import erase_people

from .models import (
    JoinRequest,
    MemberInvitation,
    Membership,
    Organisation,
    OrganisationSignup,
    User,
)
from .signup import signup_answer


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class UserMembershipInline(MembershipInline):
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "created_at"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "language", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language", "weekly_digest"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ["language", "weekly_digest"]}),
    )
    inlines = [UserMembershipInline]
    actions = [erase_people]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "parent", "size_band", "active", "member_count"]
    list_filter = ["kind", "size_band", "active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj: Organisation) -> int:
        return obj.member_count


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
    date_hierarchy = "created_at"


@admin.register(MemberInvitation)
class MemberInvitationAdmin(SimpleHistoryAdmin):
    list_display = ["invited", "organisation", "role", "invited_by", "created_at", "answer"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), "organisation__kind"]
    search_fields = ["email", "invited_as", "invitee__username", "organisation__name"]
    autocomplete_fields = ["organisation", "invitee", "invited_by"]
    list_select_related = ["organisation", "invited_by", "invitee"]
    readonly_fields = ["created_at", "accepted_at", "declined_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("answer"))
    def answer(self, obj: MemberInvitation) -> str:
        if obj.accepted_at:
            return _("accepted")
        if obj.declined_at:
            return _("declined")
        return _("waiting")


@admin.register(OrganisationSignup)
class OrganisationSignupAdmin(SimpleHistoryAdmin):
    """Organisations registered while ``ORGANISATION_SIGNUP`` is ``approval``: approve or refuse
    them with the actions (the person who registered one is told by e-mail)."""

    list_display = ["organisation", "requested_by", "state", "created_at", "answered_by"]
    list_filter = ["state", "organisation__kind", "language"]
    search_fields = ["organisation__name", "requested_by__username", "requested_by__email"]
    list_select_related = ["organisation", "requested_by", "answered_by"]
    readonly_fields = ["organisation", "requested_by", "state", "answered_at", "answered_by"]
    date_hierarchy = "created_at"
    actions = ["approve", "refuse"]

    def has_add_permission(self, request) -> bool:
        return False  # a sign-up comes from the person registering the organisation

    def _answer(self, request, queryset, approve: bool) -> None:
        answered = sum(
            signup_answer(staff=request.user, signup=signup, approve=approve)
            for signup in queryset.select_related("organisation")
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d request answered; the person who asked is told by e-mail.",
                "%(count)d requests answered; the people who asked are told by e-mail.",
                answered,
            )
            % {"count": answered},
            messages.SUCCESS if answered else messages.WARNING,
        )

    @admin.action(description=_("Approve the selected organisations"))
    def approve(self, request, queryset) -> None:
        self._answer(request, queryset, approve=True)

    @admin.action(description=_("Refuse the selected organisations"))
    def refuse(self, request, queryset) -> None:
        self._answer(request, queryset, approve=False)


@admin.register(JoinRequest)
class JoinRequestAdmin(SimpleHistoryAdmin):
    """Requests to join an organisation (or, with a unit, a system): answered by its
    administrators on the members page; shown here for the staff."""

    list_display = ["user", "organisation", "unit", "state", "role", "created_at"]
    list_filter = ["state", "role", ("unit", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email", "organisation__name", "unit__name"]
    autocomplete_fields = ["organisation", "user", "unit", "answered_by"]
    list_select_related = ["user", "organisation", "unit"]
    readonly_fields = ["created_at", "answered_at"]
    date_hierarchy = "created_at"
