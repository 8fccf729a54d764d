"""API clients for the fixed cast (owner, editor, viewer of A; outsider of B)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """``api(user)``: a client authenticated as ``user`` (anonymous without one)."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
