"""The printed documents as PDF files: a review's agenda and an agreement version.

The same templates and reads as the printable pages (``partnerships.reads.documents``), made on
the server with WeasyPrint. The partnership is fetched for the caller first (404 for
outsiders); the agenda is printed for one of the caller's organisations (``?organisation=``),
without another organisation's private items, and without its own unless asked.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException

from core.pdf import PdfUnavailable, pdf_file, render_pdf
from partnerships import policy
from partnerships.reads import documents

from .agreements import AgreementsMixin
from .records import ReviewMixin

PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}
ORGANISATION = OpenApiParameter(
    "organisation",
    OpenApiTypes.STR,
    description=_(
        "The slug of your organisation the document is printed for, when you belong to several "
        "of the parties (by default the first of them, by name)."
    ),
)
INCLUDE_PRIVATE = OpenApiParameter(
    "include_private",
    OpenApiTypes.BOOL,
    default=False,
    description=_(
        "Include your organisation's own private fears and resistances (never another's)."
    ),
)


class PdfUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _(
        "This server cannot make PDF files: the libraries it needs for that are not installed."
    )
    default_code = "pdf_unavailable"


def pdf_answer(request, template_name: str, context: dict, filename: str):
    try:
        return pdf_file(render_pdf(request._request, template_name, context), filename)
    except PdfUnavailable as error:
        raise PdfUnavailableError() from error


def is_true(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


class ReviewAgendaPdfApi(ReviewMixin, generics.GenericAPIView):
    """The review's printable agenda as a PDF file: what changed since the last review held,
    as your organisation may see it."""

    error_codes = (400, 503)  # 400: an ``organisation`` that is none of the caller's

    @extend_schema(
        operation_id="partnerships_reviews_agenda_pdf",
        summary=_("The review's agenda as a PDF file"),
        parameters=[ORGANISATION, INCLUDE_PRIVATE],
        responses=PDF_RESPONSE,
    )
    def get(self, request, *args, **kwargs):
        review = self.get_object()
        organisation = self.acting_organisation(require=policy.require_reader)
        context = documents.agenda_document(
            self.get_partnership(),
            review,
            organisation,
            include_private=is_true(request.query_params.get("include_private")),
        )
        return pdf_answer(
            request, documents.AGENDA_TEMPLATE, context, documents.agenda_filename(review)
        )


class AgreementPdfApi(AgreementsMixin, generics.GenericAPIView):
    """A version of the agreement as a PDF file: parties and their representatives, clauses,
    approvals and a signature block for each party."""

    error_codes = (400, 503)  # 400: an ``organisation`` that is none of the caller's

    @extend_schema(
        operation_id="partnerships_agreements_pdf",
        summary=_("A version of the agreement as a PDF file"),
        parameters=[ORGANISATION],
        responses=PDF_RESPONSE,
    )
    def get(self, request, *args, **kwargs):
        agreement = self.get_object()
        organisation = self.acting_organisation(require=policy.require_reader)
        context = documents.agreement_document(self.get_partnership(), organisation, agreement.pk)
        return pdf_answer(
            request, documents.AGREEMENT_TEMPLATE, context, documents.agreement_filename(agreement)
        )
