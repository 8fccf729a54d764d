"""The error answers Django gives outside any view: an unknown address (404), a refusal (403),
a bad request (400) and a server error (500).

Under ``/api/`` they answer JSON in the API's shape (``{"detail": …}``), whatever the path: an
unknown route, an id that is not a number. Elsewhere they are pages in the app's look and the
visitor's language (templates/404.html, 403.html, 500.html). The 500 page is drawn without the
context processors (they query the database, which may be what failed).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(_("Not found."), 404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(_("You do not have permission to perform this action."), 403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_error(_("Bad request."), 400)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error(_("A server error occurred."), 500)
    try:
        body = loader.get_template("500.html").render({"request": request})
    except Exception:  # the page must never fail in turn
        logger.exception("The 500 page could not be drawn")
        body = "<h1>Server Error (500)</h1>"
    return HttpResponse(body, status=500)


class ApiAnswersJson:
    """Middleware: an error under ``/api/`` that a view answered otherwise (the schema's YAML,
    the docs page's plain 405) is turned into the API's JSON shape, its headers kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            if response.status_code == 405:
                detail = _('Method "{method}" not allowed.').format(method=request.method)
            elif response.status_code == 404:
                detail = _("Not found.")
            else:
                detail = response.reason_phrase
            answer = api_error(detail, response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return response
