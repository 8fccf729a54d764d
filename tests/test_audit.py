"""Audit completeness: every write path leaves history naming who acted.

Bulk writes (``update()``, ``bulk_update()``, ``bulk_create()``) on an audited model skip the
history; they fail at run time (the session guard of tests/conftest.py) and in the code (the
scan below) unless they go through ``partnerships.services.audit``.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from notifications import tasks as notification_tasks
from notifications.tasks import send_weekly_digest
from partnerships import tasks
from partnerships.models import Agreement, Commitment, ExportJob, Partnership, Review
from partnerships.services.audit import (
    BULK_WRITES,
    UnrecordedWrite,
    audited_update,
    is_audited,
    recorded_bulk_write,
)
from partnerships.services.partnerships import SCOPE_CHANGE_REASON, partnership_create
from partnerships.services.records import record_save
from tests.factories import AgreementFactory, CommitmentFactory, ExportJobFactory, ReviewFactory
from tests.forms import form_data

pytestmark = pytest.mark.django_db
SOURCE_PACKAGES = ("config", "core", "notifications", "organisations", "partnerships", "privacy")
AUDIT_MODULE = Path("partnerships/services/audit.py")
# The benchmark's generator writes everything in bulk inside one recorded_bulk_write()
# (ScaleBuilder.build) and writes each row's history itself: tests/partnerships/test_seed_scale.py
# checks that the history agrees with the rows.
RECORDED_MODULES = {
    AUDIT_MODULE,
    Path("partnerships/demo/scale.py"),
    Path("partnerships/demo/bulk.py"),
}


# --- The static scan ----------------------------------------------------------------------
def _root_name(node: ast.AST) -> str | None:
    """The name a chain like ``Model.objects.filter(...).update`` starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _allowed_block(node: ast.With) -> bool:
    return any(
        isinstance(item.context_expr, ast.Call)
        and _root_name(item.context_expr.func) in {"recorded_bulk_write", "audit"}
        for item in node.items
    )


class _Scan(ast.NodeVisitor):
    def __init__(self, audited: set[str]):
        self.audited = audited
        self.querysets: set[str] = set()  # names bound to a queryset of an audited model
        self.allowed_depth = 0
        self.found: list[int] = []

    def visit_With(self, node: ast.With) -> None:
        allowed = _allowed_block(node)
        self.allowed_depth += allowed
        self.generic_visit(node)
        self.allowed_depth -= allowed

    def visit_Assign(self, node: ast.Assign) -> None:
        if _root_name(node.value) in self.audited | self.querysets:
            self.querysets |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in BULK_WRITES
            and not self.allowed_depth
            and _root_name(func.value) in self.audited | self.querysets
        ):
            self.found.append(node.lineno)
        self.generic_visit(node)


def unrecorded_bulk_writes(source: str, audited: set[str]) -> list[int]:
    """Lines of ``source`` with a bulk write on an audited model outside the audit helpers."""
    scan = _Scan(audited)
    scan.visit(ast.parse(source))
    return scan.found


def audited_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if is_audited(model)}


def test_the_scan_finds_bulk_writes_on_audited_models_and_only_those():
    source = """
def direct():
    Commitment.objects.filter(pk=1).update(title="x")

def through_a_name(objs):
    pending = Concern.objects.filter(status="open")
    pending.bulk_update(objs, ["status"])

def allowed(objs):
    with recorded_bulk_write():
        Commitment.objects.bulk_update(objs, ["title"])

def not_audited():
    ExportJob.objects.filter(pk=1).update(status="failed")
    context = {}
    context.update(title="x")
"""
    assert unrecorded_bulk_writes(source, audited_model_names()) == [3, 7]


def test_no_code_writes_audited_models_in_bulk_without_history():
    base = Path(settings.BASE_DIR)
    audited = audited_model_names()
    offenders = [
        f"{path.relative_to(base)}:{line}"
        for package in SOURCE_PACKAGES
        for path in sorted((base / package).rglob("*.py"))
        if path.relative_to(base) not in RECORDED_MODULES
        for line in unrecorded_bulk_writes(path.read_text(), audited)
    ]
    assert offenders == [], (
        "use partnerships.services.audit.audited_update (history with the actor)"
    )


# --- The run-time guard -------------------------------------------------------------------
def test_a_bulk_update_of_an_audited_model_fails(partnership, org_a):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    queryset = Commitment.objects.filter(pk=commitment.pk)  # out of the scan's sight
    with pytest.raises(UnrecordedWrite):
        queryset.update(title="Sans trace")
    with pytest.raises(UnrecordedWrite):
        Commitment.objects.bulk_update([commitment], ["title"])
    assert Commitment.objects.get().title == "Send the calendar"


def test_bulk_writes_of_models_without_history_are_left_alone(org_a):
    job = ExportJobFactory(organisation=org_a)
    assert ExportJob.objects.filter(pk=job.pk).update(status="failed") == 1


def test_an_audited_update_records_a_history_row_per_row_with_the_actor(partnership, org_a, editor):
    party = partnership.parties.get(organisation=org_a)
    first, second = CommitmentFactory(party=party), CommitmentFactory(party=party)
    changed = audited_update(
        Commitment.objects.filter(party=party), actor=editor, reason="tri", status="dropped"
    )
    assert changed == 2
    for commitment in (first, second):
        commitment.refresh_from_db()
        assert (commitment.status, commitment.version) == ("dropped", 2)
        latest = commitment.history.first()
        assert (latest.status, latest.history_user, latest.history_change_reason) == (
            "dropped",
            editor,
            "tri",
        )


