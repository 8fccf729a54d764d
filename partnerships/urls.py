from django.urls import path

from .views import (
    agreements,
    charts,
    dashboard,
    exports,
    imports,
    leaving,
    listing,
    manage,
    meeting,
    network,
    partner_invitations,
    proposals,
    questionnaire,
    records,
    reports,
    workspace,
)

app_name = "partnerships"

P = "partnerships/<int:partnership_id>/"
R = P + "reviews/<int:review_id>/"
A = P + "agreements/<int:agreement_id>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("todo/", dashboard.todo, name="todo"),
    path("charts/levels.svg", charts.levels_chart, name="chart-levels"),
    path("charts/concerns.svg", charts.concerns_chart, name="chart-concerns"),
    path("network/", network.network_map, name="network"),
    path("invitations/", manage.invitation_list, name="invitations"),
    path("invitations/<int:pk>/accept/", manage.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", manage.invitation_decline, name="invitation-decline"),
    path("partnerships/", listing.partnership_list, name="list"),
    path("partnerships/export.csv", listing.partnership_export, name="export"),
    path(
        "partnerships/export.xlsx",
        listing.partnership_export,
        {"file_format": "xlsx"},
        name="export-xlsx",
    ),
    *[
        path(
            f"exports/{kind}.{file_format}",
            listing.record_export_view,
            {"kind": kind, "file_format": file_format},
            name=f"export-{kind}" + ("" if file_format == "csv" else "-xlsx"),
        )
        for kind in ("commitments", "concerns")
        for file_format in ("csv", "xlsx")
    ],
    path("partnerships/exports/", exports.export_list, name="export-list"),
    path("partnerships/exports/new/", exports.export_start, name="export-start"),
    path("partnerships/exports/<int:pk>/", exports.export_detail, name="export-detail"),
    path(
        "partnerships/exports/<int:pk>/download/",
        exports.export_download,
        name="export-download",
    ),
    path("partnerships/import/", imports.import_start, name="import"),
    *[
        path(
            f"partnerships/import/template.{file_format}",
            imports.import_template,
            {"file_format": file_format},
            name="import-template" + ("" if file_format == "csv" else "-xlsx"),
        )
        for file_format in ("csv", "xlsx")
    ],
    path("partnerships/import/<int:pk>/", imports.import_detail, name="import-detail"),
    path("partnerships/import/<int:pk>/confirm/", imports.import_confirm, name="import-confirm"),
    path("partnerships/new/", manage.partnership_new, name="new"),
    path(P, workspace.workspace, name="workspace"),
    path(P + "edit/", manage.partnership_edit, name="edit"),
    path(P + "delete/", manage.partnership_remove, name="delete"),
    path(P + "invite/", manage.partnership_invite, name="invite"),
    path(P + "leave/", leaving.partnership_leave, name="leave"),
    path(P + "lead/", leaving.partnership_name_lead, name="name-lead"),
    path(
        P + "partner-invitations/",
        partner_invitations.invitation_list,
        name="partner-invitations",
    ),
    path(
        P + "partner-invitations/<int:pk>/resend/",
        partner_invitations.invitation_resend,
        name="partner-invitation-resend",
    ),
    path(
        P + "partner-invitations/<int:pk>/withdraw/",
        partner_invitations.invitation_withdraw,
        name="partner-invitation-withdraw",
    ),
    path(P + "charts/levels.svg", charts.partnership_levels_chart, name="chart-partnership-levels"),
    path(
        P + "charts/concerns.svg",
        charts.partnership_concerns_chart,
        name="chart-partnership-concerns",
    ),
    path(P + "levels/add/", records.level_add, name="level-add"),
    path(
        P + "level-proposals/<int:pk>/confirm/",
        proposals.level_proposal_confirm,
        name="level-proposal-confirm",
    ),
    path(
        P + "level-proposals/<int:pk>/refuse/",
        proposals.level_proposal_refuse,
        name="level-proposal-refuse",
    ),
    *[path(P + f"{tab}/", workspace.tab_view(tab), name=f"tab-{tab}") for tab in workspace.TABS],
    path(P + "responsibilities/add/", records.responsibility_add, name="responsibility-add"),
    path(
        P + "responsibilities/<int:pk>/edit/",
        records.responsibility_edit,
        name="responsibility-edit",
    ),
    path(
        P + "responsibilities/<int:pk>/delete/",
        records.responsibility_delete,
        name="responsibility-delete",
    ),
    path(
        P + "responsibilities/<int:pk>/restore/",
        records.responsibility_restore,
        name="responsibility-restore",
    ),
    path(P + "commitments/add/", records.commitment_add, name="commitment-add"),
    path(P + "commitments/<int:pk>/edit/", records.commitment_edit, name="commitment-edit"),
    path(P + "commitments/<int:pk>/done/", records.commitment_done, name="commitment-done"),
    path(P + "commitments/<int:pk>/delete/", records.commitment_delete, name="commitment-delete"),
    path(
        P + "commitments/<int:pk>/restore/", records.commitment_restore, name="commitment-restore"
    ),
    path(P + "concerns/add/", records.concern_add, name="concern-add"),
    path(P + "concerns/<int:pk>/edit/", records.concern_edit, name="concern-edit"),
    path(P + "concerns/<int:pk>/check/", records.concern_check, name="concern-check"),
    path(P + "concerns/<int:pk>/resolve/", records.concern_resolve, name="concern-resolve"),
    path(P + "pleasures/add/", records.benefit_add, name="benefit-add"),
    path(P + "pleasures/<int:pk>/edit/", records.benefit_edit, name="benefit-edit"),
    path(P + "pleasures/<int:pk>/delete/", records.benefit_delete, name="benefit-delete"),
    path(P + "pleasures/<int:pk>/restore/", records.benefit_restore, name="benefit-restore"),
    path(P + "reviews/add/", records.review_add, name="review-add"),
    path(P + "reviews/history/", meeting.review_history, name="review-history"),
    path(R, meeting.review_page, name="review"),
    path(R + "agenda/", meeting.review_agenda, name="review-agenda"),
    path(R + "agenda.pdf", meeting.review_agenda_pdf, name="review-agenda-pdf"),
    path(R + "review.ics", meeting.review_ics, name="review-ics"),
    path(R + "plan/", meeting.review_plan, name="review-plan"),
    path(R + "rate/", meeting.review_rate, name="review-rate"),
    path(R + "hold/", meeting.review_hold, name="review-hold"),
    path(R + "agreed-level/", meeting.review_agreed_level, name="review-agreed-level"),
    path(R + "checks/", meeting.review_checks, name="review-checks"),
    path(R + "minutes/", meeting.review_minutes, name="review-minutes"),
    path(
        R + "minutes/autosave/",
        meeting.review_minutes_autosave,
        name="review-minutes-autosave",
    ),
    path(R + "commitments/add/", meeting.review_commitment_add, name="review-commitment-add"),
    path(R + "pleasures/add/", meeting.review_benefit_add, name="review-benefit-add"),
    path(R + "close/", meeting.review_close, name="review-close"),
    path(R + "cancel/", meeting.review_cancel, name="review-cancel"),
    path(
        R + "questionnaire/open/",
        questionnaire.questionnaire_open,
        name="questionnaire-open",
    ),
    path(
        R + "questionnaire/close/",
        questionnaire.questionnaire_close,
        name="questionnaire-close",
    ),
    path(R + "questionnaire/", questionnaire.questionnaire_answer, name="questionnaire-answer"),
    path(
        R + "questionnaire/members/",
        questionnaire.questionnaire_members,
        name="questionnaire-members",
    ),
    path(
        R + "questionnaire/questions/add/",
        questionnaire.custom_question_add,
        name="questionnaire-question-add",
    ),
    path(
        R + "questionnaire/questions/<int:pk>/delete/",
        questionnaire.custom_question_delete,
        name="questionnaire-question-delete",
    ),
    path(P + "agreements/add/", agreements.agreement_add, name="agreement-add"),
    path(P + "agreements/diff/", agreements.agreement_diff, name="agreement-diff"),
    path(A + "edit/", agreements.agreement_edit, name="agreement-edit"),
    path(
        A + "representative/",
        agreements.agreement_representative,
        name="agreement-representative",
    ),
    path(A + "submit/", agreements.agreement_submit, name="agreement-submit"),
    path(A + "approve/", agreements.agreement_approve, name="agreement-approve"),
    path(A + "refuse/", agreements.agreement_refuse, name="agreement-refuse"),
    path(A + "scan/", agreements.agreement_scan, name="agreement-scan"),
    path(A + "scan/download/", agreements.agreement_scan_download, name="agreement-scan-download"),
    path(A + "print/", agreements.agreement_print, name="agreement-print"),
    path(A + "agreement.pdf", agreements.agreement_pdf, name="agreement-pdf"),
    path("reports/", reports.report_index, name="reports"),
    *[
        path(f"reports/{page.slug}/", reports.report_view(page), name=f"report-{page.slug}")
        for page in reports.PAGES
    ],
    *[
        path(
            f"reports/{page.slug}/{name}.svg",
            reports.chart_view(name),
            name=f"report-chart-{name}",
        )
        for page in reports.PAGES
        for name in page.charts
    ],
]
