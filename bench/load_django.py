"""The two steps of ``make load`` that read or write the database directly (run by
bench/loadtest.py with the same DATABASE_URL as the server): ``prepare`` and ``verify``.

``prepare OUT [--users 50]``: signed-in sessions and API tokens made in the database (Django's
session store, DRF's token table) rather than through the sign-in form, so the sign-in limits
are not touched and the load is about the pages, not the password hasher. Written to OUT as
JSON: the head organisation's pages for the capacity phase, and one simulated editor per
organisation (the head first) with the pages it reads and the records it may write.

``verify RECORD``: reads the load's record of writes (JSON: kind, marker, acknowledged or not)
and looks each marker up: an acknowledged level or concern check is a row carrying it, an
acknowledged commitment update a history row of the commitment carrying it. Answers JSON on
stdout: per kind, how many were acknowledged, found and lost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# What one simulated member may write, at most, per kind: enough to spread the writes.
TARGETS_PER_KIND = 4
CANDIDATE_PARTNERSHIPS = 12


def session_cookie(user) -> str:
    """The key of a new session signed in as ``user``, as ``login()`` would store it."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        load_backend,
    )

    # The backend login() would record: the first that can load a user (as force_login picks).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def api_token(user) -> str:
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=user)
    return token.key


def capacity_plan() -> dict:
    """The head organisation's administrator and the pages the capacity phase asks for."""
    from django.urls import reverse

    from bench.pages import busiest_organisation, busiest_partnership, member_of

    head = busiest_organisation()
    admin = member_of(head)
    partnership = busiest_partnership(head)
    return {
        "organisation": head.slug,
        "username": admin.username,
        "sessionid": session_cookie(admin),
        "token": api_token(admin),
        "partnership": partnership.pk,
        "pages": [
            {"name": "profile", "url": reverse("profile"), "auth": "session"},
            *[
                {"name": name, "url": reverse(route, args=args), "auth": "session"}
                for name, route, args in (
                    ("dashboard", "partnerships:dashboard", [head.slug]),
                    ("list", "partnerships:list", [head.slug]),
                    ("workspace", "partnerships:workspace", [head.slug, partnership.pk]),
                )
            ],
            {"name": "API list", "url": reverse("api:partnership-list"), "auth": "token"},
        ],
    }


