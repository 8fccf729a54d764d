from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from . import signals  # noqa: F401
