"""A real Celery worker consumes the tasks from the local Redis: what eager mode cannot prove.

The messages go through the broker (serialised, with ids only) and a worker runs them, with
its own retries and acknowledgements. Without Redis these tests skip on a user's machine and
fail in CI (``tests.services.require``).

The tests use a Celery app of their own, configured like the project's but with the broker
below, and made current while they run: the project's app keeps its in-process settings (and
the connection pool that in-process calls create) for the other tests, and no message can
reach another broker.

The worker runs in a thread of the test process (``celery.contrib.testing.worker``) so that it
sees the test database; the tests commit their data (``transaction=True``). SQLite's test
database lives in memory, so the worker borrows the test's connection, as Django's live server
thread does. To keep that deterministic the two never use the database at the same time: a
test only waits while the worker runs a task, and starts it after its own requests.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from contextlib import contextmanager

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from config.celery import app as project_app
from notifications.tasks import send_commitment_reminders, send_review_reminders, send_weekly_digest
from partnerships.models import ExportJob, Reminder
from tests.factories import CommitmentFactory, MembershipFactory, UserFactory
from tests.services import require

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Database 5: never the default database 0 that a developer's own Redis data may live in.
BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/5")
TASK_TIMEOUT = 30


def broker_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Worker:
    """Starts a worker on demand and waits for the tasks it finishes."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        self.finished: list[dict] = []
        self.condition = threading.Condition()
        main = connections["default"]
        self.shared_connection = (
            main if main.vendor == "sqlite" and main.is_in_memory_db() else None
        )

    # Signal receivers: they run in the worker's thread.
    def before_task(self, **kwargs) -> None:
        if self.shared_connection is not None:
            connections["default"] = self.shared_connection

    def after_task(self, task_id, task, retval, state, **kwargs) -> None:
        with self.condition:
            self.finished.append(
                {"id": task_id, "name": task.name, "state": state, "retval": retval}
            )
            self.condition.notify_all()

    @contextmanager
    def running(self):
        if self.shared_connection is not None:
            self.shared_connection.inc_thread_sharing()
        try:
            with start_worker(self.app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                yield self
        finally:
            if self.shared_connection is not None:
                self.shared_connection.dec_thread_sharing()

    def wait_for(self, *, task_id: str | None = None, name: str | None = None) -> dict:
        deadline = time.monotonic() + TASK_TIMEOUT
        with self.condition:
            while True:
                for record in self.finished:
                    if record["id"] == task_id or record["name"] == name:
                        assert record["state"] == "SUCCESS", record
                        return record
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"the worker did not finish {task_id or name} in time"
                self.condition.wait(remaining)

    def run(self, task, *args):
        """Send the task through the broker and return what the worker's run returned."""
        return self.wait_for(task_id=task.delay(*args).id)["retval"]


@pytest.fixture
def worker():
    require(broker_reachable(), f"Redis is not reachable at {BROKER_URL}")
    app = Celery("partenariats-worker-tests", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False, worker_hijack_root_logger=False)
    app.set_current()  # the tasks' .delay() now sends through this app
    app.control.purge()  # nothing left over from an interrupted run
    controller = Worker(app)
    task_prerun.connect(controller.before_task, weak=False)
    task_postrun.connect(controller.after_task, weak=False)
    try:
        yield controller
    finally:
        task_prerun.disconnect(controller.before_task)
        task_postrun.disconnect(controller.after_task)
        app.close()  # its broker connections stay in kombu's pool for the next test
        project_app.set_current()
        project_app.set_default()


@pytest.fixture
def cora(org_c):
    user = UserFactory(username="cora", language="en")
    MembershipFactory(user=user, organisation=org_c, role="admin")
    return user


def test_the_worker_sends_each_reminder_once(
    worker, partnership, org_a, owner, editor, viewer, cora, mailoutbox
):
    partnership.next_review_on = timezone.localdate() + datetime.timedelta(days=2)
    partnership.save()
    CommitmentFactory(party=partnership.parties.get(organisation=org_a), due_on="2000-01-01")
    with worker.running():
        first = [worker.run(task) for task in (send_review_reminders, send_commitment_reminders)]
        again = [worker.run(task) for task in (send_review_reminders, send_commitment_reminders)]
        digests = [worker.run(send_weekly_digest), worker.run(send_weekly_digest)]
    assert first == [3, 2]  # alice, bob and cora; then alice and bob for A's commitment
    assert again == [0, 0]
    assert digests == [4, 0]
    assert len(mailoutbox) == 3 + 2 + 4
    assert Reminder.objects.count() == 9
    review = next(m for m in mailoutbox if m.to == ["cora@example.org"])
    assert review.subject == "Review due: Lecture au collège"


def test_the_worker_builds_an_export_served_only_to_its_organisation(
    worker, client, partnership, owner, viewer, outsider, org_b
):
    client.force_login(owner)
    response = client.post(
        reverse("partnerships:export-start", args=["association-a"]), {"file_format": "xlsx"}
    )
    job = ExportJob.objects.get()
    assert job.status == "pending"  # sent to the broker, not run in the request
    with worker.running():
        worker.wait_for(name="partnerships.tasks.export_report")
    job.refresh_from_db()
    assert (job.status, job.row_count) == ("done", 1)

    download = reverse("partnerships:export-download", args=["association-a", job.pk])
    assert response["Location"] == reverse(
        "partnerships:export-detail", args=["association-a", job.pk]
    )
    client.force_login(viewer)
    served = client.get(download)
    assert served.status_code == 200
    assert b"".join(served.streaming_content).startswith(b"PK")  # an XLSX is a zip file
    client.force_login(outsider)
    assert client.get(download).status_code == 404
    own = reverse("partnerships:export-download", args=[org_b.slug, job.pk])
    assert client.get(own).status_code == 404


def test_the_worker_reads_a_large_import_then_writes_it_once_confirmed(
    worker, client, owner, org_a, outsider
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerships.models import ImportJob, Partnership
    from partnerships.services.imports import BACKGROUND_ROWS

    rows = ["Titre;Statut"] + [f"Partenariat {n};Actif" for n in range(BACKGROUND_ROWS + 1)]
    client.force_login(owner)
    client.post(
        reverse("partnerships:import", args=["association-a"]),
        {"file": SimpleUploadedFile("grand.csv", "\n".join(rows).encode("cp1252"))},
    )
    job = ImportJob.objects.get()
    assert job.status == "analysing"  # sent to the broker, not read in the request
    with worker.running():
        worker.wait_for(name="partnerships.tasks.import_analyse")
    job.refresh_from_db()
    assert job.status == "ready"
    assert {row["action"] for row in job.preview} == {"create"}
    detail = reverse("partnerships:import-detail", args=["association-a", job.pk])
    client.force_login(outsider)
    assert client.get(detail).status_code == 404
    client.force_login(owner)
    confirm = reverse("partnerships:import-confirm", args=["association-a", job.pk])
    assert client.post(confirm, {}).status_code == 302
    job.refresh_from_db()
    assert job.status == "confirming"  # written by the worker, not in the request
    assert Partnership.objects.count() == 0
    with worker.running():
        worker.wait_for(name="partnerships.tasks.import_confirm")
    job.refresh_from_db()
    assert job.status == "confirmed"
    assert Partnership.objects.filter(status="active").count() == BACKGROUND_ROWS + 1
