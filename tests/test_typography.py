"""French typography on the pages: a (narrow) no-break space before ``: ; ? !`` in French, none
in English.

The main pages are rendered for a member of the demo world in both languages; the visible text
(no tags, scripts, styles or attribute values) is searched for a mark glued to the word before
it (French) or spaced from it (English). What people typed is theirs: a snippet found verbatim
in the stored records is not counted.

django-allauth's pages, e-mails and messages (some of them allauth's own templates and msgids,
their French in locale_thirdparty/) are rendered too, with accounts made for the test: there
only the narrow no-break space will do in French, and no word of the other language may show.
"""

from __future__ import annotations

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.sites.shortcuts import get_current_site
from django.core.management import call_command
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from organisations.models import Organisation, User
from partnerships.models import Partnership, Review
from partnerships.services.reviews import review_hold
from partnerships.views.reports import PAGES as REPORT_PAGES
from partnerships.views.workspace import TABS
from tests.factories import UserFactory

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
# French, strictly: anything but the narrow no-break space before the mark.
FRENCH_NOT_NARROW = re.compile(r"[^\s\u202f(\[][:;?!]|[ \u00a0][:;?!]")
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


def offending(text: str, language: str, typed: list[str], strict: bool = False) -> list[str]:
    """Each line holding a badly spaced mark, unless the snippet is something people typed.

    ``strict``: in French, only the narrow no-break space will do (not a space, not a
    no-break space): for text that comes from third-party catalogs.
    """
    found = []
    if language == "fr":
        pattern = FRENCH_NOT_NARROW if strict else FRENCH_GLUED
    else:
        pattern = ENGLISH_SPACED
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
        reverse("partnerships:network", args=[slug]),
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


# --- django-allauth's pages, messages and e-mails ---------------------------------------------
# Some of them come from allauth's own templates with its msgids, translated by the hand-kept
# catalog locale_thirdparty/ (see its header): checked here for the spacing, and for words of
# the other language left on a page (an untranslated msgid, or allauth's French where ours is
# overridden). The accounts are made here, not taken from the demo.
ENGLISH_WORDS = {
    "about", "account", "accounts", "activate", "add", "address", "and", "app", "are", "back",
    "bad", "been", "cancel", "change", "click", "confirm", "current", "deactivate", "download",
    "email", "emails", "enter", "for", "forgot", "forgotten", "from", "generate", "has", "have",
    "hello", "here", "if", "link", "new", "not", "password", "please", "recipient", "remember",
    "remove", "request", "reset", "save", "send", "sent", "sign", "sure", "thank", "that",
    "the", "this", "to", "token", "unused", "verification", "verify", "view", "was", "will",
    "with", "you", "your",
}  # fmt: skip
FRENCH_WORDS = {
    "adresse", "avec", "compte", "connecter", "connexion", "dans", "des", "déconnecter", "est",
    "et", "les", "mot", "oublié", "passe", "pas", "pour", "réinitialiser", "sur", "une", "vos",
    "votre", "vous",
}  # fmt: skip
# What the page shows whatever the language: the address in the e-mails, the other language's
# name in the language switch.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/\S*|Fran\w+|English")


def foreign_words(text: str, language: str) -> list[str]:
    """The words of the other language in a text, addresses and links aside."""
    words = FRENCH_WORDS if language == "en" else ENGLISH_WORDS
    found = []
    for line in NOT_WORDS.sub(" ", text).splitlines():
        if [w for w in re.findall(r"\w+(?:-\w+)?", line) if w.lower() in words]:
            found.append(repr(line.strip()[:120]))
    return found


def straight_quoted(text: str) -> list[str]:
    return [line.strip()[:120] for line in text.splitlines() if '"' in line]


PASSWORD = "password"  # the factory's


def allauth_user(username: str, language: str) -> User:
    return UserFactory(username=username, email=f"{username}@example.org", language=language)


