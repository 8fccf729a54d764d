"""Importing the partnerships an organisation tracks in a spreadsheet (CSV, XLSX, ODS).

Three steps: ``import_start`` reads the file (tablib) into text cells and guesses the mapping
of its columns (the organisation's last mapping first, then the column titles in French or
English, case and accents aside); ``import_analyse`` says what each row would do (create,
update, unchanged, or its errors per field) without writing anything; ``import_confirm``
writes every row in one transaction through the same services as the pages (policy, history,
notifications and e-mails after the commit), or nothing.

What a row means: the importing organisation is the lead party; partners on the platform are
invited (never made parties on their behalf), partners not on it are invited by e-mail (one
``partner_email`` column per partner not on the platform, in order); the level of the file is
the importing organisation's perceived level, and a proposal of the agreed level (nobody
agrees alone) made at once when other parties already take part, else kept on the importing
party and made when the first partner accepts (``propose_imported_level``). A row matches an
existing partnership of the importing organisation by its ``id`` (its own partnerships only)
or by title plus partners, which makes importing the same file twice change nothing.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import validate_date_in_range
from core.numbers import whole_number
from core.retry import TRANSIENT_ERRORS
from organisations.models import Organisation
from partnerships import policy
from partnerships.choices import (
    CONCERN_CATEGORIES,
    AssessmentKind,
    ConcernKind,
    ImportStatus,
    Level,
    PartnershipStatus,
    PartyRole,
    ProposalState,
    ReviewCadence,
    Visibility,
)
from partnerships.exceptions import StateConflict
from partnerships.models import (
    Commitment,
    Concern,
    ImportJob,
    LevelAssessment,
    LevelProposal,
    PartnerInvitation,
    Partnership,
    Party,
    Responsibility,
)
from partnerships.services import state as read_model

if TYPE_CHECKING:
    from organisations.models import User

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
NUL_MARK = "\u2400"  # ␀, in place of a NUL character read from the file
# More rows than this are read in the background; the page and the API follow the job.
BACKGROUND_ROWS = 500
FORMATS = ("csv", "xlsx", "ods")
IGNORE = "ignore"

# The fields a column can fill, in the template's order, with the title of their column.
FIELDS = {
    "id": gettext_lazy("Id"),
    "title": gettext_lazy("Title"),
    "purpose": gettext_lazy("Purpose"),
    "partners": gettext_lazy("Partner organisations"),
    "partner_email": gettext_lazy("Partner contact e-mail"),
    "status": gettext_lazy("Status"),
    "starts_on": gettext_lazy("Start date"),
    "ends_on": gettext_lazy("End date"),
    "agreed_level": gettext_lazy("Agreed level"),
    "target_level": gettext_lazy("Target level"),
    "review_cadence": gettext_lazy("Review cadence"),
    "next_review_on": gettext_lazy("Next review"),
    "responsibilities": gettext_lazy("Responsibilities"),
    "commitments": gettext_lazy("Commitments"),
    "concerns": gettext_lazy("Fears and resistances"),
}
RECORD_FIELDS = ("responsibilities", "commitments", "concerns")
TEMPLATE_FIELDS = [name for name in FIELDS if name != "id"]
EXTRA_EMAIL = re.compile(r"^partner_email_([2-9]|[1-9][0-9])$")

# Column titles people write, beyond the fields' own titles in each language (compared
# without case, accents or punctuation).
SYNONYMS = {
    "id": ["id", "identifiant", "identifier", "numero", "no"],
    "title": ["titre", "intitule", "nom du partenariat", "partenariat", "partnership", "name"],
    "purpose": ["objet", "objectif", "objectifs", "but", "description", "purpose", "objective"],
    "partners": [
        "partenaire",
        "partenaires",
        "partner",
        "partners",
        "organisation partenaire",
        "organisations partenaires",
        "structure partenaire",
        "structures partenaires",
        "partner organisation",
        "partner organisation s",
        "partner organisations",
        "parties",
        "partenaire s",
        "organisation s partenaire s",
    ],
    "partner_email": [
        "email",
        "e mail",
        "courriel",
        "contact",
        "mail",
        "email du contact",
        "courriel du contact",
        "e mail du contact",
        "email contact",
        "contact email",
        "contact e mail",
        "partner email",
        "partner e mail",
        "partner contact email",
        "courriel du partenaire",
        "e mail du partenaire",
        "email du partenaire",
    ],
    "status": ["statut", "etat", "status", "state"],
    "starts_on": ["debut", "date de debut", "depuis", "start", "start date", "since", "starts on"],
    "ends_on": ["fin", "date de fin", "end", "end date", "ends on"],
    "agreed_level": ["niveau", "level", "niveau convenu", "agreed level", "niveau de partenariat"],
    "target_level": ["niveau vise", "niveau cible", "target", "target level", "objectif de niveau"],
    "review_cadence": [
        "cadence",
        "rythme",
        "rythme des revues",
        "periodicite",
        "frequence des revues",
    ],
    "next_review_on": ["prochaine revue", "date de la prochaine revue", "next review date"],
    "responsibilities": ["responsabilites", "qui fait quoi", "roles", "responsibilities"],
    "commitments": ["engagements", "engagement", "commitments", "commitment"],
    "concerns": ["craintes", "peurs", "resistances", "craintes et resistances", "concerns"],
}
KIND_WORDS = {"peur": "fear", "crainte": "fear", "craintes": "fear", "resistance": "resistance"}
SHARED_WORDS = {"shared", "partage", "partagee", "partagé", "partagée"}
CADENCE_WORDS = {
    "mensuel": 1,
    "mensuelle": 1,
    "monthly": 1,
    "trimestriel": 3,
    "trimestrielle": 3,
    "quarterly": 3,
    "semestriel": 6,
    "semestrielle": 6,
    "half yearly": 6,
    "annuel": 12,
    "annuelle": 12,
    "yearly": 12,
    "annual": 12,
}


class ImportRefused(ValidationError):
    """The file or the mapping cannot be used (the API answers 400)."""


# --- Text helpers -------------------------------------------------------------------------
def normalise(value: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: how names and titles compare."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9@.]+", " ", text.lower()).split())


def _in_languages(label) -> set[str]:
    names = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(normalise(str(label)))
    return names


@functools.cache
def _header_names() -> dict[str, str]:
    """Normalised column title → field."""
    names = {}
    for name, label in FIELDS.items():
        for text in [*SYNONYMS.get(name, []), *_in_languages(label), name.replace("_", " ")]:
            names.setdefault(normalise(text), name)
    return names


@functools.cache
def _choice_words(choices) -> dict[str, object]:
    words = {}
    for value, label in choices.choices:
        words[normalise(str(value))] = value
        words.update(dict.fromkeys(_in_languages(label), value))
    return words


# --- Reading the file ---------------------------------------------------------------------
def _decode(content: bytes) -> str:
    """UTF-8 (with or without its byte order mark), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(content: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Column titles and rows of cells as text, from a CSV, XLSX or ODS file.

    The title row is the first with at least half as many filled cells as the widest of the
    first rows (a title merged across the columns above it is skipped); empty rows are kept
    as empty lists so line numbers stay those of the file.
    """
    if len(content) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 10 MB."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise ImportRefused(_("Choose a CSV, XLSX or ODS file."))
    dataset = tablib.Dataset()
    try:
        if extension == "csv":
            text = _decode(content)
            first = text.split("\n", 1)[0]
            delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        else:
            dataset.load(io.BytesIO(content), format=extension, headers=False)
            rows = [list(row) for row in dataset]
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(
            _("This file could not be read as a %(format)s file.") % {"format": extension.upper()}
        ) from error
    # A NUL cannot be stored (PostgreSQL's JSON refuses it): kept as a visible mark, which the
    # row's check reports as an error where it is.
    rows = [[_cell(value).replace("\x00", NUL_MARK) for value in row] for row in rows]
    rows = [row[: _width(row)] for row in rows]
    widest = max((sum(1 for v in row if v) for row in rows[:10]), default=0)
    start = next(
        (i for i, row in enumerate(rows[:10]) if widest and sum(1 for v in row if v) * 2 >= widest),
        None,
    )
    if start is None:
        raise ImportRefused(_("The file is empty."))
    header = rows[start]
    body = rows[start + 1 :]
    width = max([len(header), *(len(row) for row in body)])
    headers = _unique_headers(header + [""] * (width - len(header)))
    lines = [(start + 2 + i, row + [""] * (width - len(row))) for i, row in enumerate(body)]
    data = [[str(line), *row] for line, row in lines if any(row)]
    if len(data) > MAX_ROWS:
        raise ImportRefused(
            _("The file has more than %(count)s rows: split it.") % {"count": MAX_ROWS}
        )
    if any(NUL_MARK in title for title in headers):
        raise ImportRefused(_("A column title holds a character that is not allowed."))
    return headers, data


def _width(row: list[str]) -> int:
    width = len(row)
    while width and not row[width - 1]:
        width -= 1
    return width


def _unique_headers(header: list[str]) -> list[str]:
    seen: set[str] = set()
    titles = []
    for position, title in enumerate(header, start=1):
        title = title or _("Column %(number)s") % {"number": position}
        base, n = title, 2
        while title in seen:
            title, n = f"{base} ({n})", n + 1
        seen.add(title)
        titles.append(title)
    return titles


# --- Mapping ------------------------------------------------------------------------------
def valid_field(name: str) -> bool:
    return name == IGNORE or name in FIELDS or bool(EXTRA_EMAIL.match(name))


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict:
    """Each column's field: the organisation's last mapping for a title it knows, else its
    title in either language (``partner_email_2`` for a second e-mail column, …)."""
    names = _header_names()
    mapping: dict[str, str] = {}
    used: set[str] = set()
    emails = 0
    for header in headers:
        guess = (remembered or {}).get(header)
        if guess is None or not valid_field(guess) or (guess != IGNORE and guess in used):
            key = normalise(header)
            guess = names.get(key)
            if guess is None:
                stripped = re.sub(r"\s*\d+$", "", key)
                guess = names.get(stripped) if stripped != key else None
            if guess == "partner_email" or (guess and guess.startswith("partner_email")):
                emails += 1
                guess = "partner_email" if emails == 1 else f"partner_email_{emails}"
            if guess is None or guess in used:
                guess = IGNORE
        if guess != IGNORE:
            used.add(guess)
        mapping[header] = guess
    return mapping


def clean_mapping(headers: list[str], mapping: dict) -> dict[str, str]:
    """A mapping given by a person: known columns, known fields, each field once, a title."""
    if not isinstance(mapping, dict):
        raise ImportRefused({"mapping": _("Give the mapping as {column title: field}.")})
    errors = []
    cleaned = dict.fromkeys(headers, IGNORE)
    used: set[str] = set()
    for header, name in mapping.items():
        if header not in cleaned:
            errors.append(_("The file has no column “%(column)s”.") % {"column": header})
        elif not isinstance(name, str) or not valid_field(name):
            errors.append(_("“%(field)s” is not a field of the import.") % {"field": name})
        elif name != IGNORE and name in used:
            errors.append(_("Two columns are mapped to “%(field)s”.") % {"field": name})
        else:
            used.add(name)
            cleaned[header] = name
    if not errors and "title" not in cleaned.values():
        errors.append(_("Map one column to the title."))
    if errors:
        raise ImportRefused({"mapping": errors})
    return cleaned


def remembered_mapping(organisation: Organisation) -> dict[str, str]:
    last = (
        ImportJob.objects.filter(organisation=organisation)
        .exclude(mapping={})
        .values_list("mapping", flat=True)
        .first()
    )
    return last or {}


# --- Values -------------------------------------------------------------------------------
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(text: str) -> datetime.date:
    """dd/mm/yyyy (or with - or .), ISO yyyy-mm-dd, or a spreadsheet's day number."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        if re.fullmatch(r"\d{4,5}", text) and 20000 <= int(text) <= 80000:
            return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    except ValueError:
        pass
    raise ValueError(text)


def parse_level(text: str) -> int:
    match = re.match(r"^\s*([1-7])(\D|$)", text)
    if match:
        return int(match.group(1))
    words = _choice_words(Level)
    key = normalise(text)
    if key in words:
        return int(words[key])
    for name, value in Level.__members__.items():
        if key == name.lower():
            return int(value)
    # "coopération": the label's main word, in either language.
    for word, value in words.items():
        if key and key in word.split():
            return int(value)
    raise ValueError(text)


def parse_status(text: str) -> str:
    words = _choice_words(PartnershipStatus)
    key = normalise(text)
    if key in words:
        return str(words[key])
    extra = {
        "actif": "active",
        "en cours": "active",
        "propose": "proposed",
        "termine": "ended",
        "en pause": "paused",
        "suspendu": "paused",
        "fini": "ended",
    }
    if key in extra:
        return extra[key]
    raise ValueError(text)


def parse_cadence(text: str) -> int:
    key = normalise(text)
    if whole_number(key, 4) in ReviewCadence.values:
        return int(key)
    words = _choice_words(ReviewCadence)
    if key in words:
        return int(words[key])
    if key in CADENCE_WORDS:
        return CADENCE_WORDS[key]
    raise ValueError(text)


# --- Analysis -----------------------------------------------------------------------------
@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, object] = field(default_factory=dict)
    partners: list[dict] = field(default_factory=list)
    action: str = "create"
    partnership: Partnership | None = None
    changes: list[str] = field(default_factory=list)
    records: dict[str, list] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "action": "error" if self.errors else self.action,
            "errors": self.errors,
            "title": self.values.get("title", ""),
            "partnership": self.partnership.pk if self.partnership else None,
            "partners": self.partners,
            "changes": self.changes,
        }


