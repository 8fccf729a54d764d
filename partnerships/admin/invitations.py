"""Invitations sent by e-mail to organisations not on the platform yet."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from partnerships.choices import PartnerInvitationState
from partnerships.models import PartnerInvitation


class CurrentStateFilter(admin.SimpleListFilter):
    """The state as the contact sees it: a pending invitation past its date has expired."""

    title = _("state")
    parameter_name = "current_state"

    def lookups(self, request, model_admin):
        return PartnerInvitationState.choices

    def queryset(self, request, queryset):
        value, now = self.value(), timezone.now()
        if value == PartnerInvitationState.EXPIRED:
            return queryset.filter(state=PartnerInvitationState.PENDING, expires_at__lte=now)
        if value == PartnerInvitationState.PENDING:
            return queryset.filter(state=value, expires_at__gt=now)
        if value:
            return queryset.filter(state=value)
        return queryset


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(SimpleHistoryAdmin):
    list_display = [
        "organisation_name",
        "email",
        "partnership",
        "role",
        "current_state",
        "expires_at",
        "invited_by",
        "organisation",
    ]
    list_filter = [CurrentStateFilter, "role", "language"]
    search_fields = ["organisation_name", "email", "partnership__title", "organisation__name"]
    autocomplete_fields = ["partnership", "invited_by", "inviting_organisation", "organisation"]
    list_select_related = ["partnership", "invited_by", "organisation"]
    readonly_fields = ["created_at", "sent_at", "answered_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("state"))
    def current_state(self, obj: PartnerInvitation) -> str:
        return obj.get_current_state_display()
