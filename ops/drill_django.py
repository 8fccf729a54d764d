"""The fault drill's two steps that read or write the cluster's database (run by ops/drill.py
with the cluster's environment): ``seed`` and ``verify``.

``seed OUT``: the demo world (seed_demo), then one signed-in session per writer of an
organisation with partnerships, made with Django's session store rather than the sign-in form
(the load is about the platform, not the password hasher); written to OUT as JSON with the
pages and forms each simulated user reads and writes.

``backup-files FOLDER`` copies the object store beside the dump; ``restored RECORD,SINCE,FOLDER``
checks a restored database against the load's record and the file backup.

``verify RECORD``: reads the load's record of writes (JSON lines: marker, acknowledged or not)
and checks each against the database: an acknowledged write is there exactly once, with its
history row and its notifications; an unacknowledged one is either whole or absent. Then the
e-mails: every notification to e-mail was claimed, each sent once (the file outbox). Answers
JSON on stdout.
"""

from __future__ import annotations

import email
import io
import json
import os
import secrets
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from notifications.models import Notification  # noqa: E402
from organisations.choices import MemberRole  # noqa: E402
from organisations.models import Membership  # noqa: E402
from partnerships import policy  # noqa: E402
from partnerships.models import Agreement, Commitment, ExportJob, Partnership  # noqa: E402

MARK = "drill-"


def seed(out: str) -> None:
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    users = []
    writers = Membership.objects.filter(role__in=[MemberRole.ADMIN, MemberRole.EDITOR])
    for membership in writers.select_related("user", "organisation"):
        organisation, user = membership.organisation, membership.user
        targets = []
        for partnership in Partnership.objects.filter(
            parties__organisation=organisation
        ).distinct():
            named = list(policy.nameable_parties(partnership))
            parties = [party for party in named if party.organisation_id != organisation.pk]
            if not parties or len(parties) == len(named):
                continue  # the organisation must take part, beside another one
            kwargs = {"org_slug": organisation.slug, "partnership_id": partnership.pk}
            targets.append(
                {
                    "workspace": reverse("partnerships:workspace", kwargs=kwargs),
                    "add": reverse("partnerships:commitment-add", kwargs=kwargs),
                    "party": parties[0].pk,
                }
            )
        if not targets:
            continue
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        slug = organisation.slug
        users.append(
            {
                "username": user.username,
                "sessionid": session.session_key,
                "csrftoken": secrets.token_hex(16),  # 32 characters: a CSRF secret
                "reads": [
                    reverse("partnerships:dashboard", kwargs={"org_slug": slug}),
                    reverse("partnerships:list", kwargs={"org_slug": slug}),
                ],
                "export": reverse("partnerships:export-start", kwargs={"org_slug": slug}),
                "targets": targets,
            }
        )
    Path(out).write_text(json.dumps(users))
    print(f"seeded: {len(users)} signed-in writers")


def outbox() -> list[email.message.Message]:
    """The e-mails the file back end wrote: one file per connection, messages separated by
    a line of 79 dashes."""
    messages = []
    for path in sorted(Path(settings.EMAIL_FILE_PATH).glob("*")):
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk))
    return messages


def body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(errors="replace")
    return ""


def verify(record: str) -> None:
    writes = [json.loads(line) for line in Path(record).read_text().splitlines() if line]
    acked = {w["marker"] for w in writes if w["acked"]}
    unacked = {w["marker"] for w in writes if not w["acked"]} - acked
    rows = Counter(
        Commitment.all_objects.filter(title__startswith=MARK).values_list("title", flat=True)
    )
    history = Counter(
        Commitment.history.filter(title__startswith=MARK, history_type="+").values_list(
            "title", flat=True
        )
    )
    found = sum(1 for marker in acked if rows[marker] >= 1)
    duplicated = sum(1 for marker in acked | unacked if rows[marker] > 1)
    no_history = sum(1 for marker in rows if history[marker] != rows[marker])
    unacked_present = sum(1 for marker in unacked if rows[marker])

    notifications = Notification.objects.filter(by_email=True)
    expected = notifications.count()
    unclaimed = notifications.filter(emailed_at__isnull=True).count()
    sent = Counter()
    for message in outbox():
        if message.get("List-Unsubscribe"):
            sent[(message.get("To"), message.get("Subject"), body(message))] += 1
    exports = Counter(ExportJob.objects.values_list("status", flat=True))
    print(
        json.dumps(
            {
                "writes": len(acked) + len(unacked),
                "acked": len(acked),
                "found": found,
                "lost": len(acked) - found,
                "duplicated_rows": duplicated,
                "without_history": no_history,
                "unacked_present_whole": unacked_present,
                "unacked_absent": len(unacked) - unacked_present,
                "emails_expected": expected,
                "emails_sent": sum(sent.values()),
                "emails_unique": len(sent),
                "emails_duplicate": sum(count - 1 for count in sent.values() if count > 1),
                "emails_unclaimed": unclaimed,
                "exports": dict(exports),
            }
        )
    )


def backup_files(folder: str) -> None:
    """Copy every object of the store into FOLDER (what `aws s3 sync` or rclone does), after
    the database's dump: objects are never overwritten, so each file the dump names is there."""
    from django.core.files.storage import default_storage

    def walk(prefix: str):
        folders, names = default_storage.listdir(prefix)
        for name in names:
            yield f"{prefix}/{name}" if prefix else name
        for sub in folders:
            yield from walk(f"{prefix}/{sub}" if prefix else sub)

    count = 0
    for name in walk(""):
        target = Path(folder) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source:
            target.write_bytes(source.read())
        count += 1
    print(json.dumps({"files_copied": count}))


def restored(arguments: str) -> None:
    """In the restored database (DATABASE_URL): the writes acknowledged before the dump began,
    and the files it names, looked for in the file backup."""
    record, since, folder = arguments.split(",")
    writes = [json.loads(line) for line in Path(record).read_text().splitlines() if line]
    before = {w["marker"] for w in writes if w["acked"] and w["t"] < float(since)}
    present = set(Commitment.all_objects.filter(title__in=before).values_list("title", flat=True))
    named = [job.file.name for job in ExportJob.objects.exclude(file="")]
    named += [agreement.signed_scan.name for agreement in Agreement.objects.exclude(signed_scan="")]
    missing = [name for name in named if not (Path(folder) / name).exists()]
    print(
        json.dumps(
            {
                "acked_before_dump": len(before),
                "found_in_restore": len(present),
                "files_named": len(named),
                "files_missing": len(missing),
            }
        )
    )


if __name__ == "__main__":
    {"seed": seed, "verify": verify, "backup-files": backup_files, "restored": restored}[
        sys.argv[1]
    ](sys.argv[2])
