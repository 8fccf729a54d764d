from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What was sent to whom: read-only, it is a record."""

    list_display = ("created_at", "kind", "recipient", "organisation", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("recipient__username", "recipient__email", "recipient__last_name")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "organisation")
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "channel")
    list_filter = ("kind", "channel")
    search_fields = ("user__username", "user__email", "user__last_name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