class Directory:
    """Organisations on the platform, by exact and by normalised name (one query)."""

    def __init__(self, importer: Organisation):
        self.exact: dict[str, list[Organisation]] = {}
        self.loose: dict[str, list[Organisation]] = {}
        for organisation in (
            Organisation.objects.active().exclude(pk=importer.pk).only("pk", "name", "slug")
        ):
            self.exact.setdefault(organisation.name.strip(), []).append(organisation)
            self.loose.setdefault(normalise(organisation.name), []).append(organisation)
        self.importer = importer

    def find(self, name: str) -> list[Organisation]:
        return self.exact.get(name.strip()) or self.loose.get(normalise(name), [])


class Existing:
    """The importing organisation's partnerships, by id and by title plus partners, with its
    current perceived and target levels (three queries)."""

    def __init__(self, importer: Organisation):
        self.by_id: dict[int, Partnership] = {}
        self.names: dict[int, set[str]] = {}
        self.by_title: dict[str, list[Partnership]] = {}
        own = Partnership.objects.filter(
            pk__in=Party.objects.filter(policy.taking_part(), organisation=importer).values(
                "partnership"
            )
        )
        for partnership in own:
            self.by_id[partnership.pk] = partnership
            self.names[partnership.pk] = set()
            self.by_title.setdefault(normalise(partnership.title), []).append(partnership)
        for partnership_id, name, organisation_id in Party.objects.filter(
            partnership__in=own
        ).values_list("partnership_id", "organisation__name", "organisation_id"):
            if organisation_id != importer.pk:
                self.names[partnership_id].add(normalise(name))
        for partnership_id, name in PartnerInvitation.objects.filter(
            partnership__in=own
        ).values_list("partnership_id", "organisation_name"):
            self.names[partnership_id].add(normalise(name))
        self.perceived: dict[int, int] = {}
        self.target: dict[int, int] = {}
        targets = (
            LevelAssessment.objects.filter(partnership__in=own, kind=AssessmentKind.TARGET)
            .order_by("assessed_on", "pk")
            .values_list("partnership_id", "level")
        )
        for partnership_id, level in targets:
            self.target[partnership_id] = level
        perceived = (
            LevelAssessment.objects.filter(
                partnership__in=own, kind=AssessmentKind.PERCEIVED, party__organisation=importer
            )
            .order_by("assessed_on", "pk")
            .values_list("partnership_id", "level")
        )
        for partnership_id, level in perceived:
            self.perceived[partnership_id] = level
        self.records: dict[tuple[int, str], set] = {}
        mine = {"partnership__in": own, "party__organisation": importer}
        for name, model in (("responsibilities", Responsibility), ("commitments", Commitment)):
            for partnership_id, title in model.objects.filter(**mine).values_list(
                "partnership_id", "title"
            ):
                self.records.setdefault((partnership_id, name), set()).add(normalise(title))
        for partnership_id, kind, category, description in Concern.objects.filter(
            partnership__in=own, raised_by__organisation=importer
        ).values_list("partnership_id", "kind", "category", "description"):
            self.records.setdefault((partnership_id, "concerns"), set()).add(
                (kind, category, normalise(description))
            )

    def match(self, title: str, partner_names: set[str]) -> Partnership | None:
        candidates = self.by_title.get(normalise(title), [])
        same = [p for p in candidates if self.names[p.pk] == partner_names]
        within = [p for p in candidates if partner_names <= self.names[p.pk]]
        return (same or within or [None])[0]


