"""What the printed documents show — the review agenda and an agreement version — read once for
the printable pages, their PDF files and the API's PDF files alike."""

from __future__ import annotations

from django.http import Http404

from organisations.models import Organisation
from partnerships.models import Partnership, Review
from partnerships.reads import agreements as reads
from partnerships.reads.agenda import blind_status, build_agenda
from partnerships.reads.questionnaires import questionnaire_section

AGENDA_TEMPLATE = "partnerships/review_agenda.html"
AGREEMENT_TEMPLATE = "partnerships/agreement_print.html"


def agenda_document(
    partnership: Partnership, review: Review, organisation: Organisation, *, include_private: bool
) -> dict:
    """The agenda as ``organisation`` may print it: never another organisation's private
    items, and its own only with ``include_private`` (``build_agenda`` holds the rule)."""
    return {
        "organisation": organisation,
        "partnership": partnership,
        "review": review,
        "include_private": include_private,
        "agenda": build_agenda(review, organisation, include_private=include_private),
        "blind": blind_status(review, organisation),
        **questionnaire_section(review, organisation, include_private=include_private),
    }


def agenda_filename(review: Review) -> str:
    return f"agenda-{review.partnership_id}-{review.scheduled_on.isoformat()}.pdf"


def agreement_document(
    partnership: Partnership, organisation: Organisation, agreement_id: int
) -> dict:
    """One version as a document: parties and who represents them, clauses, approvals, and a
    signature block for each party (404 for a version of another partnership)."""
    versions = reads.versions_of(partnership)
    agreement = next((v for v in versions if v.pk == agreement_id), None)
    if agreement is None:
        raise Http404("No such version.")
    return {
        "organisation": organisation,
        "partnership": partnership,
        "agreement": agreement,
        "decisions": reads.document_decisions(agreement, reads.current_parties_of(partnership)),
        "signatories": reads.signatories(agreement),
    }


def agreement_filename(agreement) -> str:
    return f"agreement-{agreement.partnership_id}-v{agreement.version}.pdf"
