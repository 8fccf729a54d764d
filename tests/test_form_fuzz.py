"""Bad input in every HTML form a member can post: random text (any Unicode, NUL, right-to-left
marks, astral characters), very long strings, HTML and script, in every field.

The forms are found, not listed: every page of the project (walked from the URL patterns, as
tests/test_isolation.py does) is rendered for an administrator of the organisation, and every
``method="post"`` form with a field to type in is fuzzed through its ``action`` (with and
without htmx's header when the page posts it with htmx). Each answer is a normal one (200/302)
or a 4xx, never a server error; an error answer (a 4xx, or the form again with its errors)
leaves the database as it was; and no payload comes back unescaped.

``FORM_FUZZ_MAX_EXAMPLES`` examples per form (5 by default; CI sets more). Each example runs in
a savepoint rolled back afterwards, so every one meets the same data.
The API is fuzzed by tests/api/test_fuzz.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships.services.reviews import review_hold
from tests import test_isolation
from tests.factories import ConcernFactory, ReviewFactory
from tests.forms import form_data
from tests.test_isolation import PATTERNS, database_state, fill

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# The same objects as the isolation walk, so every URL pattern can be filled in.
world = test_isolation.world

MAX_EXAMPLES = int(os.environ.get("FORM_FUZZ_MAX_EXAMPLES", "5"))

# Typed by hand, they would break a page that shows them unescaped.
PAYLOADS = [
    "<script>alert('fuzz')</script>",
    '"><img src=x onerror=alert(1)>',
    "<b onmouseover=alert(2)>gras</b>",
    "{{ 7|add:7 }} {% now 'Y' %}",
    "\u202eRTL\u202c \u200f\u05e9\u05dc\u05d5\u05dd\u200e",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🤝🏽 𠜎",
    "bell\x07 nul\x00 end",
    "é" * 300,
    "x" * 20_000,
]
UNESCAPED = [p for p in PAYLOADS if "<" in p]

nasty_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=400),
)


@dataclass
class Form:
    page: str
    action: str
    htmx: bool
    fields: dict[str, tuple[str, list[str], str]] = field(default_factory=dict)

    def fuzzable(self) -> bool:
        return any(kind not in ("hidden",) for kind, _o, _v in self.fields.values())


class _Forms(HTMLParser):
    """Every post form of a page: its action, whether htmx posts it, its fields."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.current, self.select = page, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            action = attrs.get("hx-post") or attrs.get("action") or self.page
            self.current = Form(self.page, action, "hx-post" in attrs)
        if self.current is None:
            return
        name = attrs.get("name")
        if not name or name == "csrfmiddlewaretoken":
            if tag == "option" and self.select:
                self.current.fields[self.select][1].append(attrs.get("value", ""))
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            kind = attrs.get("type", "text")
            known = self.current.fields.get(name, (kind, [], ""))
            self.current.fields[name] = (kind, [*known[1], attrs.get("value", "")], "")
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            # A named submit button sends its value: one choice among the form's buttons (the
            # footer's language buttons, an export's file formats).
            known = self.current.fields.get(name, ("radio", [], ""))
            self.current.fields[name] = ("radio", [*known[1], attrs.get("value", "")], "")
        elif tag == "textarea":
            self.current.fields[name] = ("textarea", [], "")
        elif tag == "select":
            self.current.fields[name] = ("select", [], "multiple" if "multiple" in attrs else "")
            self.select = name

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None


def page_forms(client, url: str) -> list[Form]:
    response = client.get(url)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return []
    parser = _Forms(url)
    parser.feed(response.content.decode())
    return parser.forms


def pages(world, held_review: int) -> list[str]:
    """Every page of the project, and a held review's (whose meeting forms are then shown)."""
    urls = [
        reverse(name, kwargs=fill(name, arguments, world))
        for name, arguments in PATTERNS
        if not name.startswith("api:") and name not in ("api-docs", "api-schema")
    ]
    held = reverse("partnerships:review", kwargs={**world_review(world), "review_id": held_review})
    return [*urls, held]


def world_review(world) -> dict:
    return {"org_slug": world["org_slug"], "partnership_id": world["partnership_id"]}


def discover(client, urls: list[str]) -> dict[str, Form]:
    """One form per URL name it posts to, from every page given."""
    found: dict[str, Form] = {}
    for url in urls:
        for form in page_forms(client, url):
            try:
                target = resolve(urlsplit(form.action).path)
            except Resolver404:
                continue
            if form.fuzzable():
                found.setdefault(target.view_name, form)
    return found


def value_for(kind: str, options: list[str], flag: str):
    if kind in ("checkbox",):
        return st.sampled_from([None, options[0] if options else "on"])
    if kind in ("radio", "select"):
        choices = [o for o in options if o] or [""]
        picked = st.sampled_from(choices) | nasty_text
        return st.lists(picked, max_size=3) if flag == "multiple" else picked
    if kind == "date":
        return st.dates().map(str) | nasty_text
    if kind == "number":
        return st.integers(-(10**12), 10**12).map(str) | nasty_text
    if kind == "hidden":
        return st.sampled_from(options or [""]) | nasty_text
    return nasty_text


def fuzz_data(form: Form):
    return st.fixed_dictionaries(
        {
            name: value_for(kind, options, flag)
            for name, (kind, options, flag) in form.fields.items()
        }
    ).map(lambda data: {k: v for k, v in data.items() if v is not None})


