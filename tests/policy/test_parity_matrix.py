"""The policy matrix: every route about one partnership, on pages and API alike, for every
role, party state and organisation state, against the reference table of "Who may do what".

The expected answer comes from ``expected`` below: an oracle written from the table, not from
``partnerships.policy``. Each cell is checked on its own door, then the two doors of each
paired action are checked against each other. Expectations are not weakened to today's
behaviour: a failing cell is a place where the application does not follow the table yet.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partnerships.models import Commitment, Concern

from .conftest import send
from .routes import (
    ANSWER_INVITATION,
    ANSWER_QUESTIONNAIRE,
    DECIDE_AGREEMENT,
    DELETABLE,
    DELETE_PAGES,
    DELETE_PARTNERSHIP,
    LEAVE,
    NAME_LEAD,
    NOT_ABOUT_ONE_PARTNERSHIP,
    NOT_ABOUT_ONE_PARTNERSHIP_PREFIXES,
    OPS,
    READ,
    Op,
)
from .world import (
    ACTING_SLUG,
    ACTORS,
    ALL_ACTORS,
    GONE_SLUG,
    OTHER_SLUG,
    OUTSIDER,
    STATES,
    Who,
    build_world,
)

pytestmark = [pytest.mark.django_db, pytest.mark.policy_matrix]


# --- The oracle ------------------------------------------------------------------------------
def expected(op: Op, who: Who) -> str:
    """The answer of the reference table, checked in its order: 404, then 403, then 409."""
    if who.state is None or not who.active:
        return "404"  # an outsider; an inactive organisation is refused like one
    if op.action == ANSWER_INVITATION:
        # The invitation routes are the invited organisation's own: no 404 for its state.
        if who.state == "left" or who.role != "admin":
            return "403"
        return "allowed" if who.state == "invited" else "409"
    if who.state in ("invited", "declined"):
        return "404"  # only the invitation is seen, on the invitation routes
    if op.action == READ:
        return "allowed"  # a party that left still reads
    if who.state == "left":
        return "403"
    if op.action == ANSWER_QUESTIONNAIRE:
        return "allowed"  # every member of a party taking part answers, viewers too
    if who.role == "viewer":
        return "403"
    if op.action in (DECIDE_AGREEMENT, DELETE_PARTNERSHIP, LEAVE, NAME_LEAD) and (
        who.role != "admin"
    ):
        return "403"
    if op.action == DELETE_PARTNERSHIP and not op.lead:
        return "403"  # the lead's administrators only
    if op.foreign:
        return "403"  # undoing another party's deletion
    if op.conflict and op.method != "GET":
        return "409"
    return "allowed"


# --- Which actors each route meets -------------------------------------------------------------
def W(label: str) -> Who:
    role, state, active = label.split("/")
    if state == "outsider":
        return OUTSIDER
    return Who(role, state, active == "active")


def labels(*names: str) -> list[Who]:
    return [W(name) for name in names]


# Every party state, an inactive organisation and an outsider meet every route (the role does
# not matter for reading); writers meet every role as well.
READ_CORE = labels(
    "viewer/accepted/active",
    "editor/left/active",
    "admin/invited/active",
    "viewer/declined/active",
    "admin/accepted/inactive",
    "admin/outsider/active",
)
WRITE_CORE = labels(
    "admin/accepted/active",
    "editor/accepted/active",
    "viewer/accepted/active",
    "admin/left/active",
    "editor/invited/active",
    "admin/declined/active",
    "editor/accepted/inactive",
    "admin/outsider/active",
)
INVITATION_CORE = labels(
    "admin/invited/active",
    "editor/invited/active",
    "viewer/invited/active",
    "admin/invited/inactive",
    "admin/declined/active",
    "admin/accepted/active",
    "admin/left/active",
    "admin/outsider/active",
)
# A second object state of a route and method already met by every actor above: the object's
# state only matters once the gates pass, so the writers, and who the gates stop first.
STATE_CORE = labels(
    "admin/accepted/active",
    "editor/accepted/active",
    "viewer/accepted/active",
    "admin/left/active",
)


def _first_of_each_route_and_method() -> set[str]:
    seen, first = set(), set()
    for op in OPS:
        if (op.route, op.method) not in seen:
            seen.add((op.route, op.method))
            first.add(op.id)
    return first


FIRST = _first_of_each_route_and_method()


def actors_for(op: Op) -> list[Who]:
    """The actors one route and method meet: a core set, plus, for a write, one more picked
    from the rest (deterministically, by the route's name) the first time it appears."""
    if op.action == ANSWER_INVITATION:
        core = INVITATION_CORE
    elif op.id not in FIRST and not (op.action == DELETE_PARTNERSHIP and not op.conflict):
        return STATE_CORE
    elif op.action == READ:
        return READ_CORE  # the role does not matter for reading: no extra actor
    else:
        core = WRITE_CORE
    rest = [who for who in ALL_ACTORS if who not in core]
    return [*core, rest[zlib.crc32(op.id.encode()) % len(rest)]]


CELLS = [(op, who) for op in OPS for who in actors_for(op)]

# Each cell's answer, kept for the parity checks below (they run after the cells, in the same
# module; run alone, they ask the doors themselves).
ANSWERS: dict[tuple[str, Who], tuple[str, int]] = {}


def answer_of(op: Op, who: Who) -> tuple[str, int]:
    key = (op.id, who)
    if key not in ANSWERS:
        with transaction.atomic():
            w = build_world(who, op.all_needs, acting_lead=op.lead)
            ANSWERS[key] = send(op, w)
            transaction.set_rollback(True)
    return ANSWERS[key]


def cell_id(op: Op, who: Who) -> str:
    return f"{op.id} {who.label} -> {expected(op, who)}"


@pytest.mark.parametrize(("op", "who"), CELLS, ids=[cell_id(*cell) for cell in CELLS])
def test_each_door_follows_the_table(op, who):
    answer, status = answer_of(op, who)
    assert answer == expected(op, who), f"{op.id} as {who.label}: HTTP {status}"


# --- Parity: the two doors of one action answer alike -----------------------------------------
def paired() -> dict[str, dict[str, Op]]:
    pairs: dict[str, dict[str, Op]] = defaultdict(dict)
    for op in OPS:
        if op.pair:
            door = "api" if op.is_api else "page"
            assert door not in pairs[op.pair], f"two {door} routes for {op.pair}"
            pairs[op.pair][door] = op
    # Deleting a commitment: no page route today (the expected fix adds one).
    pairs["commitment-delete"].setdefault(
        "page",
        Op("partnerships:commitment-delete", "POST", "delete_record", {"pk": "commitment"}),
    )
    pairs["commitment-delete-closed"].setdefault(
        "page",
        Op(
            "partnerships:commitment-delete",
            "POST",
            "delete_record",
            {"pk": "commitment_closed"},
            variant="agreed at the closed review",
            conflict=True,
        ),
    )
    return pairs


PAIRS = paired()


def parity_actors(key: str) -> list[Who]:
    """The actors both doors of the pair meet in the matrix (their answers are reused)."""
    doors = PAIRS[key]
    if "page" not in doors or "api" not in doors:
        return []
    api_actors = actors_for(doors["api"])
    return [who for who in actors_for(doors["page"]) if who in api_actors]


PARITY = [(key, who) for key in sorted(PAIRS) for who in parity_actors(key)]


def test_every_pair_has_both_doors():
    lonely = {key: sorted(doors) for key, doors in PAIRS.items() if set(doors) != {"page", "api"}}
    assert not lonely


@pytest.mark.parametrize(
    ("key", "who"),
    PARITY,
    ids=[f"{PAIRS[key]['page'].id} ~ {PAIRS[key]['api'].id} {who.label}" for key, who in PARITY],
)
def test_page_and_api_answer_alike(key, who):
    page_op, api_op = PAIRS[key]["page"], PAIRS[key]["api"]
    page_answer, page_status = answer_of(page_op, who)
    api_answer, api_status = answer_of(api_op, who)
    assert page_answer == api_answer, (
        f"page {page_op.id}: {page_answer} (HTTP {page_status}); "
        f"API {api_op.id}: {api_answer} (HTTP {api_status})"
    )


# --- No route escapes the table -------------------------------------------------------------
def walk(resolver=None, namespace="", arguments=()):
    for entry in (resolver or get_resolver()).url_patterns:
        found = (*arguments, *entry.pattern.converters)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner, found)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", set(found), entry


