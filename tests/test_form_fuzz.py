"""Bad input in every HTML form a member can post: random text (any Unicode, NUL, right-to-left
marks, astral characters), very long strings, HTML and script, in every field.

The forms are found, not listed: every page of the project (walked from the URL patterns, as
tests/test_isolation.py does) is rendered for an administrator of the organisation, and every
``method="post"`` form with a field to type in is fuzzed through its ``action``, with htmx's
header when the page posts it with htmx. Each answer is a normal one (200/302) or a 4xx,
never a server error; an error answer (a 4xx, or the form again with its errors) leaves the
database as it was; and no payload comes back unescaped.

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
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_isolation import PATTERNS, PUBLIC, database_state, fill, world  # noqa: F401

pytestmark = pytest.mark.django_db

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


def discover(client, world) -> dict[str, Form]:  # noqa: F811
    """One form per URL name it posts to, from every page of the project."""
    found: dict[str, Form] = {}
    for name, arguments in PATTERNS:
        if name.startswith("api:") or name in ("api-docs", "api-schema"):
            continue
        for form in page_forms(client, reverse(name, kwargs=fill(name, arguments, world))):
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


def form_data(form: Form):
    return st.fixed_dictionaries(
        {name: value_for(kind, options, flag) for name, (kind, options, flag) in form.fields.items()}
    ).map(lambda data: {k: v for k, v in data.items() if v is not None})


def shows_errors(html: str) -> bool:
    return any(mark in html for mark in ('class="errorlist', 'class="errors"', 'class="error"'))


def check(client, form: Form, data: dict) -> None:
    headers = {"HX-Request": "true", "HX-Current-URL": form.page} if form.htmx else {}
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
    "login",
    "password_reset",
    "password_change",
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
}


def test_every_form_takes_any_input_without_a_server_error(client, world, owner):  # noqa: F811
    client.force_login(owner)
    forms = discover(client, world)
    missing = EXPECTED - set(forms)
    assert not missing, f"forms not found by the walk: {sorted(missing)}"

    for name, form in sorted(forms.items()):
        try:
            fuzzer(client, owner, form)()
        except Exception as error:
            error.add_note(f"form {name} posted to {form.action}")
            raise


def fuzzer(client, user, form: Form):
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=form_data(form))
    def fuzz(data):
        with transaction.atomic():
            client.force_login(user)  # the language or password forms may sign out
            check(client, form, data)
            transaction.set_rollback(True)

    return fuzz
