"""Routes of the partnerships API. Kwarg names are fixed project-wide: ``partnership_id`` for a
partnership, ``org_slug`` for an organisation, ``concern_id`` for a parent concern and ``pk``
for the nested object itself (the URL-walk isolation tests fill them by name)."""

from __future__ import annotations

from django.urls import path

from . import (
    agreements,
    documents,
    exports,
    imports,
    network,
    proposals,
    questionnaires,
    records,
    views,
)

PARTNERSHIP = "partnerships/<int:partnership_id>/"


def _collection(name: str, list_view, detail_view) -> list:
    return [
        path(f"{PARTNERSHIP}{name}/", list_view.as_view(), name=f"partnership-{name}"),
        path(
            f"{PARTNERSHIP}{name}/<int:pk>/",
            detail_view.as_view(),
            name=f"partnership-{name}-detail",
        ),
    ]


urlpatterns = [
    path("imports/", imports.ImportListApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", imports.ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<int:pk>/confirm/", imports.ImportConfirmApi.as_view(), name="import-confirm"),
    path("partnerships/", views.PartnershipListApi.as_view(), name="partnership-list"),
    path(PARTNERSHIP, views.PartnershipDetailApi.as_view(), name="partnership-detail"),
    path(f"{PARTNERSHIP}parties/", views.PartyListApi.as_view(), name="partnership-parties"),
    path(
        f"{PARTNERSHIP}invitations/<slug:org_slug>/accept/",
        views.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
    path(
        f"{PARTNERSHIP}invitations/<slug:org_slug>/decline/",
        views.InvitationDeclineApi.as_view(),
        name="invitation-decline",
    ),
    path(f"{PARTNERSHIP}leave/", views.PartyLeaveApi.as_view(), name="partnership-leave"),
    path(f"{PARTNERSHIP}lead/", views.LeadNameApi.as_view(), name="partnership-lead"),
    path("invitations/", views.InvitationListApi.as_view(), name="invitation-list"),
    path("todo/", views.TodoApi.as_view(), name="todo"),
    path(
        f"{PARTNERSHIP}partner-invitations/",
        views.PartnerInvitationListApi.as_view(),
        name="partnership-partner-invitations",
    ),
    path(
        "partner-invitations/<int:pk>/",
        views.PartnerInvitationDetailApi.as_view(),
        name="partner-invitation-detail",
    ),
    *_collection("levels", records.LevelListApi, records.LevelDetailApi),
    *_collection(
        "level-proposals", proposals.LevelProposalListApi, proposals.LevelProposalDetailApi
    ),
    *[
        path(
            f"{PARTNERSHIP}level-proposals/<int:pk>/{step}/",
            view.as_view(),
            name=f"partnership-level-proposals-{step}",
        )
        for step, view in (
            ("confirm", proposals.LevelProposalConfirmApi),
            ("refuse", proposals.LevelProposalRefuseApi),
        )
    ],
    *_collection(
        "responsibilities", records.ResponsibilityListApi, records.ResponsibilityDetailApi
    ),
    *_collection("commitments", records.CommitmentListApi, records.CommitmentDetailApi),
    *_collection("concerns", records.ConcernListApi, records.ConcernDetailApi),
    path(
        f"{PARTNERSHIP}concerns/<int:concern_id>/checks/",
        records.CheckListApi.as_view(),
        name="partnership-concern-checks",
    ),
    path(
        f"{PARTNERSHIP}concerns/<int:concern_id>/checks/<int:pk>/",
        records.CheckDetailApi.as_view(),
        name="partnership-concern-checks-detail",
    ),
    *_collection("benefits", records.BenefitListApi, records.BenefitDetailApi),
    *[
        path(
            f"{PARTNERSHIP}{name}/<int:pk>/restore/",
            view.as_view(),
            name=f"partnership-{name}-restore",
        )
        for name, view in (
            ("responsibilities", records.ResponsibilityRestoreApi),
            ("commitments", records.CommitmentRestoreApi),
            ("benefits", records.BenefitRestoreApi),
        )
    ],
    *_collection("reviews", records.ReviewListApi, records.ReviewDetailApi),
    path(
        f"{PARTNERSHIP}reviews/<int:pk>/hold/",
        records.ReviewHoldApi.as_view(),
        name="partnership-reviews-hold",
    ),
    path(
        f"{PARTNERSHIP}reviews/<int:pk>/close/",
        records.ReviewCloseApi.as_view(),
        name="partnership-reviews-close",
    ),
    path(
        f"{PARTNERSHIP}reviews/<int:pk>/cancel/",
        records.ReviewCancelApi.as_view(),
        name="partnership-reviews-cancel",
    ),
    path(
        f"{PARTNERSHIP}reviews/<int:pk>/agenda.pdf",
        documents.ReviewAgendaPdfApi.as_view(),
        name="partnership-reviews-agenda-pdf",
    ),
    *[
        path(
            f"{PARTNERSHIP}reviews/<int:pk>/questionnaire/{suffix}",
            view.as_view(),
            name=f"partnership-reviews-questionnaire{name}",
        )
        for suffix, name, view in (
            ("", "", questionnaires.QuestionnaireApi),
            ("close/", "-close", questionnaires.QuestionnaireCloseApi),
            ("answers/", "-answers", questionnaires.QuestionnaireAnswersApi),
            ("results/", "-results", questionnaires.QuestionnaireResultsApi),
            ("members/", "-members", questionnaires.QuestionnaireMembersApi),
        )
    ],
    *_collection(
        "questionnaire-questions",
        questionnaires.CustomQuestionListApi,
        questionnaires.CustomQuestionDetailApi,
    ),
    *_collection("agreements", agreements.AgreementListApi, agreements.AgreementDetailApi),
    path(
        f"{PARTNERSHIP}agreements/<int:pk>/agreement.pdf",
        documents.AgreementPdfApi.as_view(),
        name="partnership-agreements-pdf",
    ),
    *[
        path(
            f"{PARTNERSHIP}agreements/<int:pk>/{step}/",
            view.as_view(),
            name=f"partnership-agreements-{step}",
        )
        for step, view in (
            ("submit", agreements.AgreementSubmitApi),
            ("approve", agreements.AgreementApproveApi),
            ("refuse", agreements.AgreementRefuseApi),
            ("representative", agreements.AgreementRepresentativeApi),
        )
    ],
    path("reports/summary/", views.SummaryApi.as_view(), name="report-summary"),
    path("network/", network.NetworkApi.as_view(), name="network"),
    path(
        "organisations/<slug:org_slug>/exports/commitments/",
        exports.CommitmentExportApi.as_view(),
        name="export-commitments",
    ),
    path(
        "organisations/<slug:org_slug>/exports/concerns/",
        exports.ConcernExportApi.as_view(),
        name="export-concerns",
    ),
]
