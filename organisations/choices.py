"""Vocabulary of the organisations app: stable keys with translatable labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SCHOOL = "school", _("School or training body")
    PUBLIC_BODY = "public_body", _("Public body")
    COMPANY = "company", _("Company")
    FOUNDATION = "foundation", _("Foundation")
    NETWORK = "network", _("Network or federation")
    OTHER = "other", _("Other")


class SizeBand(models.IntegerChoices):
    """Head-count bands, ordered so that the distance between two bands measures asymmetry."""

    MICRO = 1, _("Fewer than 10 people")
    SMALL = 2, _("10 to 49 people")
    MEDIUM = 3, _("50 to 249 people")
    LARGE = 4, _("250 people or more")


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class RequestState(models.TextChoices):
    """Where a request someone made to others stands: waiting, or answered one way."""

    PENDING = "pending", _("Waiting for an answer")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class SignupMode(models.TextChoices):
    """``ORGANISATION_SIGNUP``: a new organisation is active at once, or after staff approve."""

    OPEN = "open", _("Open")
    APPROVAL = "approval", _("Approved by the platform staff")
