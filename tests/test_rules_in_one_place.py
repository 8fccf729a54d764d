"""A rule lives in the policy layer; everything else asks it.

These tests read the source (no code runs) and fail on a copy of a rule outside its home: a
role compared in a template, view or serializer; a party state spelled out in a filter; the
privacy of concerns tested by hand. Each hit names the file and line, so a copy cannot drift
unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Where the rules live (and the vocabulary, data and history that must name the values).
HOMES = {
    "partnerships/policy.py",
    "organisations/permissions.py",
    "organisations/access.py",
}
# Vocabulary, database constraints, data and its history name the values without deciding.
NOT_RULES = ("/migrations/", "/demo/", "/management/commands/seed_", "choices.py", "/models")

# A role compared or filtered on, a party state or the privacy of concerns tested by hand.
COPIES = re.compile(
    r"can_write"
    r"|\brole\s*(==|!=)"
    r"|(==|!=)\s*MemberRole\."
    r"|\bin\s*\(?\s*MemberRole\."
    r"|==\s*['\"](admin|editor|viewer)['\"]"
    r"|(filter|exclude|Q)\([^)]*\brole(__in)?=\s*\[?\s*(MemberRole|WRITER)"
    r"|WRITER_ROLES"
    r"|invitation\s*(==|!=)\s*Invitation\.ACCEPTED"
    r"|(filter|exclude|Q)\([^)]*invitation=Invitation\.ACCEPTED"
    r"|left_on__isnull"
    r"|left_on is (not )?None"
    r"|visibility\s*(==|!=)"
    r"|Q\(visibility="
)


def rule_copies(folders: tuple[str, ...], suffixes: tuple[str, ...]) -> list[str]:
    hits = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.suffix not in suffixes or relative in HOMES:
                continue
            if any(part in f"/{relative}" for part in NOT_RULES):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if COPIES.search(line):
                    hits.append(f"{relative}:{number}: {line.strip()}")
    return hits


def test_templates_receive_decisions_and_never_compare_roles():
    assert rule_copies(("templates",), (".html", ".txt")) == []


def test_views_serializers_and_services_ask_the_policy():
    folders = ("partnerships", "organisations", "notifications", "core")
    existing = tuple(folder for folder in folders if (ROOT / folder).is_dir())
    assert rule_copies(existing, (".py",)) == []
