"""A database that does not answer (restarting, failing over, the pooler waiting for it) is a
503 with ``Retry-After``, never a 500: the request did nothing (its transaction, if any, rolled
back), and the person or the client may simply try again.

The page is rendered without the site's context processors, which would ask the database
again; the API answers its usual ``{"detail": …}`` JSON.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.error_pages import api_error, is_api
from core.error_pages import server_error as error_page

logger = logging.getLogger(__name__)

RETRY_AFTER = "10"


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it inside the ``except`` of the uncaught exception, wherever
    it was raised (a view, a middleware reading the session, a context processor)."""
    exception = sys.exc_info()[1]
    if not isinstance(exception, OperationalError | InterfaceError):
        return error_page(request)
    logger.warning("database unavailable for %s: %s", request.path, type(exception).__name__)
    message = _("The service is briefly unavailable. Try again in a few seconds.")
    if is_api(request):
        response: HttpResponse = api_error(message, 503)
    else:
        response = HttpResponse(
            render_to_string("service_unavailable.html", {"message": message}), status=503
        )
    response["Retry-After"] = RETRY_AFTER
    return response
