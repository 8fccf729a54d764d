"""The project's admin site: Django's, plus the cross-partnership reports for staff."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _


class PartnershipAdminSite(admin.AdminSite):
    # The index lists the reports above the models.
    index_template = "reports/admin_site_index.html"

    def index(self, request, extra_context=None):
        from partnerships.views.reports import page_links

        links = page_links(f"{self.name}:", current_app=self.name)
        return super().index(request, {"report_links": links, **(extra_context or {})})

    def login(self, request, extra_context=None):
        """The admin signs in through the site's own sign-in (allauth: e-mail or username, the
        second factor, the lockout), then comes back."""
        if request.user.is_authenticated:
            # Signed in but not staff: sending them to sign in again would loop back here.
            raise PermissionDenied(_("The administration is for the platform staff."))
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, reverse("account_login"))

    def get_urls(self):
        from partnerships.views.reports import admin_urlpatterns

        return admin_urlpatterns(self) + super().get_urls()