DATE_FIELDS = ("starts_on", "ends_on", "next_review_on")
PARTNERSHIP_FIELDS = (
    "purpose",
    "status",
    "starts_on",
    "ends_on",
    "review_cadence",
    "next_review_on",
)


def _row_values(headers: list[str], mapping: dict[str, str], cells: list[str]) -> dict:
    values = {}
    for header, cell in zip(headers, cells, strict=False):
        name = mapping.get(header, IGNORE)
        if name != IGNORE:
            values[name] = cell
    return values


def _check_row(row: Row, directory: Directory, resolve: dict[str, str]) -> None:
    values = row.values
    for name, text in values.items():
        if NUL_MARK in text:
            row.error(name, _("This text holds a character that is not allowed (NUL)."))
    if row.errors:
        return
    title = values.get("title", "").strip()
    if not title:
        row.error("title", _("A partnership needs a title."))
    elif len(title) > 200:
        row.error("title", _("A title has at most 200 characters."))
    row.fields["title"] = title
    row.fields["purpose"] = values.get("purpose", "").strip()
    for name in DATE_FIELDS:
        text = values.get(name, "").strip()
        if text:
            try:
                row.fields[name] = parse_date(text)
                validate_date_in_range(row.fields[name])
            except ValidationError as error:
                row.fields.pop(name, None)
                row.error(name, " ".join(error.messages))
            except ValueError:
                row.error(
                    name,
                    _("“%(value)s” is not a date: write dd/mm/yyyy or yyyy-mm-dd.")
                    % {"value": text},
                )
    starts, ends = row.fields.get("starts_on"), row.fields.get("ends_on")
    if starts and ends and ends < starts:
        row.error("ends_on", _("The end date cannot come before the start date."))
    for name in ("agreed_level", "target_level"):
        text = values.get(name, "").strip()
        if text:
            try:
                row.fields[name] = parse_level(text)
            except ValueError:
                row.error(
                    name,
                    _("“%(value)s” is not a level: write 1 to 7 or its name.") % {"value": text},
                )
    text = values.get("status", "").strip()
    if text:
        try:
            row.fields["status"] = parse_status(text)
        except ValueError:
            row.error(
                "status",
                _("“%(value)s” is not a status: %(choices)s.")
                % {
                    "value": text,
                    "choices": ", ".join(str(label) for label in PartnershipStatus.labels),
                },
            )
    text = values.get("review_cadence", "").strip()
    if text:
        try:
            row.fields["review_cadence"] = parse_cadence(text)
        except ValueError:
            row.error(
                "review_cadence",
                _("“%(value)s” is not a review cadence: %(choices)s.")
                % {
                    "value": text,
                    "choices": ", ".join(str(label) for label in ReviewCadence.labels),
                },
            )
    _check_partners(row, directory, resolve)
    _check_records(row, directory.importer)