def api_methods(pattern: URLPattern) -> set[str]:
    view = pattern.callback.cls
    return {
        m.upper()
        for m in ("get", "post", "put", "patch", "delete")
        if m in view.http_method_names and hasattr(view, m)
    }


TABLE_ROUTES = {op.route for op in OPS}


def test_every_partnership_route_is_in_the_table():
    missing = set()
    for name, arguments, _pattern in walk():
        if "partnership_id" in arguments and name not in TABLE_ROUTES:
            missing.add(name)
    assert not missing, f"routes of a partnership missing from the matrix: {sorted(missing)}"


def test_every_organisation_page_is_in_the_table_or_about_no_partnership():
    missing = set()
    for name, arguments, _pattern in walk():
        if name.startswith("api:") or "org_slug" not in arguments:
            continue
        if name in TABLE_ROUTES or name in NOT_ABOUT_ONE_PARTNERSHIP:
            continue
        if name.startswith(NOT_ABOUT_ONE_PARTNERSHIP_PREFIXES):
            continue
        missing.add(name)
    assert not missing, f"organisation pages missing from the matrix: {sorted(missing)}"


def test_every_method_of_every_api_route_is_in_the_table():
    in_table = defaultdict(set)
    for op in OPS:
        in_table[op.route].add(op.method)
    missing = {}
    for name, arguments, pattern in walk():
        extra = api_methods(pattern) - in_table[name] if name.startswith("api:") else set()
        if "partnership_id" in arguments and extra:
            missing[name] = sorted(extra)
    assert not missing


def test_the_table_names_only_routes_that_exist_or_are_expected():
    names = {name for name, _arguments, _pattern in walk()}
    assert names >= TABLE_ROUTES