def shows_errors(html: str) -> bool:
    return any(mark in html for mark in ('class="errorlist', 'class="errors"', 'class="error"'))


def check(client, form: Form, data: dict, htmx: bool) -> None:
    headers = {"HX-Request": "true", "HX-Current-URL": form.page} if htmx else {}
    before = database_state()
    response = client.post(form.action, data, headers=headers)
    status = response.status_code
    assert status < 500, f"{form.action}: {status}"
    assert status in (200, 302) or 400 <= status < 500, f"{form.action}: {status}"
    body = response.content.decode(errors="replace") if status != 302 else ""
    if status >= 400 or shows_errors(body):
        assert database_state() == before, f"{form.action}: half-stored on {status}"
    if status == 302 and response["Location"].startswith("/"):
        followed = client.get(response["Location"])
        assert followed.status_code < 500
        if followed["Content-Type"].startswith("text/html"):
            body = followed.content.decode()
    for payload in UNESCAPED:
        assert payload not in body, f"{form.action} shows {payload!r} unescaped"


# Every form view must be found by the walk: a form missing from here is a form not fuzzed.
EXPECTED = {
    # allauth's forms a signed-in person reaches (signing in and up: signed out, below).
    "account_change_password",
    "account_email",
    "account_reauthenticate",
    "account_reset_password",
    "set_language",
    "profile",
    "member-add",
    "member-role",
    "partnerships:new",
    "partnerships:edit",
    "partnerships:invite",
    "partnerships:level-add",
    "partnerships:responsibility-add",
    "partnerships:responsibility-edit",
    "partnerships:commitment-add",
    "partnerships:commitment-edit",
    "partnerships:concern-add",
    "partnerships:concern-edit",
    "partnerships:concern-check",
    "partnerships:benefit-add",
    "partnerships:benefit-edit",
    "partnerships:review-add",
    "partnerships:review-rate",
    "partnerships:review-plan",
    "partnerships:review-agreed-level",
    "partnerships:review-checks",
    "partnerships:review-minutes",
    "partnerships:review-commitment-add",
    "partnerships:review-benefit-add",
}


def test_every_form_takes_any_input_without_a_server_error(client, world, owner, org_a):
    held = ReviewFactory(partnership_id=world["partnership_id"])
    review_hold(actor=owner, organisation=org_a, review=held)
    ConcernFactory(raised_by=held.partnership.parties.get(organisation=org_a))  # to check
    client.force_login(owner)
    forms = discover(client, pages(world, held.pk))
    missing = EXPECTED - set(forms)
    assert not missing, f"forms not found by the walk: {sorted(missing)}"

    for name, form in sorted(forms.items()):
        try:
            fuzzer(client, owner, form)()
        except Exception as error:
            error.add_note(f"form {name} posted to {form.action}")
            raise


# The forms of a signed-out visitor (a signed-in one is sent past them).
SIGNED_OUT = ["account_login", "account_signup", "account_reset_password"]


def test_the_signed_out_forms_take_any_input_without_a_server_error(client, editor):
    forms = discover(client, [reverse(name) for name in SIGNED_OUT])
    assert set(SIGNED_OUT) <= set(forms)
    for name in SIGNED_OUT:
        try:
            fuzzer(client, None, forms[name])()
        except Exception as error:
            error.add_note(f"form {name} posted to {forms[name].action}")
            raise


def fuzzer(client, user, form: Form):
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    # A form htmx posts is also posted without JavaScript (its action), so both ways are tried.
    @given(data=fuzz_data(form), htmx=st.booleans() if form.htmx else st.just(False))
    def fuzz(data, htmx):
        cache.clear()  # rate limits (password reset) would otherwise answer every later one
        with transaction.atomic():
            if user is None:
                client.logout()  # a signed-out form: an earlier example may have signed in
            else:
                client.force_login(user)  # the language or password forms may sign out
            check(client, form, data, htmx)
            transaction.set_rollback(True)

    return fuzz


TYPED = "<script>alert('x')</script> \u202eשלום\u202c 🤝🏽 𠜎 & \"quotes\""


def test_text_is_stored_as_typed_and_shown_escaped(client, owner, org_a, partnership):
    client.force_login(owner)
    url = reverse("partnerships:edit", args=[org_a.slug, partnership.pk])
    page = client.get(url).content.decode()
    data = form_data_of(page)
    data.update(title=TYPED[:120], purpose=TYPED * 50)
    assert client.post(url, data).status_code == 302
    partnership.refresh_from_db()
    assert (partnership.title, partnership.purpose) == (TYPED[:120], TYPED * 50)
    shown = client.get(reverse("partnerships:workspace", args=[org_a.slug, partnership.pk]))
    html = shown.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "\u202eשלום\u202c 🤝🏽 𠜎" in html


def test_a_nul_character_is_refused_with_a_form_error(client, owner, org_a, partnership):
    client.force_login(owner)
    url = reverse("partnerships:edit", args=[org_a.slug, partnership.pk])
    data = form_data_of(client.get(url).content.decode())
    data["title"] = "nul\x00here"
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert shows_errors(response.content.decode())
    assert database_state() == before


def form_data_of(page: str) -> dict:
    """What the browser posts for the first form of the page's content."""
    return form_data(page[page.index("<main") :])