def _items(text: str) -> list[list[str]]:
    """One record per line or per “;”, its parts separated by “|”."""
    items = []
    for item in re.split(r"[;\n]", text):
        if item.strip():
            items.append([" ".join(part.split()) for part in item.split("|")])
    return items


def _check_records(row: Row, importer: Organisation) -> None:
    """Responsibilities (titles), commitments (title | due date, the importing organisation
    owning them: partners own theirs once they have joined) and fears and resistances
    (kind | category | intensity 0 to 5 | description | “shared”: private otherwise)."""
    responsibilities = []
    for parts in _items(row.values.get("responsibilities", "")):
        if len(parts[0]) > 200:
            row.error("responsibilities", _("A title has at most 200 characters."))
        responsibilities.append(parts[0])
    row.fields["responsibilities"] = responsibilities
    commitments = []
    for parts in _items(row.values.get("commitments", "")):
        title, due = parts[0], None
        if not title or len(title) > 200:
            row.error("commitments", _("A commitment needs a title of at most 200 characters."))
            continue
        for part in parts[1:]:
            if not part:
                continue
            try:
                due = parse_date(part)
                validate_date_in_range(due)
            except ValidationError as error:
                row.error("commitments", " ".join(error.messages))
            except ValueError:
                if normalise(part) != normalise(importer.name):
                    row.error(
                        "commitments",
                        _(
                            "“%(title)s”: only your organisation can own a commitment here; "
                            "partners record theirs once they have joined."
                        )
                        % {"title": title},
                    )
        commitments.append((title, due))
    row.fields["commitments"] = commitments
    concerns = []
    for parts in _items(row.values.get("concerns", "")):
        parts += [""] * (5 - len(parts))
        kind_text, category_text, intensity_text, description, shared = parts[:5]
        kind = KIND_WORDS.get(normalise(kind_text)) or _choice_words(ConcernKind).get(
            normalise(kind_text)
        )
        if kind is None:
            row.error(
                "concerns",
                _("“%(value)s” is not a kind of concern: fear or resistance.")
                % {"value": kind_text},
            )
            continue
        category = _choice_words(CONCERN_CATEGORIES[kind]).get(normalise(category_text))
        if category is None:
            row.error(
                "concerns",
                _("“%(value)s” is not a category of %(kind)s: %(choices)s.")
                % {
                    "value": category_text,
                    "kind": ConcernKind(kind).label,
                    "choices": ", ".join(str(label) for label in CONCERN_CATEGORIES[kind].labels),
                },
            )
            continue
        intensity = None
        if intensity_text:
            intensity = whole_number(intensity_text, 2)
            if intensity is None or intensity > 5:
                row.error(
                    "concerns",
                    _("“%(value)s” is not an intensity from 0 to 5.") % {"value": intensity_text},
                )
                continue
        if not description:
            row.error("concerns", _("A fear or resistance needs a description."))
            continue
        concerns.append(
            {
                "kind": str(kind),
                "category": str(category),
                "intensity": intensity,
                "description": description,
                "visibility": Visibility.SHARED
                if normalise(shared) in SHARED_WORDS
                else Visibility.PRIVATE,
            }
        )
    row.fields["concerns"] = concerns


