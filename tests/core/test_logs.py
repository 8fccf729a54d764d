"""Logs: JSON lines on demand, and the same request id on every line of one request."""

from __future__ import annotations

import io
import json
import logging

import pytest

from core.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """What the root logger writes as LOG_FORMAT=json would, as parsed lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_every_line_of_a_request_carries_its_id(client, json_lines, monkeypatch):
    from core import error_pages

    original = error_pages.api_error

    def noisy(detail, status):
        logging.getLogger("partnerships").warning("a line of the app, é")
        return original(detail, status)

    monkeypatch.setattr(error_pages, "api_error", noisy)
    response = client.get("/api/v1/nowhere/", HTTP_X_REQUEST_ID="req-42")
    other = client.get("/api/v1/nowhere/")
    assert response["X-Request-ID"] == "req-42"
    assert other["X-Request-ID"] not in ("req-42", "")
    lines = json_lines()
    mine = [line for line in lines if line["request_id"] == "req-42"]
    # the app's line and Django's own "Not Found", written after the middleware ran
    assert {line["logger"] for line in mine} == {"partnerships", "django.request"}
    assert "a line of the app, é" in [line["message"] for line in mine]
    assert all(set(line) >= {"time", "level", "logger", "message"} for line in lines)
    assert [line for line in lines if line["request_id"] == other["X-Request-ID"]]


def test_a_made_up_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith a new line")
    assert response["X-Request-ID"] != "bad id\nwith a new line"
    assert len(response["X-Request-ID"]) == 32


def test_lines_outside_a_request_have_no_id(json_lines):
    logging.getLogger("partnerships").warning("from a task")
    (line,) = [line for line in json_lines() if line["message"] == "from a task"]
    assert line["request_id"] is None


def test_an_exception_is_one_line_with_its_traceback(json_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("partnerships").exception("failed")
    (line,) = [line for line in json_lines() if line["message"] == "failed"]
    assert "ValueError: boom" in line["exception"]
