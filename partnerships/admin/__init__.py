"""The Django admin of the partnerships app; importing its modules registers their models."""

from partnerships.admin import agreements, invitations, proposals, records  # noqa: F401