def _new_records(row: Row, existing: Existing, partnership_id: int | None) -> dict[str, list]:
    """The records of the row that its partnership does not hold yet (all for a new one)."""

    def known(name):
        return existing.records.get((partnership_id, name), set()) if partnership_id else set()

    return {
        "responsibilities": [
            title
            for title in row.fields.get("responsibilities", [])
            if normalise(title) not in known("responsibilities")
        ],
        "commitments": [
            item
            for item in row.fields.get("commitments", [])
            if normalise(item[0]) not in known("commitments")
        ],
        "concerns": [
            item
            for item in row.fields.get("concerns", [])
            if (item["kind"], item["category"], normalise(item["description"]))
            not in known("concerns")
        ],
    }


def _emails(values: dict[str, str]) -> list[tuple[str, str]]:
    extra = sorted(
        (name for name in values if EXTRA_EMAIL.match(name)), key=lambda n: int(n.rsplit("_")[-1])
    )
    columns = ["partner_email", *extra]
    return [(name, values.get(name, "").strip()) for name in columns]


def _check_partners(row: Row, directory: Directory, resolve: dict[str, str]) -> None:
    names = []
    for name in re.split(r"[;\n]", row.values.get("partners", "")):
        name = " ".join(name.split())
        if name and normalise(name) not in {normalise(n) for n in names}:
            names.append(name)
    emails = iter(_emails(row.values))
    for name in names:
        if len(name) > 200:
            row.error("partners", _("A partner's name has at most 200 characters."))
            continue
        if normalise(name) == normalise(directory.importer.name):
            continue  # the importing organisation itself (an export lists every party)
        found = directory.find(name)
        if len(found) > 1:
            chosen = [o for o in found if o.slug == resolve.get(name)]
            if not chosen:
                row.partners.append({"name": name, "candidates": [o.slug for o in found]})
                row.error(
                    "partners",
                    _("“%(name)s” may be %(candidates)s: say which.")
                    % {
                        "name": name,
                        "candidates": _(" or ").join(f"{o.name} ({o.slug})" for o in found),
                    },
                )
                continue
            found = chosen
        if found:
            row.partners.append(
                {"name": found[0].name, "organisation": found[0].slug, "id": found[0].pk}
            )
            continue
        column, email = next(emails, ("partner_email", ""))
        if not email:
            row.error(
                "partners",
                _(
                    "“%(name)s” is not on the platform: give its contact's e-mail address "
                    "to invite it."
                )
                % {"name": name},
            )
            continue
        try:
            validate_email(email)
        except ValidationError:
            row.error(column, _("“%(value)s” is not an e-mail address.") % {"value": email})
            continue
        row.partners.append({"name": name, "email": email.lower()})


def _compare(row: Row, existing: Existing, mapped: set[str]) -> None:
    partnership = row.partnership
    if partnership.title != row.fields["title"]:  # matched by its id
        row.changes.append("title")
    for name in PARTNERSHIP_FIELDS:
        if name in mapped and name in row.fields:
            value = row.fields.get(name, "")
            if getattr(partnership, name) != value:
                row.changes.append(name)
    if (
        "agreed_level" in row.fields
        and existing.perceived.get(partnership.pk) != row.fields["agreed_level"]
    ):
        row.changes.append("agreed_level")
    if (
        "target_level" in row.fields
        and existing.target.get(partnership.pk) != row.fields["target_level"]
    ):
        row.changes.append("target_level")
    known = existing.names[partnership.pk]
    if any(normalise(p["name"]) not in known for p in row.partners):
        row.changes.append("partners")
    for name, items in _new_records(row, existing, partnership.pk).items():
        if items:
            row.changes.append(name)
    row.action = "update" if row.changes else "unchanged"


def analyse(job: ImportJob, resolve: dict[str, str] | None = None) -> list[Row]:
    """What each row of the job would do, with its errors per field; writes nothing."""
    resolve = resolve or {}
    directory = Directory(job.organisation)
    existing = Existing(job.organisation)
    mapped = {name for name in job.mapping.values() if name != IGNORE}
    rows = []
    seen: dict[tuple, int] = {}
    for cells in job.rows:
        row = Row(line=int(cells[0]), values=_row_values(job.headers, job.mapping, cells[1:]))
        _check_row(row, directory, resolve)
        if not row.errors:
            partner_names = {normalise(p["name"]) for p in row.partners}
            key = (normalise(row.fields["title"]), frozenset(partner_names))
            if key in seen:
                row.error(
                    "title", _("The same partnership as line %(line)s.") % {"line": seen[key]}
                )
            seen.setdefault(key, row.line)
            identifier = row.values.get("id", "").strip()
            if whole_number(identifier) in existing.by_id:
                row.partnership = existing.by_id[whole_number(identifier)]
            else:  # an id of another organisation's partnership is ignored
                row.partnership = existing.match(row.fields["title"], partner_names)
            if row.partnership is not None and not row.errors:
                _compare(row, existing, mapped)
            row.records = _new_records(
                row, existing, row.partnership.pk if row.partnership else None
            )
        rows.append(row)
    return rows