def test_every_route_meets_every_party_state_and_an_inactive_organisation():
    for route in TABLE_ROUTES:
        met = {who for op, who in CELLS if op.route == route}
        states = {who.state for who in met}
        if not any(op.route == route and op.action == ANSWER_INVITATION for op in OPS):
            assert {*STATES, None} <= states, route
        assert any(not who.active for who in met), route
    assert {who for _op, who in CELLS} == set(ALL_ACTORS)


# --- Deleting: decided per record type, the same on both doors ---------------------------------
@pytest.mark.parametrize("collection", sorted(DELETE_PAGES))
def test_parity_of_deleting(collection):
    """A record type the pages cannot delete the API cannot either, and the reverse: both
    doors offer DELETE exactly for responsibilities, commitments and benefits."""
    patterns = {name: pattern for name, _arguments, pattern in walk()}
    api_deletes = "DELETE" in api_methods(patterns[f"api:partnership-{collection}-detail"])
    page_deletes = DELETE_PAGES[collection] in patterns
    deletable = collection in DELETABLE
    assert (page_deletes, api_deletes) == (deletable, deletable), (
        f"{collection}: page delete {page_deletes}, API DELETE {api_deletes}, "
        f"table says {deletable}"
    )


# --- What a record may name -----------------------------------------------------------------
EDITOR = Who("editor", "accepted", True)


def party_options(html: str) -> dict[str, list[str]]:
    """The option values of each party choice (``party``, ``raised_by``) of a page."""
    found = defaultdict(list)
    for match in re.finditer(
        r'<select[^>]*name="(party|raised_by)"[^>]*>(.*?)</select>', html, flags=re.S
    ):
        found[match.group(1)] += re.findall(r'<option[^>]*value="([^"]*)"', match.group(2))
    return dict(found)


def test_page_forms_do_not_offer_a_party_that_has_left(client):
    w = build_world(EDITOR, frozenset({"gone", "review_held"}))
    client.force_login(w.user)
    gone = w.obj["gone_party"]
    pages = {
        "tab-commitments": {},
        "tab-pleasures": {},
        "review": {"review_id": w.obj["review_held"].pk},
    }
    for name, extra in pages.items():
        url = reverse(
            f"partnerships:{name}",
            kwargs={"org_slug": ACTING_SLUG, "partnership_id": w.partnership.pk, **extra},
        )
        offered = party_options(client.get(url).content.decode())
        assert offered, f"{name}: no party choice found on the page"
        for field, values in offered.items():
            assert str(w.other_party.pk) in values, f"{name} {field}: the current party is missing"
            assert str(gone.pk) not in values, f"{name} {field}: the party that left is offered"


@pytest.mark.parametrize(
    ("collection", "body"),
    [
        ("commitments", {"party": GONE_SLUG, "title": "Send it"}),
        ("responsibilities", {"party": GONE_SLUG, "title": "Coordination"}),
        ("benefits", {"party": GONE_SLUG, "category": "learning", "description": "We learnt"}),
    ],
)
def test_the_api_refuses_naming_a_party_that_has_left(collection, body):
    from rest_framework.test import APIClient

    w = build_world(EDITOR, frozenset({"gone"}))
    client = APIClient()
    client.force_authenticate(w.user)
    url = reverse(f"api:partnership-{collection}", kwargs={"partnership_id": w.partnership.pk})
    response = client.post(f"{url}?organisation={ACTING_SLUG}", body, format="json")
    assert response.status_code == 400, response.content


def test_a_page_concern_is_raised_by_the_acting_organisation(client):
    w = build_world(EDITOR)
    client.force_login(w.user)
    url = reverse(
        "partnerships:concern-add",
        kwargs={"org_slug": ACTING_SLUG, "partnership_id": w.partnership.pk},
    )
    body = {
        "kind": "fear",
        "category": "investment",
        "raised_by": w.other_party.pk,
        "visibility": "shared",
        "description": "Raised in someone else's name",
        "intensity": 2,
        "response": "",
    }
    client.post(url, body)
    stored = Concern.objects.filter(partnership=w.partnership)
    assert [c.raised_by_id for c in stored] == [w.own.pk]


def test_an_api_concern_naming_another_party_is_refused():
    from rest_framework.test import APIClient

    w = build_world(EDITOR)
    client = APIClient()
    client.force_authenticate(w.user)
    url = reverse("api:partnership-concerns", kwargs={"partnership_id": w.partnership.pk})
    body = {
        "kind": "fear",
        "category": "investment",
        "raised_by": OTHER_SLUG,
        "visibility": "shared",
        "description": "Raised in someone else's name",
    }
    response = client.post(f"{url}?organisation={ACTING_SLUG}", body, format="json")
    assert response.status_code == 400, response.content
    assert not Concern.objects.filter(partnership=w.partnership, raised_by=w.other_party).exists()
    assert not Commitment.objects.exists()  # nothing else was written on the way


def test_the_matrix_covers_every_actor():
    assert set(ACTORS) | {OUTSIDER} == set(ALL_ACTORS)
