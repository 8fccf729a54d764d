"""The partnerships app's models, one module per sub-domain; every name is re-exported here, so
``from partnerships.models import X`` is the one way to import them.

- ``partnerships``: the partnership and its parties;
- ``records``: what parties record in it (levels, responsibilities, commitments, concerns and
  their checks, benefits);
- ``reviews``: the periodic review meeting;
- ``agreements``: the partnership agreement and each party's approval;
- ``invitations``: invitations by e-mail to organisations not on the platform yet;
- ``questionnaires``: the anonymous questionnaire before a review;
- ``proposals``: an agreed level proposed by one party and the others' answers;
- ``state``: the read model, each partnership's current state kept beside its logs;
- ``rollups``: monthly roll-ups of the logs the reports read, kept like the read model;
- ``operations``: bookkeeping of background work (reminders sent, export files);
- ``base``: the helpers the models share; ``querysets``: their query sets.
"""

from partnerships.models.agreements import (
    AGREEMENT_FROZEN,
    AGREEMENT_NOT_DRAFT,
    AGREEMENT_SKIPS_APPROVAL,
    ALLOWED_MOVES,
    CLAUSE_FIELDS,
    CLAUSES,
    MOVING_FIELDS,
    REPRESENTATIVE_FROZEN,
    Agreement,
    AgreementApproval,
    AgreementQuerySet,
    AgreementRepresentative,
    signed_scan_path,
)
from partnerships.models.base import AppendOnlyModel
from partnerships.models.invitations import PartnerInvitation, PartnerInvitationQuerySet
from partnerships.models.operations import ExportJob, ImportJob, Reminder, export_path
from partnerships.models.partnerships import Partnership, Party
from partnerships.models.proposals import LevelProposal, LevelProposalAnswer
from partnerships.models.questionnaires import (
    MAX_CUSTOM_QUESTIONS,
    Answer,
    AskedMember,
    CustomQuestion,
    CustomQuestionKind,
    Questionnaire,
    Respondent,
)
from partnerships.models.records import (
    Benefit,
    Commitment,
    Concern,
    ConcernCheck,
    LevelAssessment,
    Responsibility,
)
from partnerships.models.reviews import REVIEW_FROZEN, Review
from partnerships.models.rollups import ConcernCheckMonth, ConcernCheckTotal
from partnerships.models.state import (
    ConcernMonth,
    ConcernState,
    PartnerLink,
    PartnershipConcernMonth,
    PartnershipState,
    PartnershipView,
    TodoEntry,
)

__all__ = [
    "AGREEMENT_FROZEN",
    "AGREEMENT_NOT_DRAFT",
    "AGREEMENT_SKIPS_APPROVAL",
    "ALLOWED_MOVES",
    "CLAUSES",
    "CLAUSE_FIELDS",
    "MAX_CUSTOM_QUESTIONS",
    "MOVING_FIELDS",
    "REPRESENTATIVE_FROZEN",
    "REVIEW_FROZEN",
    "Agreement",
    "AgreementApproval",
    "AgreementQuerySet",
    "AgreementRepresentative",
    "Answer",
    "AppendOnlyModel",
    "AskedMember",
    "Benefit",
    "Commitment",
    "Concern",
    "ConcernCheck",
    "ConcernCheckMonth",
    "ConcernCheckTotal",
    "ConcernMonth",
    "ConcernState",
    "CustomQuestion",
    "CustomQuestionKind",
    "ExportJob",
    "ImportJob",
    "LevelAssessment",
    "LevelProposal",
    "LevelProposalAnswer",
    "PartnerInvitation",
    "PartnerInvitationQuerySet",
    "PartnerLink",
    "Partnership",
    "PartnershipConcernMonth",
    "PartnershipState",
    "PartnershipView",
    "Party",
    "Questionnaire",
    "Reminder",
    "Respondent",
    "Responsibility",
    "Review",
    "TodoEntry",
    "export_path",
    "signed_scan_path",
]
