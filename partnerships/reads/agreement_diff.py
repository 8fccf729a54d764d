"""What changed between two versions of an agreement, told so partners can read it.

Dates and levels as before → after; parties' roles, responsibilities and commitments as lines
added and removed; each clause as a word-level diff (difflib), so a changed sentence shows the
words that changed rather than the whole paragraph twice.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.dates import long_date
from partnerships.choices import CommitmentStatus, Level, PartyRole, ReviewCadence
from partnerships.models.agreements import CLAUSES, Agreement

WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class ValueChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class LinesChange:
    label: str
    added: list[str]
    removed: list[str]


@dataclass(frozen=True)
class ClauseChange:
    label: str
    segments: list[tuple[str, str]]  # ("equal" | "insert" | "delete", text)


@dataclass
class AgreementDiff:
    old: Agreement
    new: Agreement
    values: list[ValueChange] = field(default_factory=list)
    lines: list[LinesChange] = field(default_factory=list)
    clauses: list[ClauseChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.values or self.lines or self.clauses)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The text as segments kept, inserted and deleted, word by word (spaces kept)."""
    a, b = WORDS.findall(before or ""), WORDS.findall(after or "")
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def compare(old: Agreement, new: Agreement) -> AgreementDiff:
    """Every difference between ``old`` and ``new`` (any two versions, in either order)."""
    diff = AgreementDiff(old=old, new=new)
    before, after = old.snapshot or {}, new.snapshot or {}
    pairs = [
        (_("Start date"), _date(old.starts_on), _date(new.starts_on)),
        (_("End date"), _date(old.ends_on), _date(new.ends_on)),
        (
            _("Review cadence"),
            str(ReviewCadence(old.review_cadence).label),
            str(ReviewCadence(new.review_cadence).label),
        ),
        (
            _("Agreed level"),
            _level(before.get("agreed_level")),
            _level(after.get("agreed_level")),
        ),
        (
            _("Target level"),
            _level(before.get("target_level")),
            _level(after.get("target_level")),
        ),
    ]
    diff.values = [ValueChange(label, a, b) for label, a, b in pairs if a != b]
    for label, key, line in (
        (_("Parties and their roles"), "parties", _party_line),
        (_("Responsibilities"), "responsibilities", _responsibility_line),
        (_("Commitments"), "commitments", _commitment_line),
    ):
        old_lines = [line(item) for item in before.get(key, [])]
        new_lines = [line(item) for item in after.get(key, [])]
        added = [item for item in new_lines if item not in old_lines]
        removed = [item for item in old_lines if item not in new_lines]
        if added or removed:
            diff.lines.append(LinesChange(label, added, removed))
    for name, label in CLAUSES:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            diff.clauses.append(ClauseChange(str(label), word_diff(a, b)))
    return diff


def _date(value) -> str:
    return long_date(value) if value else "—"


def _level(value: int | None) -> str:
    return f"{value} · {Level(value).label}" if value else "—"


def _choice_label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _party_line(party: dict) -> str:
    return f"{party['name']} — {_choice_label(PartyRole, party['role'])}"


def _responsibility_line(item: dict) -> str:
    text = f"{item['party']} — {item['title']}"
    return f"{text}: {item['description']}" if item.get("description") else text


def _commitment_line(item: dict) -> str:
    due = item.get("due_on")
    status = _choice_label(CommitmentStatus, item.get("status", ""))
    text = f"{item['party']} — {item['title']} ({status})"
    if not due:
        return text
    return _("%(commitment)s, due %(date)s") % {
        "commitment": text,
        "date": _date(datetime.date.fromisoformat(due)),
    }