def writable_partnerships(user, organisation) -> list:
    """Some partnerships where ``user`` may write for ``organisation``, as the policy says."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from partnerships import policy
    from partnerships.models import Partnership

    actor = policy.Actor.of(user, organisation)
    found = []
    candidates = Partnership.objects.for_organisation(organisation).order_by("pk")
    for partnership in candidates[:CANDIDATE_PARTNERSHIPS]:
        try:
            policy.require_writer(actor, partnership)
        except (PermissionDenied, Http404):  # NotVisible is a 404; "has left" a refusal
            continue
        found.append(partnership)
    return found


def member_plan(membership) -> dict | None:
    """One simulated editor: what it reads and what it may write (None: nothing to write)."""
    from django.urls import reverse

    from partnerships import policy
    from partnerships.choices import INTENSITY_MAX, INTENSITY_MIN, ConcernStatus, Level
    from partnerships.models import Commitment, Concern
    from partnerships.views.reports import PAGES

    user, organisation = membership.user, membership.organisation
    partnerships = writable_partnerships(user, organisation)
    if not partnerships:
        return None
    own = [policy.party_of(organisation, p).pk for p in partnerships]
    concerns = (
        Concern.objects.visible_to(user)
        .filter(partnership__in=partnerships)
        .exclude(status=ConcernStatus.RESOLVED)
        .order_by("pk")
        .values("pk", "partnership_id")[:TARGETS_PER_KIND]
    )
    # Only commitments of its own party: no two simulated members change the same one, so a
    # 409 (stale version) would be a real fault, not two users racing.
    commitments = (
        Commitment.objects.filter(party__in=own)
        .order_by("pk")
        .values("pk", "partnership_id", "version")[:TARGETS_PER_KIND]
    )
    slug = organisation.slug
    return {
        "organisation": slug,
        "username": user.username,
        "sessionid": session_cookie(user),
        "token": api_token(user),
        "reads": {
            "dashboard": reverse("partnerships:dashboard", args=[slug]),
            "list": reverse("partnerships:list", args=[slug]),
            "workspace": [
                reverse("partnerships:workspace", args=[slug, p.pk]) for p in partnerships
            ],
            "report": [reverse(f"partnerships:report-{page.slug}", args=[slug]) for page in PAGES],
            "API list": reverse("api:partnership-list"),
        },
        "levels": [
            reverse("api:partnership-levels", kwargs={"partnership_id": p.pk})
            for p in partnerships[:TARGETS_PER_KIND]
        ],
        "concerns": [
            reverse(
                "api:partnership-concern-checks",
                kwargs={"partnership_id": c["partnership_id"], "concern_id": c["pk"]},
            )
            for c in concerns
        ],
        "commitments": [
            {
                "url": reverse(
                    "api:partnership-commitments-detail",
                    kwargs={"partnership_id": c["partnership_id"], "pk": c["pk"]},
                ),
                "version": c["version"],
            }
            for c in commitments
        ],
        "level_range": [Level.SERVICE.value, Level.FUSION.value],
        "intensity_range": [INTENSITY_MIN, INTENSITY_MAX],
    }


def prepare(users: int) -> dict:
    """The capacity phase's head administrator and ``users`` editors of different
    organisations with partnerships (the head's first), each with something of every kind
    to write."""
    from django.db.models import Case, Value, When

    from bench.pages import busiest_organisation
    from organisations.choices import MemberRole
    from organisations.models import Membership

    head = busiest_organisation()
    editors = (
        # Editors are picked as the simulated members; whether they may write where they
        # do is the policy's answer (member_plan asks it).
        Membership.objects.filter(role=MemberRole.EDITOR, organisation__active=True)
        .annotate(head_first=Case(When(organisation=head, then=Value(0)), default=Value(1)))
        .select_related("user", "organisation")
        .order_by("head_first", "organisation__pk", "pk")
    )
    members, seen = [], set()
    for membership in editors:
        if membership.organisation_id in seen or not membership.user.is_active:
            continue
        plan = member_plan(membership)
        if plan and plan["levels"] and plan["concerns"] and plan["commitments"]:
            members.append(plan)
            seen.add(membership.organisation_id)
        if len(members) == users:
            break
    if len(members) < users:
        raise SystemExit(f"only {len(members)} organisations have an editor with writes to do")
    return {"capacity": capacity_plan(), "members": members, "world": world(head)}


def world(head) -> str:
    from organisations.models import Organisation
    from partnerships.models import Partnership

    return (
        f"{Partnership.objects.count():,} partnerships, {Organisation.objects.count():,} "
        f"organisations; `{head.slug}` party to "
        f"{Partnership.objects.for_organisation(head).count():,}"
    )


def verify(writes: list[dict]) -> dict:
    """Per kind of write: acknowledged, found (acknowledged and in the database), lost."""
    from partnerships.models import Commitment, ConcernCheck, LevelAssessment

    lookups = {
        "level": lambda markers: LevelAssessment.objects.filter(rationale__in=markers),
        "concern check": lambda markers: ConcernCheck.objects.filter(note__in=markers),
        "commitment": lambda markers: Commitment.history.filter(description__in=markers),
    }
    fields = {"level": "rationale", "concern check": "note", "commitment": "description"}
    outcome = {}
    for kind, lookup in lookups.items():
        acked = {w["marker"] for w in writes if w["kind"] == kind and w["acked"]}
        found = set(lookup(acked).values_list(fields[kind], flat=True)) if acked else set()
        outcome[kind] = {
            "sent": sum(1 for w in writes if w["kind"] == kind),
            "acked": len(acked),
            "found": len(found),
            "lost": len(acked - found),
        }
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    prepare_step = steps.add_parser("prepare")
    prepare_step.add_argument("out")
    prepare_step.add_argument("--users", type=int, default=50)
    verify_step = steps.add_parser("verify")
    verify_step.add_argument("record")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    if args.step == "prepare":
        Path(args.out).write_text(json.dumps(prepare(args.users)))
    else:
        print(json.dumps(verify(json.loads(Path(args.record).read_text()))))


if __name__ == "__main__":
    main()
