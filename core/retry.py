"""How every background task is retried, and the errors worth a retry.

Exponential backoff: random waits of up to 1, 2, 4, 8 then 16 minutes (random, so that many
failed tasks do not all come back at once); then the task fails for good, logged.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from core.files import STORAGE_ERRORS

# Worth a retry: the database or the file storage may answer next time. Anything else is a bug
# that a retry would only repeat.
# (core.files.STORAGE_ERRORS: OSError, and botocore's when the files are in object storage.)
TRANSIENT_ERRORS = (OperationalError, InterfaceError, *STORAGE_ERRORS)


class DeliveryError(Exception):
    """Some e-mails could not be sent; the others were, and their reminders are recorded."""


RETRY = {
    "autoretry_for": (DeliveryError, *TRANSIENT_ERRORS),
    "retry_backoff": 60,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}
