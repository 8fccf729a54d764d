"""PDF documents made on the server from the same templates as the printable pages.

WeasyPrint needs system libraries (Pango, HarfBuzz) that a first try on a laptop may lack, so it
is imported only when a PDF is asked for: the rest of the site runs without it, and a PDF link
then answers a page that says why (503), pointing to the printable page that always works.

A document fetches nothing from the network: the only resources it may load are the site's own
static files, read from disk (the stylesheet), and every other URL is refused.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PDF_UNAVAILABLE_TEMPLATE = "pdf_unavailable.html"


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs cannot be loaded on this machine."""


def load_weasyprint():
    """The ``weasyprint`` module, imported now (never at start-up); ``PdfUnavailable`` when it
    or its system libraries are missing (an ``OSError`` from loading Pango, an ImportError)."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def static_file(url: str, base_url: str) -> str:
    """The file on disk behind one of the site's static URLs; ``ValueError`` for any other URL
    (another host, a path outside STATIC_URL, a name that climbs out of it)."""
    static = urlsplit(settings.STATIC_URL)
    base = urlsplit(base_url)
    parts = urlsplit(url)
    hosts = {(base.scheme, base.netloc)}
    if static.netloc:
        hosts.add((static.scheme, static.netloc))
    prefix = static.path if static.path.startswith("/") else "/" + static.path
    if (parts.scheme, parts.netloc) not in hosts or not parts.path.startswith(prefix):
        raise ValueError(f"Only the site's static files are fetched, not {url}")
    name = unquote(parts.path[len(prefix) :])
    if not name or ".." in name.split("/") or name.startswith("/"):
        raise ValueError(f"Not a static file name: {url}")
    try:  # collected files first (production: hashed names), then the apps' and the project's
        path = staticfiles_storage.path(name)
    except NotImplementedError:
        path = None
    if not path or not os.path.isfile(path):
        path = finders.find(name)
    if not path:
        raise ValueError(f"No such static file: {name}")
    return path


def static_only_fetcher(weasyprint, base_url: str):
    """A WeasyPrint URL fetcher that serves the site's static files from disk and refuses the
    rest, so rendering a document never reaches the network."""

    class StaticOnlyFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file(url, base_url)
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as source:
                body = source.read()
            return weasyprint.urls.URLFetcherResponse(
                url, body, headers={"Content-Type": content_type}
            )

    return StaticOnlyFetcher(allowed_protocols=("http", "https"), allow_redirects=False)


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The PDF of ``html`` (its relative URLs resolved against ``base_url``)."""
    weasyprint = load_weasyprint()
    document = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=static_only_fetcher(weasyprint, base_url)
    )
    return document.write_pdf()


def render_pdf(request: HttpRequest, template_name: str, context: dict) -> bytes:
    """The template rendered for this request, as a PDF (``PdfUnavailable`` when WeasyPrint
    cannot load). WeasyPrint lays it out for print media, as a browser prints the page."""
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, request.build_absolute_uri("/"))


def pdf_file(content: bytes, filename: str) -> HttpResponse:
    """A PDF as a download, never shown inline by a browser guessing its type."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def pdf_response(
    request: HttpRequest, template_name: str, context: dict, *, filename: str, html_url: str
) -> HttpResponse:
    """The template as a PDF download; when WeasyPrint cannot load, a page saying so (503),
    with a link to the printable page (``html_url``), which needs nothing more."""
    try:
        content = render_pdf(request, template_name, context)
    except PdfUnavailable as error:
        logger.warning("PDF unavailable: %s", error)
        return render(request, PDF_UNAVAILABLE_TEMPLATE, {"html_url": html_url}, status=503)
    return pdf_file(content, filename)
