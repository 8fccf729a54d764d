from django.contrib.admin.apps import AdminConfig


class PartnershipAdminConfig(AdminConfig):
    """Django's admin app, serving the project's own admin site as ``admin.site``."""

    default_site = "config.admin_site.PartnershipAdminSite"