def summary(rows: Iterable[dict]) -> dict[str, int]:
    counts = dict.fromkeys(("create", "update", "unchanged", "error"), 0)
    for row in rows:
        counts[row["action"]] += 1
    return counts


# --- Jobs ---------------------------------------------------------------------------------
def _actor(user: User, organisation: Organisation) -> policy.Actor:
    return policy.Actor.of(user, organisation)


@transaction.atomic
def import_start(
    *,
    actor: User,
    organisation: Organisation,
    content: bytes,
    filename: str,
    mapping: dict | None = None,
    language: str | None = None,
) -> ImportJob:
    """Read the file and record the job; a small one is analysed at once, a large one by a
    worker once this transaction commits."""
    policy.require_organisation_writer(_actor(actor, organisation))
    headers, rows = read_table(content, filename)
    if mapping:
        mapping = clean_mapping(headers, mapping)
    else:
        mapping = guess_mapping(headers, remembered_mapping(organisation))
    job = ImportJob.objects.create(
        organisation=organisation,
        requested_by=actor,
        filename=filename[-255:],
        headers=headers,
        rows=rows,
        mapping=mapping,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    _schedule(job)
    return job


def _schedule(job: ImportJob) -> None:
    if len(job.rows) > BACKGROUND_ROWS:
        from partnerships.tasks import import_analyse  # the tasks module imports this one

        transaction.on_commit(functools.partial(import_analyse.delay, job.pk), robust=True)
    else:
        import_preview(job)


@transaction.atomic
def import_remap(*, actor: User, job: ImportJob, mapping: dict) -> ImportJob:
    """A new mapping of the file's columns: read again, never after the import was confirmed."""
    policy.require_organisation_writer(_actor(actor, job.organisation))
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportStatus.CONFIRMED:
        raise StateConflict(_("This import was already confirmed."))
    job.mapping = clean_mapping(job.headers, mapping)
    job.status = ImportStatus.ANALYSING
    job.save(update_fields=["mapping", "status"])
    _schedule(job)
    return job


def import_preview(job: ImportJob) -> ImportJob:
    """Analyse the rows in the job's language and keep the preview."""
    with translation.override(job.language):
        job.preview = [row.as_json() for row in analyse(job)]
    job.status = ImportStatus.READY
    job.finished_at = timezone.now()
    job.save(update_fields=["preview", "status", "finished_at"])
    return job


def import_analyse_job(job_id: int) -> ImportJob | None:
    """The worker's part: analyse a job still waiting (a message delivered twice is ignored)."""
    job = ImportJob.objects.select_related("organisation", "requested_by").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.ANALYSING:
        return job
    if not _actor(job.requested_by, job.organisation).writes:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error="The person who asked may no longer import."
        )
        return job
    return import_preview(job)


class ImportHasErrors(ValidationError):
    """Rows with errors, and the person did not say to skip them (400, nothing written)."""


def confirmable(job: ImportJob) -> bool:
    """Whether the page offers to confirm the import: read, and not confirmed yet."""
    return job.status == ImportStatus.READY


def _require_confirmable(job: ImportJob, status: str, resolve) -> None:
    if job.status != status:
        raise StateConflict(
            _("This import was already confirmed.")
            if job.status == ImportStatus.CONFIRMED
            else _("This import is not ready to be confirmed.")
        )
    if resolve is not None and (
        not isinstance(resolve, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in resolve.items())
    ):
        raise ImportRefused({"resolve": _("Give {partner name: organisation short name}.")})


@transaction.atomic
def import_confirm_start(
    *,
    actor: User,
    job: ImportJob,
    skip_errors: bool = False,
    resolve: dict[str, str] | None = None,
) -> ImportJob:
    """Confirm an import: at once up to ``BACKGROUND_ROWS`` rows (``import_confirm``), else by
    a worker once this transaction commits (the job is ``confirming`` until then, and its page
    or ``status_url`` says how it ended: confirmed, or ready again with the reason in
    ``error``, nothing written)."""
    if len(job.rows) <= BACKGROUND_ROWS:
        return import_confirm(actor=actor, job=job, skip_errors=skip_errors, resolve=resolve)
    policy.require_organisation_writer(_actor(actor, job.organisation))
    job = ImportJob.objects.select_for_update().select_related("organisation").get(pk=job.pk)
    _require_confirmable(job, ImportStatus.READY, resolve)
    counts = summary(job.preview)
    if counts["error"] and not skip_errors and not resolve:
        # Told now, as for a small file (only a ``resolve`` may clear errors: the worker sees).
        error = ImportHasErrors(
            _("%(count)s rows have errors: correct them, or choose to import without them.")
            % {"count": counts["error"]}
        )
        error.rows = job.preview
        raise error
    job.status = ImportStatus.CONFIRMING
    job.confirmed_by = actor
    job.confirm_options = {"skip_errors": bool(skip_errors), "resolve": resolve or {}}
    job.error = ""
    job.save(update_fields=["status", "confirmed_by", "confirm_options", "error"])
    from partnerships.tasks import import_confirm as confirm_task  # it imports this module

    job_id = job.pk  # a lambda, not a partial: a robust callback's error is logged by name
    transaction.on_commit(lambda: confirm_task.delay(job_id), robust=True)
    return job


