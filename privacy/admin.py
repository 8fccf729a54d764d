"""The privacy admin: erasure on request, requests to leave the platform, dormant organisations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .dormant import dormant_organisations
from .erasure import is_erased, person_erase
from .leaving import organisation_leave_platform, parties_of_each
from .models import DormantOrganisation, LeaveRequest, OrganisationArchive
from .policy import LastAdministrator, may_erase_from_admin


@admin.action(description=gettext_lazy("Erase the selected people (on their request)"))
def erase_people(modeladmin, request, queryset):
    """Asks first (a page listing who is erased and what it does), then erases each one."""
    if not may_erase_from_admin(request.user):
        raise PermissionDenied
    people = [user for user in queryset.order_by("username") if not is_erased(user)]
    if request.POST.get("confirm") != "yes":
        return TemplateResponse(
            request,
            "admin/privacy/erase_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": _("Erase these people?"),
                "people": people,
                "queryset": queryset,
                "opts": modeladmin.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
    for user in people:
        if user.pk == request.user.pk:
            modeladmin.message_user(
                request, _("You cannot erase yourself from here."), messages.ERROR
            )
            continue
        try:
            pseudonym = person_erase(actor=request.user, user=user)
        except LastAdministrator as refusal:
            modeladmin.message_user(request, refusal.messages[0], messages.ERROR)
        else:
            modeladmin.message_user(
                request, _("Erased: now %(pseudonym)s.") % {"pseudonym": pseudonym}
            )
    return None


@admin.action(description=gettext_lazy("Carry out the selected requests to leave the platform"))
def carry_out_leave(modeladmin, request, queryset):
    """Asks first (a page listing each organisation, the partnerships it leaves and those it
    stays in as the last party), then carries each request out."""
    if not may_erase_from_admin(request.user):
        raise PermissionDenied
    pending = list(
        queryset.filter(handled_at__isnull=True).select_related("organisation").order_by("pk")
    )
    if request.POST.get("confirm") != "yes":
        parties = parties_of_each([leave.organisation for leave in pending])
        return TemplateResponse(
            request,
            "admin/privacy/leave_confirmation.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": _("Carry out these requests to leave the platform?"),
                "requests": [(leave, parties[leave.organisation_id]) for leave in pending],
                "queryset": queryset,
                "opts": modeladmin.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
    for leave in pending:
        outcome = organisation_leave_platform(actor=request.user, leave_request=leave)
        modeladmin.message_user(
            request,
            _(
                "%(organisation)s has left the platform: %(left)d partnership(s) left, "
                "%(kept)d kept as their last party, %(withdrawn)d invitation(s) withdrawn."
            )
            % {
                "organisation": leave.organisation,
                "left": len(outcome.left),
                "kept": len(outcome.kept),
                "withdrawn": outcome.invitations_withdrawn,
            },
        )
    return None


@admin.register(LeaveRequest)
class LeaveRequestAdmin(admin.ModelAdmin):
    """Organisations that asked to leave the platform: staff carry the requests out (an
    action, after a confirmation page)."""

    actions = [carry_out_leave]

    list_display = ["organisation", "requested_by", "created_at", "handled_at"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation", "requested_by"]
    readonly_fields = ["organisation", "requested_by", "reason", "created_at"]
    search_fields = ["organisation__name"]


@admin.register(OrganisationArchive)
class OrganisationArchiveAdmin(admin.ModelAdmin):
    list_display = ["organisation", "requested_by", "status", "created_at"]
    list_select_related = ["organisation", "requested_by"]
    readonly_fields = ["organisation", "requested_by", "status", "file", "created_at"]


@admin.register(DormantOrganisation)
class DormantOrganisationAdmin(admin.ModelAdmin):
    """A report for staff, read only: organisations whose partnerships have all ended and
    whose members have not signed in for ``RETENTION_INACTIVE_ORGANISATION_DAYS`` days. Staff
    decide what to do (ask them, delete them from *Organisations*): nothing is deleted here."""

    list_display = ["name", "active", "created_at", "last_sign_in", "partnership_count"]
    list_display_links = None
    search_fields = ["name"]
    actions = None

    def get_queryset(self, request):
        return dormant_organisations(super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        """One organisation read on its own page, whether still dormant or not."""
        try:
            return self.model.objects.get(pk=int(object_id))
        except (ValueError, self.model.DoesNotExist):
            return None

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": _("Organisations unused for %(days)d days")
            % {"days": settings.RETENTION_INACTIVE_ORGANISATION_DAYS},
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("last sign-in of a member"), ordering="last_sign_in")
    def last_sign_in(self, organisation):
        return organisation.last_sign_in

    @admin.display(description=gettext_lazy("partnerships"), ordering="partnership_count")
    def partnership_count(self, organisation):
        return organisation.partnership_count

    def has_module_permission(self, request):
        return may_erase_from_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return may_erase_from_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
