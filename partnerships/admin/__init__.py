"""The Django admin of the partnerships app; importing its modules registers their models."""

from partnerships.admin import agreements, invitations, records  # noqa: F401