def import_confirm_job(job_id: int) -> ImportJob | None:
    """The worker's part: confirm a job still waiting for it (a message delivered twice is
    ignored). Refused (rows in error, rights lost, a value a service refused), nothing is
    written and the job is ready again, with the reason in its language."""
    job = (
        ImportJob.objects.select_related("organisation", "confirmed_by")
        .filter(pk=job_id, status=ImportStatus.CONFIRMING)
        .first()
    )
    if job is None:
        return job
    options = job.confirm_options or {}
    try:
        if job.confirmed_by is None:
            raise PermissionDenied
        return import_confirm(
            actor=job.confirmed_by,
            job=job,
            skip_errors=bool(options.get("skip_errors")),
            resolve=options.get("resolve") or None,
            _status=ImportStatus.CONFIRMING,
        )
    except ImportHasErrors as error:
        import_confirm_refused(job.pk, " ".join(error.messages), preview=error.rows)
    except (PermissionDenied, Http404):
        with translation.override(job.language):
            import_confirm_refused(job.pk, _("The person who confirmed may no longer import."))
    except ValidationError as error:
        import_confirm_refused(job.pk, " ".join(error.messages))
    except TRANSIENT_ERRORS:
        raise  # the task tries again later; the job waits, confirming
    except Exception:
        import_confirm_fail(job.pk)  # a bug a retry would repeat: nothing was written
        raise
    return ImportJob.objects.filter(pk=job_id).first()


def import_confirm_fail(job_id: int) -> None:
    """The worker's retries are used up: nothing was written (one transaction), so the job is
    ready to be confirmed again."""
    job = ImportJob.objects.filter(pk=job_id).only("pk", "language").first()
    if job is not None:
        with translation.override(job.language):
            import_confirm_refused(
                job.pk, _("The import did not finish and wrote nothing: confirm it again.")
            )


def import_confirm_refused(job_id: int, error: str, preview: list | None = None) -> None:
    """A confirmation in the background that did not go through: ready again, with why."""
    fields = {"status": ImportStatus.READY, "error": error}
    if preview is not None:
        fields["preview"] = preview
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.CONFIRMING).update(**fields)


@transaction.atomic
def import_confirm(
    *,
    actor: User,
    job: ImportJob,
    skip_errors: bool = False,
    resolve: dict[str, str] | None = None,
    _status: str = ImportStatus.READY,
) -> ImportJob:
    """Write every row in one transaction, or nothing: rows with errors stop it unless
    ``skip_errors``. Returns the job with its ``result``: counts per action."""
    organisation = job.organisation
    policy.require_organisation_writer(_actor(actor, organisation))
    job = ImportJob.objects.select_for_update().select_related("organisation").get(pk=job.pk)
    _require_confirmable(job, _status, resolve)
    with translation.override(job.language):
        rows = analyse(job, resolve)
    preview = [row.as_json() for row in rows]
    counts = summary(preview)
    if counts["error"] and not skip_errors:
        error = ImportHasErrors(
            _("%(count)s rows have errors: correct them, or choose to import without them.")
            % {"count": counts["error"]}
        )
        error.rows = preview
        raise error
    with read_model.deferred():  # each partnership's read model once, not after every record
        for row in rows:
            if not row.errors and row.action in ("create", "update"):
                _write(actor, organisation, row, job.mapping)
    job.preview = preview
    job.result = {
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "skipped": counts["error"],
    }
    job.status = ImportStatus.CONFIRMED
    job.error = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["preview", "result", "status", "error", "finished_at"])
    return job


def _write(actor: User, organisation: Organisation, row: Row, mapping: dict) -> None:
    from partnerships.services.partner_invitations import partner_invite_by_email
    from partnerships.services.partnerships import (
        partnership_create,
        partnership_update,
        party_invite,
    )
    from partnerships.services.records import level_record

    fields = {name: row.fields[name] for name in PARTNERSHIP_FIELDS if name in row.fields}
    on_platform = {p["id"]: p for p in row.partners if "id" in p}
    partnership = row.partnership
    if partnership is None:
        partnership = partnership_create(
            actor=actor,
            organisation=organisation,
            title=row.fields["title"],
            role=PartyRole.LEAD,
            partners=[
                (organisation_, PartyRole.PARTNER)
                for organisation_ in Organisation.objects.filter(pk__in=on_platform)
            ],
            **fields,
        )
        invite = [p for p in row.partners if "email" in p]
    else:
        changed = {name: fields.get(name, "") for name in PARTNERSHIP_FIELDS if name in row.changes}
        if "title" in row.changes:
            changed["title"] = row.fields["title"]
        if changed:
            partnership = partnership_update(
                actor=actor,
                organisation=organisation,
                partnership=partnership,
                version=partnership.version,
                **changed,
            )
        invite = []
        if "partners" in row.changes:
            present = set(
                Party.objects.filter(partnership=partnership).values_list(
                    "organisation_id", flat=True
                )
            )
            pending = {
                normalise(name)
                for name in PartnerInvitation.objects.filter(partnership=partnership).values_list(
                    "organisation_name", flat=True
                )
            }
            for organisation_ in Organisation.objects.filter(pk__in=on_platform).exclude(
                pk__in=present
            ):
                party_invite(
                    actor=actor,
                    acting=organisation,
                    partnership=partnership,
                    organisation=organisation_,
                    role=PartyRole.PARTNER,
                )
            invite = [
                p for p in row.partners if "email" in p and normalise(p["name"]) not in pending
            ]
    for partner in invite:
        partner_invite_by_email(
            actor=actor,
            acting=organisation,
            partnership=partnership,
            organisation_name=partner["name"],
            email=partner["email"],
            role=PartyRole.PARTNER,
        )
    level = row.fields.get("agreed_level")
    if level and (row.partnership is None or "agreed_level" in row.changes):
        level_record(
            actor=actor,
            organisation=organisation,
            partnership=partnership,
            kind=AssessmentKind.PERCEIVED,
            level=level,
            rationale=_("Imported from a spreadsheet."),
        )
        _propose(actor, organisation, partnership, level)
    _write_records(actor, organisation, partnership, row.records)
    target = row.fields.get("target_level")
    if target and (row.partnership is None or "target_level" in row.changes):
        level_record(
            actor=actor,
            organisation=organisation,
            partnership=partnership,
            kind=AssessmentKind.TARGET,
            level=target,
        )


