"""Vocabulary of notifications: how a person wants to hear of each kind."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail and in-app")
    IN_APP = "in_app", _("In-app only")
    NONE = "none", _("None")
