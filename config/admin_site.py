"""The project's admin site: Django's, plus the cross-partnership reports for staff."""

from __future__ import annotations

from django.contrib import admin


class PartnershipAdminSite(admin.AdminSite):
    # The index lists the reports above the models.
    index_template = "reports/admin_site_index.html"

    def index(self, request, extra_context=None):
        from partnerships.views.reports import page_links

        links = page_links(f"{self.name}:", current_app=self.name)
        return super().index(request, {"report_links": links, **(extra_context or {})})

    def get_urls(self):
        from partnerships.views.reports import admin_urlpatterns

        return admin_urlpatterns(self) + super().get_urls()