def _write_records(
    actor: User, organisation: Organisation, partnership: Partnership, records: dict
) -> None:
    from partnerships.services.records import concern_raise, record_save

    if not any(records.values()):
        return
    own = Party.objects.get(partnership=partnership, organisation=organisation)
    for title in records.get("responsibilities", []):
        record_save(
            actor=actor,
            organisation=organisation,
            record=Responsibility(partnership=partnership, party=own, title=title),
        )
    for title, due in records.get("commitments", []):
        record_save(
            actor=actor,
            organisation=organisation,
            record=Commitment(partnership=partnership, party=own, title=title, due_on=due),
        )
    for item in records.get("concerns", []):
        concern = Concern(
            partnership=partnership,
            raised_by=own,
            kind=item["kind"],
            category=item["category"],
            description=item["description"],
            visibility=item["visibility"],
        )
        concern_raise(
            actor=actor, organisation=organisation, concern=concern, intensity=item["intensity"]
        )


def _propose(actor: User, organisation: Organisation, partnership: Partnership, level: int):
    """Once other parties take part, the file's level is proposed as the agreed level (they
    confirm it or not); alone, the importing organisation agrees nothing."""
    from partnerships.services.proposals import level_propose

    others = Party.objects.filter(policy.taking_part(), partnership=partnership).exclude(
        organisation=organisation
    )
    from partnerships.services.versions import save_validated

    if not others.exists():
        # Kept on the importing party: proposed once a partner accepts (``propose_imported_level``).
        own = Party.objects.get(partnership=partnership, organisation=organisation)
        own.level_to_propose, own.level_to_propose_by = level, actor
        save_validated(own, actor)
        return
    if LevelProposal.objects.filter(
        partnership=partnership, state=ProposalState.PENDING, level=level
    ).exists():
        return
    level_propose(actor=actor, organisation=organisation, partnership=partnership, level=level)


def propose_imported_level(partnership: Partnership) -> LevelProposal | None:
    """A partner accepted: the level an import kept for later is proposed as the agreed level,
    as the person who imported it, if the partnership has no agreed level and no pending
    proposal yet (the partners confirm it or not: no one agrees alone). The kept level is
    used once; if its importer may no longer propose it, it is dropped."""
    from partnerships.services.proposals import level_propose
    from partnerships.services.versions import save_validated

    party = (
        Party.objects.select_for_update(of=("self",))
        .select_related("organisation", "level_to_propose_by")
        .filter(policy.taking_part(), partnership=partnership, level_to_propose__isnull=False)
        .first()
    )
    if party is None:
        return None
    level, user = party.level_to_propose, party.level_to_propose_by
    party.level_to_propose = party.level_to_propose_by = None
    save_validated(party, user)
    agreed = LevelAssessment.objects.filter(partnership=partnership, kind=AssessmentKind.AGREED)
    pending = LevelProposal.objects.filter(partnership=partnership, state=ProposalState.PENDING)
    if user is None or agreed.exists() or pending.exists():
        return None
    others = Party.objects.filter(policy.taking_part(), partnership=partnership).exclude(
        pk=party.pk
    )
    if not others.exists():
        return None
    try:
        with transaction.atomic():
            return level_propose(
                actor=user,
                organisation=party.organisation,
                partnership=partnership,
                level=level,
                rationale=_("Imported from a spreadsheet."),
            )
    except (PermissionDenied, policy.NotVisible, ValidationError, StateConflict):
        return None  # the importer may no longer propose: the partners propose themselves


# --- The template -------------------------------------------------------------------------
def template_rows() -> tuple[list[str], list[list]]:
    """The template's column titles (in the current language) and one example row."""
    header = [str(FIELDS[name]) for name in TEMPLATE_FIELDS]
    example = [
        _("Holiday club for the neighbourhood"),
        _("Open the club to the children of both associations."),
        _("Maison des jeunes ; Centre social"),
        "contact@example.org",
        str(PartnershipStatus.ACTIVE.label),
        "01/09/2025",
        "",
        str(Level.COOPERATION.label),
        "6",
        str(ReviewCadence.QUARTERLY.label),
        "15/01/2026",
        _("Welcome the children ; Communication"),
        _("Book the hall | 15/06/2025"),
        _("fear | Too much time or work | 3 | Not enough volunteers for the summer"),
    ]
    return header, [example]


def import_fail(job_id: int, error: str) -> None:
    """Mark an import still being read as failed, with the reason for the admin."""
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.ANALYSING).update(
        status=ImportStatus.FAILED, error=error, finished_at=timezone.now()
    )


KEEP_DAYS = 30


def imports_clear_old(now: datetime.datetime | None = None) -> int:
    """Forget the cells and previews of imports older than ``KEEP_DAYS`` (they hold contacts'
    addresses); their mapping stays, remembered for the organisation's next import. Fails the
    ones a lost worker left unread. Returns how many were cleared; a second run clears none."""
    now = now or timezone.now()
    ImportJob.objects.filter(
        status=ImportStatus.ANALYSING, created_at__lt=now - datetime.timedelta(hours=1)
    ).update(
        status=ImportStatus.FAILED,
        error="Not read after an hour: the worker probably stopped.",
        finished_at=now,
    )
    old = ImportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=KEEP_DAYS))
    return old.exclude(rows=[], preview=[]).update(rows=[], preview=[])