def allauth_pages(client, language: str) -> list[tuple[str, str]]:
    """(name, visible text) of every allauth page a person can reach, in this language."""

    pages: list[tuple[str, str]] = []

    def visit(name, url, method="get", data=None, status=200, follow=False):
        response = getattr(client, method)(
            url, data or {}, HTTP_ACCEPT_LANGUAGE=language, follow=follow
        )
        assert response.status_code == status, (name, url, response.status_code)
        pages.append((name, visible_text(response.content.decode())))
        return response

    client.cookies["django_language"] = language
    dom = allauth_user(f"dom{language}", language)
    # Signed out: sign-up, sign-in (and its errors), reset, verification, inactive.
    visit("signup", reverse("account_signup"))
    visit(
        "signup errors",
        reverse("account_signup"),
        "post",
        {"email": "x", "username": "", "password1": "a", "password2": "b"},
    )
    visit("login", reverse("account_login"))
    visit("login errors", reverse("account_login"), "post", {"login": "dom", "password": "no"})
    visit("reset", reverse("account_reset_password"))
    visit("reset done", reverse("account_reset_password_done"))
    key_kwargs = {"uidb36": user_pk_to_url_str(dom), "key": default_token_generator.make_token(dom)}
    visit(
        "reset from key",
        reverse("account_reset_password_from_key", kwargs=key_kwargs),
        follow=True,
    )
    visit(
        "reset bad key",
        reverse("account_reset_password_from_key", kwargs={**key_kwargs, "key": "1-bad"}),
    )
    visit("reset from key done", reverse("account_reset_password_from_key_done"))
    visit("verification sent", reverse("account_email_verification_sent"))
    unverified = EmailAddress.objects.create(user=dom, email=f"new{language}@example.org")
    confirmation = EmailConfirmationHMAC(unverified)
    visit("confirm e-mail", reverse("account_confirm_email", args=[confirmation.key]))
    visit("confirm bad key", reverse("account_confirm_email", args=["bad-key"]))
    unverified.delete()  # two-factor authentication waits for every address to be verified
    visit("inactive", reverse("account_inactive"))

    # Signed in with the password.
    response = client.post(reverse("account_login"), {"login": dom.username, "password": PASSWORD})
    assert response.status_code == 302
    visit("logout", reverse("account_logout"))
    visit("e-mail addresses", reverse("account_email"))
    visit("password change", reverse("account_change_password"))
    visit("reauthenticate", reverse("account_reauthenticate"))
    visit("mfa index", reverse("mfa_index"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    visit("totp activate", reverse("mfa_activate_totp"))
    TOTP.activate(dom, generate_totp_secret())
    RecoveryCodes.activate(dom)
    visit("mfa index (on)", reverse("mfa_index"))
    visit("totp deactivate", reverse("mfa_deactivate_totp"))
    visit("recovery codes", reverse("mfa_view_recovery_codes"))
    visit("recovery codes generate", reverse("mfa_generate_recovery_codes"))
    download = client.get(reverse("mfa_download_recovery_codes"))
    pages.append(("recovery codes file", download.content.decode()))
    visit("mfa reauthenticate", reverse("mfa_reauthenticate"))
    # Reauthenticating with a code sent by e-mail (the other way the reauthenticate pages offer):
    # our template, our msgids (their French in locale/ once the catalogs are merged).
    visit("reauthentication code", reverse("account_request_reauthentication_code"))
    sent = visit(
        "reauthentication code sent",
        reverse("account_request_reauthentication_code"),
        "post",
        {"recipient": dom.email},
        follow=True,
    )
    assert sent.redirect_chain[-1][0] == reverse("account_confirm_reauthentication_code")
    client.logout()

    # Two-factor sign-in, then an account without a password.
    response = client.post(reverse("account_login"), {"login": dom.username, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    visit("mfa authenticate", response["Location"])
    client.logout()
    nopass = allauth_user(f"nopass{language}", language)
    nopass.set_unusable_password()
    nopass.save()
    client.force_login(nopass)
    visit("password set", reverse("account_set_password"))
    client.logout()
    return pages


ALLAUTH_EMAILS = [
    "account/email/account_already_exists",
    "account/email/login_code",  # the reauthentication code
    "account/email/email_changed",
    "account/email/email_confirm",
    "account/email/email_confirmation",
    "account/email/email_confirmation_signup",
    "account/email/email_deleted",
    "account/email/password_changed",
    "account/email/password_reset",
    "account/email/password_reset_key",
    "account/email/password_set",
    "account/email/unknown_account",
    "mfa/email/recovery_codes_generated",
    "mfa/email/totp_activated",
    "mfa/email/totp_deactivated",
]
ALLAUTH_MESSAGES = [
    "account/messages/cannot_delete_primary_email.txt",
    "account/messages/email_confirmation_failed.txt",
    "account/messages/email_confirmation_sent.txt",
    "account/messages/email_confirmed.txt",
    "account/messages/email_deleted.txt",
    "account/messages/logged_in.txt",
    "account/messages/logged_out.txt",
    "account/messages/password_changed.txt",
    "account/messages/password_set.txt",
    "account/messages/primary_email_set.txt",
    "account/messages/unverified_primary_email.txt",
    "mfa/messages/recovery_codes_generated.txt",
    "mfa/messages/totp_activated.txt",
    "mfa/messages/totp_deactivated.txt",
]


def allauth_emails_and_messages(rf, language: str) -> list[tuple[str, str]]:
    """(name, text) of allauth's e-mails (subject, text and HTML) and flash messages."""

    user = allauth_user(f"mail{language}", language)
    request = rf.get("/")
    request.user = user
    context = {
        "user": user,
        "email": user.email,
        "from_email": "old@example.org",
        "to_email": user.email,
        "deleted_email": "old@example.org",
        "activate_url": "https://example.org/accounts/confirm-email/key/",
        "password_reset_url": "https://example.org/accounts/password/reset/key/1-x/",
        "signup_url": "https://example.org/accounts/signup/",
        "username": user.username,
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": datetime.datetime(2026, 1, 5, 10, 42),
        "request": request,
        "current_site": get_current_site(request),
        "key": "key",
        "user_display": user.username,
        "email_address": user.email,
    }
    found = []
    adapter = get_adapter(request)
    with translation.override(language):
        for prefix in ALLAUTH_EMAILS:
            code = {"code": "QWE-RTY"} if prefix.endswith("login_code") else {}
            message = adapter.render_mail(prefix, user.email, {**context, **code})
            found.append((f"{prefix} subject", message.subject))
            found.append((f"{prefix} text", message.body))
            found.append((f"{prefix} html", visible_text(message.alternatives[0][0])))
        for template in ALLAUTH_MESSAGES:
            found.append((template, render_to_string(template, context, request=request)))
    return found


@pytest.mark.parametrize("language", ["fr", "en"])
def test_allauth_pages_and_emails_are_in_the_language_and_spaced_for_it(client, rf, language):
    """allauth's pages, e-mails and messages: only the narrow no-break space before a mark in
    French (their French comes from locale_thirdparty/ and allauth's catalog, not people), none
    in English, and no word of the other language."""
    problems = []
    for name, text in allauth_pages(client, language) + allauth_emails_and_messages(rf, language):
        problems += [f"{name}: {s}" for s in offending(text, language, [], strict=True)]
        problems += [f"{name}: other language in {s}" for s in foreign_words(text, language)]
        if language == "fr":  # « » in French, never straight double quotes
            problems += [f"{name}: straight quotes in {line!r}" for line in straight_quoted(text)]
    assert not problems, f"{len(problems)} snippets:\n" + "\n".join(problems)


def test_the_strict_french_check_wants_the_narrow_no_break_space():
    assert offending("Vous avez déjà un compte ?", "fr", [], strict=True)
    assert offending("Attention\u00a0:", "fr", [], strict=True)
    assert offending("Attention:", "fr", [], strict=True)
    assert not offending("Attention\u202f: à 10:42, https://exemple.fr", "fr", [], strict=True)
    assert not offending("Vous avez déjà un compte ?", "fr", [])


def test_the_word_check_catches_what_it_should():
    assert straight_quoted('Cliquez sur "Envoyer"') and not straight_quoted("« Envoyer »")
    assert foreign_words("Forgot your password?", "fr")
    assert foreign_words("Mot de passe oublié ?", "en")
    assert not foreign_words("Mot de passe oublié\u202f? camille@example.org", "fr")
    assert not foreign_words("Forgotten password? Français", "en")
