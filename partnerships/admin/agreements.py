"""Agreement versions in the admin: a draft's text may be corrected; once submitted, read only.

Versions are drafted by the parties (the app numbers them and records the partnership's
snapshot), so the admin adds none; an approved version can neither change nor be deleted.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnerships.choices import AgreementState
from partnerships.models.agreements import (
    CLAUSE_FIELDS,
    Agreement,
    AgreementApproval,
    AgreementRepresentative,
)


class AgreementApprovalInline(admin.TabularInline):
    """Decisions are what a party's administrator said: recorded once, never edited here."""

    model = AgreementApproval
    extra = 0
    can_delete = False
    fields = ["round", "organisation", "decision", "name", "user", "at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AgreementRepresentativeInline(admin.TabularInline):
    """Who signs for each party: corrected here while the version is a draft (the version's
    own change permission makes it read only once submitted)."""

    model = AgreementRepresentative
    extra = 0
    fields = ["organisation", "name", "capacity"]
    autocomplete_fields = ["organisation"]


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "version", "state", "starts_on", "ends_on", "in_force_at"]
    list_filter = ["state"]
    search_fields = ["partnership__title", *CLAUSE_FIELDS]
    list_select_related = ["partnership"]
    date_hierarchy = "ends_on"
    fields = [
        ("partnership", "version", "state"),
        ("starts_on", "ends_on", "review_cadence"),
        *CLAUSE_FIELDS,
        "snapshot",
        "signed_scan_name",
        ("created_by", "created_at"),
        ("submission_round", "submitted_at", "in_force_at"),
    ]
    readonly_fields = [
        "partnership",
        "version",
        "state",
        "snapshot",
        "signed_scan_name",
        "created_by",
        "created_at",
        "submission_round",
        "submitted_at",
        "in_force_at",
    ]
    inlines = [AgreementRepresentativeInline, AgreementApprovalInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state != AgreementState.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_approved:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=Agreement._meta.get_field("signed_scan").verbose_name)
    def signed_scan_name(self, obj: Agreement) -> str:
        # The name only: MEDIA_ROOT is not served; members download through their pages.
        return obj.signed_scan.name or "—"
