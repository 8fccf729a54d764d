"""The Django admin of the partnerships app; importing both modules registers their models."""

from partnerships.admin import agreements, records  # noqa: F401
