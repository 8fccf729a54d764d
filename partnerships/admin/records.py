from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from partnerships.choices import Level
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    ExportJob,
    LevelAssessment,
    Partnership,
    Party,
    Reminder,
    Responsibility,
    Review,
)
from partnerships.services.versions import StaleVersion, is_versioned, lock_at_version

PARTY_FIELDS = ("party", "raised_by")


def _level_label(value: int | None) -> str:
    return Level(value).label if value else "—"


class AppendOnlyAdmin(SimpleHistoryAdmin):
    """History entries are added, never edited or deleted (corrections are new entries)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionCheckedForm(forms.ModelForm):
    """The admin's change form carries the version it showed: a save over a newer one is
    refused with a message, keeping what was typed (the row stays locked until the admin's
    transaction ends, so the check holds under concurrency)."""

    edited_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edited_version"].initial = self.instance.version

    def clean(self) -> dict:
        data = super().clean()
        version = data.get("edited_version")
        if self.instance.pk is not None and version is not None:
            try:
                lock_at_version(type(self.instance), self.instance.pk, version)
            except StaleVersion as stale:
                raise forms.ValidationError(str(stale)) from stale
        return data


class BumpsVersion:
    """A change made here moves a versioned record to its next version, so a page or API
    client still holding the previous one is refused (409) instead of undoing it."""

    form = VersionCheckedForm

    def save_model(self, request, obj, form, change) -> None:
        if change and form.has_changed() and is_versioned(type(obj)):
            stored = type(obj)._base_manager.select_for_update().values_list("version", flat=True)
            obj.version = stored.get(pk=obj.pk) + 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        for inline_form in formset.initial_forms:
            record = inline_form.instance
            if inline_form.has_changed() and is_versioned(type(record)):
                record.version += 1
        super().save_formset(request, form, formset, change)


class PartnershipChildInline(admin.StackedInline):
    """An inline whose party choices are the parties of the partnership being edited."""

    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in PARTY_FIELDS:
            partnership = getattr(request, "partnership_admin_object", None)
            kwargs["queryset"] = Party.objects.filter(partnership=partnership).select_related(
                "organisation"
            )
        if db_field.name == "review":
            partnership = getattr(request, "partnership_admin_object", None)
            kwargs["queryset"] = Review.objects.filter(partnership=partnership)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "invitation", "joined_on", "left_on", "contribution"]


class ResponsibilityInline(PartnershipChildInline):
    model = Responsibility
    fields = ["party", "title", "description"]


class CommitmentInline(PartnershipChildInline):
    model = Commitment
    fields = [("party", "status"), "title", ("due_on", "completed_on"), "review", "description"]


class ConcernInline(PartnershipChildInline):
    model = Concern
    fields = [
        ("kind", "category", "status"),
        ("raised_by", "visibility"),
        "description",
        "response",
    ]


class BenefitInline(PartnershipChildInline):
    model = Benefit
    fields = [("category", "party", "observed_on"), "description", "evidence"]


class ReviewInline(admin.TabularInline):
    """Shown, not edited here: a closed review is frozen, and the review page edits the others."""

    model = Review
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["scheduled_on", "held_on", "status", "location", "next_review_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Partnership)
class PartnershipAdmin(BumpsVersion, SimpleHistoryAdmin):
    list_display = [
        "title",
        "status",
        "scope",
        "agreed_level_label",
        "target_level_label",
        "perception_gap",
        "next_review_on",
    ]
    list_filter = ["status", "scope", "review_cadence", "parties__organisation__kind"]
    search_fields = ["title", "purpose", "parties__organisation__name"]
    date_hierarchy = "starts_on"
    readonly_fields = ["scope", "version", "created_by", "created_at", "updated_at"]
    fields = [
        "title",
        "purpose",
        "status",
        ("starts_on", "ends_on"),
        ("review_cadence", "next_review_on"),
        ("scope", "version"),
        ("created_by", "created_at", "updated_at"),
        "edited_version",
    ]
    inlines = [
        PartyInline,
        ResponsibilityInline,
        CommitmentInline,
        ConcernInline,
        BenefitInline,
        ReviewInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_levels()

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request.partnership_admin_object = obj
        return obj

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("agreed level"), ordering="agreed_level")
    def agreed_level_label(self, obj: Partnership) -> str:
        return _level_label(obj.agreed_level)

    @admin.display(description=_("target level"), ordering="target_level")
    def target_level_label(self, obj: Partnership) -> str:
        return _level_label(obj.target_level)

    @admin.display(description=_("perception gap"), ordering="perception_gap")
    def perception_gap(self, obj: Partnership) -> str:
        return "—" if obj.perception_gap is None else str(obj.perception_gap)


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "partnership", "role", "invitation", "joined_on", "left_on"]
    list_filter = ["role", "invitation", "organisation__kind"]
    search_fields = ["organisation__name", "partnership__title"]
    autocomplete_fields = ["organisation", "partnership", "invited_by"]
    list_select_related = ["organisation", "partnership"]
    date_hierarchy = "invited_at"


@admin.register(LevelAssessment)
class LevelAssessmentAdmin(AppendOnlyAdmin):
    list_display = ["partnership", "kind", "level", "party", "assessed_on", "review", "author"]
    list_filter = ["kind", "level"]
    search_fields = ["partnership__title", "rationale", "party__organisation__name"]
    autocomplete_fields = ["partnership", "party", "review", "author"]
    list_select_related = ["partnership", "party__organisation", "review__partnership", "author"]
    date_hierarchy = "assessed_on"


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "party", "partnership"]
    search_fields = ["title", "description", "partnership__title", "party__organisation__name"]
    autocomplete_fields = ["partnership", "party"]
    list_select_related = ["partnership", "party__organisation", "party__partnership"]


@admin.register(Commitment)
class CommitmentAdmin(BumpsVersion, SimpleHistoryAdmin):
    list_display = ["title", "party", "partnership", "due_on", "status", "completed_on"]
    list_filter = ["status"]
    search_fields = ["title", "description", "partnership__title", "party__organisation__name"]
    autocomplete_fields = ["partnership", "party", "review"]
    list_select_related = ["partnership", "party__organisation", "party__partnership"]
    date_hierarchy = "due_on"


class ConcernCheckInline(admin.TabularInline):
    model = ConcernCheck
    extra = 0
    can_delete = False
    fields = ["checked_on", "intensity", "note", "review", "author"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Concern)
class ConcernAdmin(BumpsVersion, SimpleHistoryAdmin):
    list_display = [
        "partnership",
        "kind",
        "category_label",
        "raised_by",
        "visibility",
        "status",
        "latest_intensity",
    ]
    list_filter = ["kind", "category", "visibility", "status"]
    search_fields = ["description", "response", "partnership__title"]
    autocomplete_fields = ["partnership", "raised_by", "author"]
    list_select_related = ["partnership", "raised_by__organisation", "raised_by__partnership"]
    date_hierarchy = "created_at"
    inlines = [ConcernCheckInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_latest_intensity()

    @admin.display(description=_("category"), ordering="category")
    def category_label(self, obj: Concern) -> str:
        return obj.category_label

    @admin.display(description=_("latest intensity"), ordering="latest_intensity")
    def latest_intensity(self, obj: Concern) -> str:
        return "—" if obj.latest_intensity is None else f"{obj.latest_intensity}/5"


@admin.register(ConcernCheck)
class ConcernCheckAdmin(AppendOnlyAdmin):
    list_display = ["concern", "intensity", "checked_on", "review", "author"]
    list_filter = ["intensity", "concern__kind"]
    search_fields = ["note", "concern__description", "concern__partnership__title"]
    autocomplete_fields = ["concern", "review", "author"]
    list_select_related = ["concern", "review__partnership", "author"]
    date_hierarchy = "checked_on"


@admin.register(Benefit)
class BenefitAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "category", "party", "observed_on"]
    list_filter = ["category"]
    search_fields = ["description", "evidence", "partnership__title"]
    autocomplete_fields = ["partnership", "party", "author"]
    list_select_related = ["partnership", "party__organisation", "party__partnership"]
    date_hierarchy = "observed_on"


@admin.register(Review)
class ReviewAdmin(BumpsVersion, SimpleHistoryAdmin):
    """A closed review can be read here but neither changed nor deleted."""

    list_display = ["partnership", "scheduled_on", "held_on", "status", "next_review_on"]
    readonly_fields = ["record", "closed_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.closed_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.closed_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    list_filter = ["status"]
    search_fields = ["partnership__title", "minutes", "decisions", "location"]
    autocomplete_fields = ["partnership", "attendees", "created_by"]
    list_select_related = ["partnership"]
    date_hierarchy = "scheduled_on"


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """What was e-mailed to whom: a record, never edited (deleting one lets it be sent again)."""

    list_display = ["kind", "object_id", "recipient", "period", "sent_at"]
    list_filter = ["kind", "sent_at"]
    search_fields = ["recipient__username", "recipient__email", "period"]
    list_select_related = ["recipient"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Staff follow exports here; the files themselves are served to members only."""

    list_display = ["created_at", "organisation", "requested_by", "kind", "file_format", "status"]
    list_filter = ["status", "kind", "file_format"]
    search_fields = ["organisation__name", "requested_by__username"]
    list_select_related = ["organisation", "requested_by"]
    date_hierarchy = "created_at"
    exclude = ["file"]
    readonly_fields = [
        "organisation",
        "requested_by",
        "kind",
        "file_format",
        "params",
        "language",
        "status",
        "file_name",
        "row_count",
        "error",
        "created_at",
        "finished_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("file"))
    def file_name(self, obj: ExportJob) -> str:
        # The name only: MEDIA_ROOT is not served, members download through their pages.
        return obj.file.name or "—"
