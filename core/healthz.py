"""``/healthz``: is this web process able to serve? For load balancers and uptime probes.

It checks the database (``SELECT 1``) and, when one is configured, the Celery broker, each with
a short timeout, and answers JSON with 200 when everything answers and 503 otherwise. Nothing
sensitive is in the answer (no exception text, no host names): anyone may call it, unsigned.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, ERROR, SKIPPED = "ok", "error", "skipped"
BROKER_TIMEOUT = 2  # seconds: a probe must answer well before the balancer gives up on it
# The broker's answer is kept this long per process: a flood of probes (the URL is public) costs
# one broker connection per process every few seconds, never one per request, and a broker that
# is down cannot hold every web worker for BROKER_TIMEOUT at once.
BROKER_ANSWER_SECONDS = 5
_broker_answer: dict[str, tuple[float, str]] = {}
_broker_lock = threading.Lock()


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: the database does not answer")
        return ERROR
    return OK


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return SKIPPED  # tasks run in-process: there is no broker to reach
    with _broker_lock:  # one probe at a time asks the broker; the others read its answer
        checked_at, answer = _broker_answer.get(url, (float("-inf"), ERROR))
        if time.monotonic() - checked_at >= BROKER_ANSWER_SECONDS:
            answer = _ask_broker(url)
            _broker_answer[url] = (time.monotonic(), answer)
    return answer


def _ask_broker(url: str) -> str:
    from kombu import Connection

    try:
        with Connection(
            url,
            connect_timeout=BROKER_TIMEOUT,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT,
                "socket_timeout": BROKER_TIMEOUT,
                "max_retries": 0,
            },
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    except Exception:
        # Logged for the operators, never shown: the answer must not leak the broker's address.
        logger.warning("health check: the broker does not answer", exc_info=True)
        return ERROR
    return OK


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = ERROR not in checks.values()
    return JsonResponse(
        {"status": OK if healthy else ERROR, "checks": checks}, status=200 if healthy else 503
    )
