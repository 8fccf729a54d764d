"""/healthz answers load balancers: 200 when the database (and the broker, if any) answer."""

from __future__ import annotations

import json
import os

import pytest
import redis
from django.db.utils import OperationalError

from core import healthz as healthz_module
from tests.services import require

pytestmark = pytest.mark.django_db

URL = "/healthz"


@pytest.fixture(autouse=True)
def _no_remembered_broker_answer():
    healthz_module._broker_answer.clear()


def test_healthy_without_a_broker_answers_200_without_signing_in(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "skipped"}}


def test_head_is_answered_and_post_refused(client):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_a_failing_database_answers_503_without_the_error_text(client, monkeypatch):
    def broken(self, sql, params=None):
        raise OperationalError("could not connect to server at db.internal:5432")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", broken)
    response = client.get(URL)
    assert response.status_code == 503
    body = response.content.decode()
    assert json.loads(body) == {
        "status": "error",
        "checks": {"database": "error", "broker": "skipped"},
    }
    assert "db.internal" not in body


def test_an_unreachable_broker_answers_503_quickly_and_says_nothing_of_it(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "broker": "error"}}
    assert "127.0.0.1" not in response.content.decode()


def test_a_reachable_broker_is_reported_ok(client, settings):
    url = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/5")
    try:
        reachable = bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        reachable = False
    require(reachable, f"Redis is not reachable at {url}")
    settings.CELERY_BROKER_URL = url
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_a_plain_http_probe_is_answered_where_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # as config/settings/production.py sets
    settings.CELERY_BROKER_URL = ""
    assert client.get(URL).status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_a_flood_of_probes_asks_the_broker_once_every_few_seconds(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    asked = []
    monkeypatch.setattr(healthz_module, "_ask_broker", lambda url: asked.append(url) or "error")
    clock = iter([100.0, 100.0, 101.0, 104.9, 105.0, 105.0])
    monkeypatch.setattr(healthz_module.time, "monotonic", lambda: next(clock))
    statuses = [client.get(URL).status_code for _ in range(4)]
    assert statuses == [503] * 4
    assert len(asked) == 2  # at 100.0, then again once 5 s had passed (105.0)
