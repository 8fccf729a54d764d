from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
