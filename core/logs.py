"""Logs that operators can search: a request id on every line, and JSON lines on demand.

Each request gets an id: the proxy's ``X-Request-ID`` when it sends a sane one, else a new one.
It is set when Django starts the request and cleared when the response is finished, so every
line logged meanwhile carries it (Django's own "Not Found" line too, written after the
middleware has run); the response carries it back in ``X-Request-ID``. ``LOG_FORMAT=json``
writes one JSON object per line (``time``, ``level``, ``logger``, ``message``, ``request_id``,
and ``exception`` with its traceback); lines outside a request have ``"request_id": null``.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import uuid

from django.core.signals import request_finished, request_started

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
HEADER = "X-Request-ID"


def start(sender=None, environ=None, **kwargs) -> None:
    given = (environ or {}).get("HTTP_X_REQUEST_ID", "")
    request_id.set(given if SANE_ID.match(given) else uuid.uuid4().hex)


def finish(sender=None, **kwargs) -> None:
    request_id.set(None)


def connect() -> None:
    """Called once by the core app: ids follow Django's request signals."""
    request_started.connect(start, dispatch_uid="core.logs.start")
    request_finished.connect(finish, dispatch_uid="core.logs.finish")


class RequestIdMiddleware:
    """Sends the request's id back, for a person reporting a problem or the proxy's log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_id.get() is None:  # a request that came without Django's signal
            start(environ=request.META)
        request.id = request_id.get()
        response = self.get_response(request)
        response[HEADER] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` in text, null in JSON, outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain format, with the request's id (``-`` outside a request)."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)
