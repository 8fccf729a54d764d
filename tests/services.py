"""Skip a test when a service or tool is missing on a user's machine, but fail in CI.

CI sets CI=true: there a missing service is a broken set-up, never a reason to skip.
"""

from __future__ import annotations

import pytest
from django.conf import settings


def require(available: bool, reason: str) -> None:
    if available:
        return
    if settings.CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)