def test_recorded_bulk_write_lets_the_caller_write_in_bulk(partnership, org_a):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    with recorded_bulk_write():
        Commitment.objects.filter(pk=commitment.pk).update(title="Écrit en bloc")
    assert Commitment.objects.get().title == "Écrit en bloc"


def test_deleting_a_review_still_empties_the_links_to_it(partnership, org_a):
    review = ReviewFactory(partnership=partnership)
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a), review=review)
    review.delete()  # on_delete=SET_NULL is Django's own update()
    commitment.refresh_from_db()
    assert commitment.review is None


# --- Each write path names who acted ------------------------------------------------------
def test_a_page_post_records_the_signed_in_user(client, editor, partnership, org_a):
    client.force_login(editor)
    url = reverse(
        "partnerships:commitment-add",
        kwargs={"org_slug": "association-a", "partnership_id": partnership.pk},
    )
    party = partnership.parties.get(organisation=org_a)
    response = client.post(url, {"party": party.pk, "title": "Affiches", "status": "planned"})
    assert response.status_code == 302
    assert Commitment.objects.get().history.get().history_user == editor


def test_an_api_write_records_the_token_user(editor, partnership):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.post(
        f"/api/v1/partnerships/{partnership.pk}/commitments/",
        {"party": "association-a", "title": "Affiches"},
        format="json",
    )
    assert response.status_code == 201
    commitment = Commitment.objects.get()
    patched = client.patch(
        f"/api/v1/partnerships/{partnership.pk}/commitments/{commitment.pk}/",
        {"status": "in_progress", "version": 1},
        format="json",
    )
    assert patched.status_code == 200
    assert [row.history_user for row in commitment.history.all()] == [editor, editor]


def test_an_admin_change_records_the_staff_member_and_moves_the_version(
    client, superuser, partnership, org_a
):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    client.force_login(superuser)
    url = reverse("admin:partnerships_commitment_change", args=[commitment.pk])
    data = form_data(client.get(url).content.decode(), "commitment_form")
    data["title"] = "Corrigé par l'équipe"
    assert client.post(url, data).status_code == 302
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Corrigé par l'équipe", 2)
    assert commitment.history.first().history_user == superuser


def test_a_service_call_outside_any_request_records_its_actor_even_on_derived_changes(
    owner, org_a, org_b
):
    partnership = partnership_create(
        actor=owner, organisation=org_a, title="Forum", partners=[(org_b, "partner")]
    )
    rows = Partnership.history.filter(id=partnership.pk)
    assert rows.count() >= 2  # created, then its scope worked out from the first party
    assert {row.history_user for row in rows} == {owner}
    assert SCOPE_CHANGE_REASON in {row.history_change_reason for row in rows}


def test_background_tasks_leave_no_history_row_without_a_user_or_a_reason(
    partnership, org_a, owner, editor, mailoutbox
):
    today = timezone.localdate()
    party = partnership.parties.get(organisation=org_a)
    CommitmentFactory(party=party, due_on=today - datetime.timedelta(days=1))
    partnership.next_review_on = today + datetime.timedelta(days=3)
    partnership.save()
    job = ExportJobFactory(organisation=org_a, requested_by=editor, status="pending", file="")
    expired = AgreementFactory(
        partnership=partnership,
        state="in_force",
        in_force_at=timezone.now(),
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=1),
    )
    started = timezone.now()

    notification_tasks.send_agreement_expiry_reminders()
    assert Agreement.objects.get(pk=expired.pk).state == "ended"
    notification_tasks.send_review_reminders()
    notification_tasks.send_commitment_reminders()
    tasks.export_report(job.pk)
    tasks.delete_old_exports()
    send_weekly_digest()

    assert mailoutbox, "the tasks ran on real data"
    unexplained = [
        f"{model.__name__} #{row.pk}"
        for model in apps.get_models()
        if is_audited(model)
        for row in model.history.filter(history_date__gte=started)
        if row.history_user_id is None and not row.history_change_reason
    ]
    assert unexplained == []


def test_every_model_people_edit_is_audited():
    people_edit = {
        "Partnership",
        "Party",
        "LevelAssessment",
        "Responsibility",
        "Commitment",
        "Concern",
        "ConcernCheck",
        "Benefit",
        "Review",
        "Organisation",
        "Membership",
    }
    assert people_edit <= audited_model_names()
    assert is_audited(Review) and not is_audited(ExportJob)


def test_an_admin_save_over_a_newer_version_is_refused_keeping_what_was_typed(
    client, superuser, partnership, org_a, editor
):
    commitment = CommitmentFactory(party=partnership.parties.get(organisation=org_a))
    client.force_login(superuser)
    url = reverse("admin:partnerships_commitment_change", args=[commitment.pk])
    data = form_data(client.get(url).content.decode(), "commitment_form")
    assert data["edited_version"] == "1"
    commitment.title = "Changé sur la page"
    record_save(actor=editor, organisation=org_a, record=commitment)  # version 2
    response = client.post(url, {**data, "title": "Changé dans l'admin"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a modifié cet engagement" in body
    assert "Changé dans l&#x27;admin" in body
    commitment.refresh_from_db()
    assert (commitment.title, commitment.version) == ("Changé sur la page", 2)


def test_signing_in_leaves_no_history_row_without_a_user(client, editor):
    editor.set_password("un-mot-de-passe-solide")
    editor._history_user = editor
    editor.save()
    rows_before = editor.history.count()
    response = client.post(
        reverse("account_login"), {"login": "bob", "password": "un-mot-de-passe-solide"}
    )
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.last_login is not None
    # last_login is left out of the history: stamping it records nothing, rather than a row
    # that names nobody.
    assert editor.history.count() == rows_before
