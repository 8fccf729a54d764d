from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerships"
    verbose_name = _("Partnerships")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401

        post_migrate.connect(build_missing_read_model, sender=self)


def build_missing_read_model(using: str = "default", **kwargs) -> None:
    """After ``migrate``: fill the read model when partnerships have none (the migration that
    made its tables, or a later one adding to it, leaves them empty; the live code fills them
    once every table exists). One cheap query when it is complete."""
    from django.db import transaction

    from partnerships.models import Partnership
    from partnerships.services import state

    if Partnership.objects.using(using).filter(state__isnull=True).exists():
        with transaction.atomic(using=using):
            state.rebuild()
