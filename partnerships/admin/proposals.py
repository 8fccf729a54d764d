"""Proposals of an agreed level in the admin: read only.

A proposal and its answers are what the parties said, in order: the admin shows them (with
filters and search) and changes nothing; the agreed level they led to is in the level log.
"""

from __future__ import annotations

from django.contrib import admin

from partnerships.models import LevelProposal, LevelProposalAnswer


class LevelProposalAnswerInline(admin.TabularInline):
    model = LevelProposalAnswer
    extra = 0
    can_delete = False
    fields = ["party", "state", "answered_by", "answered_at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LevelProposal)
class LevelProposalAdmin(admin.ModelAdmin):
    list_display = ["partnership", "level", "state", "proposed_by", "created_at", "decided_at"]
    list_filter = ["state", "level"]
    search_fields = ["partnership__title", "proposed_by__organisation__name", "rationale"]
    list_select_related = ["partnership", "proposed_by__organisation"]
    date_hierarchy = "created_at"
    fields = [
        ("partnership", "level", "state"),
        "rationale",
        ("proposed_by", "author", "created_at"),
        ("decided_at", "assessment", "superseded_by"),
    ]
    readonly_fields = [
        "partnership",
        "level",
        "state",
        "rationale",
        "proposed_by",
        "author",
        "created_at",
        "decided_at",
        "assessment",
        "superseded_by",
    ]
    inlines = [LevelProposalAnswerInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
