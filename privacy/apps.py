from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data: the privacy notice, a person's own data, erasure and retention."""

    name = "privacy"
    verbose_name = _("Personal data")
