"""What one person should do now for one organisation: the dashboard's to-do and the API's.

The to-do is part of the read model: ``services.todo_state`` keeps one row (``TodoEntry``) a
thing each organisation should do, in the same transaction as the write that brings it or
takes it away. Reading it is one query whatever the organisation's size: its entries of the
kinds this person may act on (the policy says, by role), those the calendar has brought
(``shown_from``), the first ``per_kind`` of each kind. Each kind below turns an entry into a
sentence in the reader's language and the link to the page where it is done.

Adding a kind: a value in ``choices.TodoKind``, a builder in ``services.todo_state`` (which
records give it) and one more ``Kind`` in ``KINDS`` (who may act, the sentence).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from partnerships import policy
from partnerships.choices import Level, TodoKind, concern_category_label
from partnerships.models import TodoEntry
from partnerships.services import state

# Items shown of each kind: the to-do is a list of next steps, not a report.
PER_KIND = 20


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: its kind, a sentence in the reader's language, the page where it is
    done (a relative URL) and the label of that page's button."""

    kind: str
    text: str
    url: str
    action: str


def _day(day: datetime.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _url(entry: TodoEntry, name: str, **kwargs) -> str:
    return reverse(f"partnerships:{name}", kwargs={"org_slug": entry.organisation.slug, **kwargs})


@dataclass(frozen=True)
class Kind:
    """A kind of item: who may act on it (a flag of ``policy.Permissions``) and its item."""

    kind: str
    may: str
    item: Callable[[TodoEntry], TodoItem]


def invitation(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("Answer the invitation to “%(title)s”.") % {"title": entry.partnership.title},
        _url(entry, "invitations"),
        _("Answer"),
    )


def agreement(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("Approve or refuse version %(version)s of the agreement of “%(title)s”.")
        % {"version": entry.number, "title": entry.partnership.title},
        _url(entry, "tab-agreement", partnership_id=entry.partnership_id),
        _("Decide"),
    )


def level_proposal(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("%(organisation)s proposes “%(level)s” as the agreed level of “%(title)s”.")
        % {
            "organisation": entry.named.name,
            "level": Level(entry.number).label,
            "title": entry.partnership.title,
        },
        _url(entry, "workspace", partnership_id=entry.partnership_id),
        _("Confirm or refuse"),
    )


def lead(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("The lead organisation left “%(title)s”: name a new lead.")
        % {"title": entry.partnership.title},
        _url(entry, "name-lead", partnership_id=entry.partnership_id),
        _("Name the lead"),
    )


def rating(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("Give your organisation's rating for the review of “%(title)s” on %(date)s.")
        % {"title": entry.partnership.title, "date": _day(entry.day)},
        _url(entry, "review", partnership_id=entry.partnership_id, review_id=entry.ref),
        _("Rate"),
    )


def review_to_close(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("Close the review of “%(title)s” held on %(date)s.")
        % {"title": entry.partnership.title, "date": _day(entry.day)},
        _url(entry, "review", partnership_id=entry.partnership_id, review_id=entry.ref),
        _("Close"),
    )


def review_to_plan(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("Plan the review of “%(title)s”: it was due on %(date)s.")
        % {"title": entry.partnership.title, "date": _day(entry.day)},
        _url(entry, "review-add", partnership_id=entry.partnership_id),
        _("Plan"),
    )


def overdue_commitment(entry: TodoEntry) -> TodoItem:
    return TodoItem(
        entry.kind,
        _("“%(commitment)s” (%(title)s) was due on %(date)s.")
        % {
            "commitment": entry.subject,
            "title": entry.partnership.title,
            "date": _day(entry.day),
        },
        _url(entry, "tab-commitments", partnership_id=entry.partnership_id)
        + f"#commitment-{entry.ref}",
        _("Update"),
    )


def concern_to_rerate(entry: TodoEntry) -> TodoItem:
    kind, category = entry.subject.split("/", 1)
    return TodoItem(
        entry.kind,
        (
            _("Re-rate “%(concern)s” (%(title)s): not rated since %(date)s.")
            if entry.day
            else _("Rate “%(concern)s” (%(title)s): never rated yet.")
        )
        % {
            "concern": concern_category_label(kind, category),
            "title": entry.partnership.title,
            "date": _day(entry.day),
        },
        _url(entry, "tab-concerns", partnership_id=entry.partnership_id) + f"#concern-{entry.ref}",
        _("Re-rate"),
    )


# In the order the to-do lists them.
KINDS: list[Kind] = [
    Kind(TodoKind.ANSWER_INVITATION, "answer_invitations", invitation),
    Kind(TodoKind.APPROVE_AGREEMENT, "decide_for_organisation", agreement),
    Kind(TodoKind.ANSWER_LEVEL_PROPOSAL, "write_for_organisation", level_proposal),
    Kind(TodoKind.NAME_LEAD, "decide_for_organisation", lead),
    Kind(TodoKind.GIVE_RATING, "write_for_organisation", rating),
    Kind(TodoKind.CLOSE_REVIEW, "write_for_organisation", review_to_close),
    Kind(TodoKind.PLAN_REVIEW, "write_for_organisation", review_to_plan),
    Kind(TodoKind.OVERDUE_COMMITMENT, "write_for_organisation", overdue_commitment),
    Kind(TodoKind.RERATE_CONCERN, "write_for_organisation", concern_to_rerate),
]


def _first_of_each_kind(
    organisation_id: int, kinds: list[str], today: datetime.date, per_kind: int
) -> RawSQL:
    """The ids of the first ``per_kind`` entries of each kind that the calendar has brought,
    each kind read in the order of its index and left as soon as it has enough, so the cost
    does not grow with the organisation's entries.

    Written as SQL, one ``SELECT … LIMIT`` a kind joined by ``UNION ALL``: the ORM writes no
    limit inside a compound query on SQLite, and building the same query from querysets (one
    limited subquery a kind) cost more Python time than the rest of the to-do."""
    quote = connection.ops.quote_name
    one_kind = (
        "SELECT {id} FROM (SELECT {id} FROM {table} WHERE {organisation} = %s AND {kind} = %s"
        " AND ({shown_from} IS NULL OR {shown_from} <= %s) ORDER BY {sort_key}, {ref}"
        " LIMIT %s) AS {alias}"
    )
    names = {
        name: quote(TodoEntry._meta.get_field(field).column)
        for name, field in (
            ("id", "id"),
            ("organisation", "organisation"),
            ("kind", "kind"),
            ("shown_from", "shown_from"),
            ("sort_key", "sort_key"),
            ("ref", "ref"),
        )
    }
    table = quote(TodoEntry._meta.db_table)
    day = connection.ops.adapt_datefield_value(today)
    sql = " UNION ALL ".join(
        one_kind.format(table=table, alias=quote(f"kind_{index}"), **names)
        for index in range(len(kinds))
    )
    params = [value for kind in kinds for value in (organisation_id, str(kind), day, per_kind)]
    return RawSQL(sql, params)


def register(kind: Kind) -> Kind:
    """Add a kind of item to the to-do (its entries come from a builder of
    ``services.todo_state``)."""
    KINDS.append(kind)
    return kind


def todo_items(
    actor: policy.Actor, today: datetime.date | None = None, per_kind: int = PER_KIND
) -> list[TodoItem]:
    """Everything ``actor`` should do now for their organisation, kind by kind (at most
    ``per_kind`` of each); nothing for an outsider or an inactive organisation. One query."""
    if not actor.is_member:
        return []
    may = policy.permissions_for(actor)
    kinds = {kind.kind: kind for kind in KINDS if getattr(may, kind.may)}
    if not kinds:
        return []
    state.flush()  # inside a deferred block of writes, their entries first
    today = today or timezone.localdate()
    first = _first_of_each_kind(actor.organisation.pk, list(kinds), today, per_kind)
    entries = (
        TodoEntry.objects.filter(pk__in=first)
        .order_by("sort_key", "ref")  # the database's order (titles sort by its collation)
        .select_related("partnership", "named")
        .only(
            "kind",
            "ref",
            "sort_key",
            "subject",
            "day",
            "number",
            "partnership__title",
            "named__name",
        )
    )
    order = {kind: index for index, kind in enumerate(kinds)}
    ordered = sorted(entries, key=lambda entry: order[entry.kind])  # stable: keeps that order
    for entry in ordered:
        entry.organisation = actor.organisation  # the links name it; no need to read it again
    return [kinds[entry.kind].item(entry) for entry in ordered]
