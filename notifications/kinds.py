"""The kinds of notification: what each one says, how it is named on the preferences page, and
how it is sent unless the person chose otherwise.

Adding a kind is one ``register`` call here and one ``notify`` call where the event happens.
Texts are lazy: they are written when read, in the reader's language. ``params`` hold only
what the recipient's organisation may see (names, titles, dates as ISO strings); a parameter
named ``…_on`` is a date, shown as the reader's language writes dates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.dates import long_date
from partnerships.choices import Level

from .choices import Channel


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise  # on the preferences page
    text: Promise  # the sentence, with %(param)s placeholders
    channel: str = Channel.EMAIL  # unless the person chose otherwise
    detail: str | None = None  # a parameter quoted under the sentence (a reason)
    # Parameters stored as a key and shown as a label: {param: {key: lazy label}}.
    labels: dict[str, dict[str, Promise]] | None = None


KINDS: dict[str, Kind] = {}


def register(key: str, label: Promise, text: Promise, **options) -> Kind:
    kind = Kind(key, label, text, **options)
    KINDS[key] = kind
    return kind


def get_kind(key: str) -> Kind:
    return KINDS[key]


def render_params(kind: Kind, params: dict) -> dict:
    """The parameters as the active language shows them: dates written out, keys labelled."""
    shown = {}
    for name, value in params.items():
        if name.endswith("_on") and isinstance(value, str) and value:
            value = long_date(datetime.date.fromisoformat(value))
        elif kind.labels and name in kind.labels:
            value = str(kind.labels[name].get(value, value))
        shown[name] = value
    return shown


def render_text(key: str, params: dict) -> str:
    kind = KINDS.get(key)
    if kind is None:  # a kind retired since: say nothing wrong, just that something happened
        return str(_("Something happened in one of your partnerships."))
    try:
        return str(kind.text) % render_params(kind, params)
    except (KeyError, ValueError, TypeError):
        return str(kind.label)


# --- Invitations -------------------------------------------------------------------------------
PARTY_INVITED = register(
    "party_invited",
    _("Invitations of your organisation to a partnership"),
    _("%(organisation)s invites your organisation to the partnership “%(partnership)s”."),
)
INVITATION_ACCEPTED = register(
    "invitation_accepted",
    _("Invitations accepted"),
    _("%(organisation)s accepted to join the partnership “%(partnership)s”."),
)
INVITATION_DECLINED = register(
    "invitation_declined",
    _("Invitations declined"),
    _("%(organisation)s declined to join the partnership “%(partnership)s”."),
)
MEMBER_INVITED = register(
    "member_invited",
    _("Invitations to join an organisation"),
    _("%(organisation)s invites you to join it on the partnership tracker"),
)

# --- Agreements --------------------------------------------------------------------------------
AGREEMENT_SUBMITTED = register(
    "agreement_submitted",
    _("Agreement versions awaiting your organisation's approval"),
    _(
        "Version %(version)s of the agreement of “%(partnership)s” awaits the approval of "
        "%(organisation)s."
    ),
)
AGREEMENT_REFUSED = register(
    "agreement_refused",
    _("Agreement versions refused"),
    _("%(organisation)s refused version %(version)s of the agreement of “%(partnership)s”."),
    detail="reason",
)
AGREEMENT_IN_FORCE = register(
    "agreement_in_force",
    _("Agreement versions in force"),
    _("Version %(version)s of the agreement of “%(partnership)s” is in force."),
)

# --- Reviews -----------------------------------------------------------------------------------
REVIEW_PLANNED = register(
    "review_planned",
    _("Reviews planned"),
    _("A review of “%(partnership)s” is planned for %(scheduled_on)s."),
)
REVIEW_MOVED = register(
    "review_moved",
    _("Reviews moved"),
    _("The review of “%(partnership)s” has moved to %(scheduled_on)s."),
)
REVIEW_CANCELLED = register(
    "review_cancelled",
    _("Reviews cancelled"),
    _("The review of “%(partnership)s” planned for %(scheduled_on)s is cancelled."),
    detail="reason",
)
RATING_REQUESTED = register(
    "rating_requested",
    _("Blind ratings requested from your organisation"),
    _(
        "Rate the partnership “%(partnership)s” for %(organisation)s before its review on "
        "%(scheduled_on)s: your rating stays sealed until the review is held."
    ),
)
REVIEW_HELD = register(
    "review_held",
    _("Reviews held"),
    _("The review of “%(partnership)s” was held: the ratings are revealed."),
)
REVIEW_CLOSED = register(
    "review_closed",
    _("Reviews closed"),
    _("The review of “%(partnership)s” is closed: its record is ready."),
)

QUESTIONNAIRE_OPENED = register(
    "questionnaire_opened",
    _("Questionnaires to answer before a review"),
    _(
        "Before the review of “%(partnership)s” on %(scheduled_on)s, answer its short "
        "questionnaire for %(organisation)s by %(closes_on)s: your answers are anonymous."
    ),
)
QUESTIONNAIRE_REMINDER = register(
    "questionnaire_reminder",
    _("Reminders of questionnaires not answered yet"),
    _(
        "The questionnaire of the review of “%(partnership)s” closes on %(closes_on)s: "
        "answer it for %(organisation)s. Your answers are anonymous."
    ),
)

# --- Records -----------------------------------------------------------------------------------
COMMITMENT_ASSIGNED = register(
    "commitment_assigned",
    _("Commitments assigned to your organisation"),
    _("In “%(partnership)s”, %(organisation)s now owns the commitment “%(title)s”."),
)
CONCERN_RAISED = register(
    "concern_raised",
    _("Shared fears and resistances raised"),
    _("In “%(partnership)s”, %(organisation)s raised %(concern)s: “%(description)s”."),
    labels={
        "concern": {
            "fear": pgettext_lazy("notification", "a fear"),
            "resistance": pgettext_lazy("notification", "a resistance"),
        }
    },
)


# --- The partnership itself ------------------------------------------------------------------
LEVELS = {"level": {str(value): label for value, label in Level.choices}}
LEVEL_PROPOSED = register(
    "level_proposed",
    _("Agreed levels proposed to your organisation"),
    _(
        "%(organisation)s proposes “%(level)s” as the level agreed together in “%(partnership)s”: "
        "your organisation confirms or refuses it."
    ),
    labels=LEVELS,
)
LEVEL_AGREED = register(
    "level_agreed",
    _("Agreed levels confirmed by every partner"),
    _("Every partner confirmed: “%(level)s” is the level agreed together in “%(partnership)s”."),
    labels=LEVELS,
)
LEVEL_REFUSED = register(
    "level_refused",
    _("Agreed levels refused"),
    _(
        "%(organisation)s refused “%(level)s” as the level agreed together in “%(partnership)s”: "
        "the agreed level stays what it was."
    ),
    detail="reason",
    labels=LEVELS,
)
PARTY_LEFT = register(
    "party_left",
    _("Partners leaving a partnership"),
    _("%(organisation)s left the partnership “%(partnership)s”."),
    detail="reason",
)
LEAD_NEEDED = register(
    "lead_needed",
    _("Partnerships that need a new lead"),
    _(
        "The lead organisation left “%(partnership)s”: the remaining partners name a new lead "
        "(until then, each of them may act as lead)."
    ),
)

# --- Organisations -----------------------------------------------------------------------------
JOIN_REQUESTED = register(
    "join_requested",
    _("Requests to join your organisation"),
    _("%(person)s asks to join %(organisation)s."),
    detail="message",
)
UNIT_REQUESTED = register(
    "unit_requested",
    _("Organisations asking to belong to your system"),
    _("%(unit)s asks to belong to the system %(organisation)s."),
    detail="message",
)
JOIN_ANSWERED = register(
    "join_answered",
    _("Answers to your requests to join an organisation"),
    _("Your request to join %(organisation)s was %(state)s."),
    labels={
        "state": {
            "approved": pgettext_lazy("join request", "approved"),
            "refused": pgettext_lazy("join request", "refused"),
        }
    },
)
