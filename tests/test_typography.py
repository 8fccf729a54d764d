"""French typography on the pages: a (narrow) no-break space before ``: ; ? !`` in French, none
in English.

The main pages are rendered for a member of the demo world in both languages; the visible text
(no tags, scripts, styles or attribute values) is searched for a mark glued to the word before
it (French) or spaced from it (English). What people typed is theirs: a snippet found verbatim
in the stored records is not counted.
"""

from __future__ import annotations

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.urls import reverse

from organisations.models import Organisation, User
from partnerships.models import Partnership, Review
from partnerships.services.reviews import review_hold
from partnerships.views.reports import PAGES as REPORT_PAGES
from partnerships.views.workspace import TABS

pytestmark = pytest.mark.django_db

ORG = "centre-social-tilleuls"
BLOCK_TAGS = {
    "address", "article", "aside", "br", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "label", "legend", "li", "main", "nav", "ol", "option", "p", "section", "select",
    "summary", "table", "td", "textarea", "th", "title", "tr", "ul",
}  # fmt: skip

SPACES = " \u00a0\u202f"
# French: a word, a number or a closing mark glued to the punctuation that follows it.
FRENCH_GLUED = re.compile(r"[\w)\]\"'’”»][:;?!]")
# English: any kind of space before the mark (French spacing leaking into English).
ENGLISH_SPACED = re.compile(r"[\s\u00a0\u202f][:;?!]")
URL_SCHEME = re.compile(r"\b(?:https?|mailto)$", re.IGNORECASE)


class VisibleText(HTMLParser):
    """The text a reader sees: tags and attribute values gone, scripts and styles skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.skipping = max(self.skipping - 1, 0)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def stored_texts() -> list[str]:
    """Every text people typed into the records (names, descriptions, minutes…)."""
    texts = []
    for app in ("organisations", "partnerships"):
        for model in apps.get_app_config(app).get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField))
            ]
            if fields:
                for row in model._default_manager.values_list(*fields):
                    texts.extend(value for value in row if value)
    return texts


def allowed_in_french(text: str, start: int) -> bool:
    """A time or ratio (10:42, 3:1), or a URL scheme (http:, https:, mailto:)."""
    if text[start + 1] != ":":
        return False
    after = text[start + 2 : start + 3]
    return (text[start].isdigit() and after.isdigit()) or bool(
        URL_SCHEME.search(text, 0, start + 1)
    )


def offending(text: str, language: str, typed: list[str]) -> list[str]:
    """Each line holding a badly spaced mark, unless the snippet is something people typed."""
    found = []
    pattern = FRENCH_GLUED if language == "fr" else ENGLISH_SPACED
    for match in pattern.finditer(text):
        start, end = match.start(), match.end()
        if language == "fr" and allowed_in_french(text, start):
            continue
        around = text[max(start - 8, 0) : end + 2].strip()
        if any(around in value for value in typed):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : line_end if line_end != -1 else len(text)].strip()
        found.append(repr(line[:120]))
    return found


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_data, db):
    return None


def member_pages() -> list[str]:
    organisation = Organisation.objects.get(slug=ORG)
    slug = organisation.slug
    mine = Partnership.objects.filter(parties__organisation=organisation)
    reviews = Review.objects.filter(partnership__in=mine)
    closed = reviews.filter(closed_at__isnull=False).first()
    assert closed, "the demo has closed reviews"
    # A review being held and one still planned, on the same partnership.
    camille = User.objects.get(username="camille")
    today = datetime.date.today()
    held = Review.objects.create(partnership=closed.partnership, scheduled_on=today)
    review_hold(actor=camille, organisation=organisation, review=held, held_on=today)
    planned = Review.objects.create(
        partnership=closed.partnership, scheduled_on=today + datetime.timedelta(days=30)
    )
    partnerships = {closed.partnership_id}
    partnerships |= set(
        mine.filter(agreements__isnull=False).values_list("pk", flat=True).distinct()[:1]
    )
    urls = [
        reverse("partnerships:dashboard", args=[slug]),
        reverse("partnerships:list", args=[slug]),
        reverse("partnerships:invitations", args=[slug]),
        reverse("partnerships:reports", args=[slug]),
        reverse(f"partnerships:report-{REPORT_PAGES[1].slug}", args=[slug]),
        reverse("members", args=[slug]),
        reverse("profile"),
        reverse("member-invitations"),
    ]
    for pk in sorted(partnerships):
        urls.append(reverse("partnerships:workspace", args=[slug, pk]))
        urls.extend(reverse(f"partnerships:tab-{tab}", args=[slug, pk]) for tab in TABS)
        urls.append(reverse("partnerships:review-history", args=[slug, pk]))
        urls.extend(
            reverse("partnerships:agreement-print", args=[slug, pk, agreement])
            for agreement in Partnership.objects.get(pk=pk).agreements.values_list("pk", flat=True)
        )
    for review in (held, closed, planned):
        args = [slug, review.partnership_id, review.pk]
        urls.append(reverse("partnerships:review", args=args))
        urls.append(reverse("partnerships:review-agenda", args=args))
    return urls


def problems_on_pages(client, language: str) -> list[str]:
    typed = stored_texts()
    user = User.objects.get(username="camille")
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    client.cookies["django_language"] = language
    problems = []
    for url in member_pages():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        problems += [
            f"{url}: {snippet}"
            for snippet in offending(visible_text(response.content.decode()), language, typed)
        ]
    client.logout()
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    problems += [
        f"login: {s}" for s in offending(visible_text(response.content.decode()), language, typed)
    ]
    return problems


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pages_space_punctuation_as_the_language_wants(seeded, client, language):
    problems = problems_on_pages(client, language)
    assert not problems, f"{len(problems)} snippets:\n" + "\n".join(problems)


def test_the_checks_catch_what_they_should():
    assert offending("prochaine revue: 3", "fr", [])
    assert offending("(voir): oui", "fr", [])
    assert not offending("prochaine revue\u202f: 3", "fr", [])
    assert not offending("à 10:42, https://exemple.fr", "fr", [])
    assert not offending("Mot de passe oublié\u00a0?", "fr", [])
    assert offending("Forgotten password\u202f?", "en", [])
    assert not offending("Next review: 3", "en", [])
    assert not offending("Objectif: lire", "fr", ["Objectif: lire ensemble"])
