"""The questionnaire before a review, writes: opening it, closing it, answering.

Answers are anonymous. Who has answered (``Respondent``) is stored apart from what was answered
(``Answer``); a person's answers are found again, to be replaced until closing, through a keyed
hash of the person and the questionnaire (``settings.QUESTIONNAIRE_SECRET``), never through
their id. Nothing here logs or notifies anything about a person's answers.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbers import whole_number
from notifications import events
from organisations.models import Organisation, User
from partnerships import policy
from partnerships.exceptions import StateConflict
from partnerships.models import (
    Answer,
    AskedMember,
    CustomQuestion,
    CustomQuestionKind,
    Party,
    Questionnaire,
    Respondent,
    Review,
)
from partnerships.reads.questionnaires import (
    CHOICE,
    LEVEL,
    SCALE,
    TEXT,
    TEXT_MAX,
    compute_results,
    questions_for_party,
    questions_snapshot,
)


def _secret() -> bytes:
    """The questionnaire's own key; derived from SECRET_KEY when not set."""
    if settings.QUESTIONNAIRE_SECRET:
        return settings.QUESTIONNAIRE_SECRET.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"partnerships.questionnaire-answers", hashlib.sha256
    ).digest()


def answer_key(user: User, questionnaire: Questionnaire) -> str:
    """The keyed hash under which a person's answers to one questionnaire are stored."""
    message = f"{questionnaire.pk}:{user.pk}".encode()
    return hmac.new(_secret(), message, hashlib.sha256).hexdigest()


def default_closing(review: Review, today: datetime.date) -> datetime.date:
    return max(today, review.scheduled_on - datetime.timedelta(days=1))


def _actor(user: User, organisation: Organisation) -> policy.Actor:
    return policy.Actor.of(user, organisation)


@transaction.atomic
def questionnaire_open(
    *,
    actor: User,
    organisation: Organisation,
    review: Review,
    closes_on: datetime.date | None = None,
    members: list | None = None,
) -> Questionnaire:
    """Open the review's questionnaire until ``closes_on`` (by default the day before the
    meeting) and invite the members of the parties taking part to answer: every member, but
    for the opener's own party only ``members`` (usernames or ids) when given."""
    review = Review.objects.select_for_update().select_related("partnership").get(pk=review.pk)
    party = policy.require_questionnaire_coordinator(_actor(actor, organisation), review)
    if Questionnaire.objects.filter(review=review).exists():
        raise StateConflict(_("The questionnaire of this review is already open."))
    today = timezone.localdate()
    closes_on = closes_on or default_closing(review, today)
    if closes_on < today or closes_on > review.scheduled_on:
        raise ValidationError(
            {
                "closes_on": _(
                    "Choose a closing date between today and the day of the meeting (%(date)s)."
                )
                % {"date": review.scheduled_on.isoformat()}
            }
        )
    questionnaire = Questionnaire.objects.create(
        review=review, closes_on=closes_on, opened_by=actor, questions=questions_snapshot(review)
    )
    if members is not None:
        _set_asked(questionnaire, party, members)
    events.questionnaire_opened(questionnaire, actor=actor)
    return questionnaire


def party_members(party: Party) -> list[User]:
    """The active members of a party's organisation, by name."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=party.organisation_id,
            memberships__organisation__active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _resolve_members(party: Party, members: list) -> list[User]:
    """The party's members named by username or id; 400 for anyone else or for nobody."""
    if not isinstance(members, list) or not members:
        raise ValidationError({"members": _("Choose at least one member to ask.")})
    known = party_members(party)
    by_name = {user.username: user for user in known}
    by_id = {user.pk: user for user in known}
    chosen: dict[int, User] = {}
    for item in members:
        user = None
        if isinstance(item, int) and not isinstance(item, bool):
            user = by_id.get(item)
        elif isinstance(item, str):
            user = by_name.get(item) or by_id.get(whole_number(item))
        if user is None:
            raise ValidationError(
                {
                    "members": _("%(name)s is not a member of your organisation.")
                    % {"name": str(item)[:150]}
                }
            )
        chosen[user.pk] = user
    return list(chosen.values())


def _set_asked(questionnaire: Questionnaire, party: Party, members: list) -> list[User]:
    """Replace the party's choice of members asked; returns those newly asked. Choosing
    every member is no choice: the default stays (members who join later are asked too)."""
    users = _resolve_members(party, members)
    everyone = {user.pk for user in party_members(party)}
    before = policy.questionnaire_asked_ids(questionnaire, party.pk)
    AskedMember.objects.filter(questionnaire=questionnaire, party=party).delete()
    if {user.pk for user in users} != everyone:
        AskedMember.objects.bulk_create(
            [AskedMember(questionnaire=questionnaire, party=party, user=user) for user in users]
        )
    # With no choice before, everyone was asked (and invited): nobody is newly asked.
    return [user for user in users if before and user.pk not in before]


@transaction.atomic
def questionnaire_members_choose(
    *, actor: User, organisation: Organisation, review: Review, members: list
) -> list[User]:
    """A party's coordinators choose which of its members are asked, while the questionnaire
    is open; those newly asked are invited. Returns the members asked."""
    party = policy.require_questionnaire_coordinator(_actor(actor, organisation), review)
    questionnaire = Questionnaire.objects.select_for_update().filter(review=review).first()
    policy.require_questionnaire_open(questionnaire)
    added = _set_asked(questionnaire, party, members)
    added = [user for user in added if user.pk != actor.pk]
    if added:
        events.questionnaire_members_added(questionnaire, party, added)
    return asked_members(questionnaire, party)


def asked_members(questionnaire: Questionnaire | None, party: Party) -> list[User]:
    """The members of the party asked to answer: those chosen, or all of them."""
    members = party_members(party)
    if questionnaire is None:
        return members
    chosen = policy.questionnaire_asked_ids(questionnaire, party.pk)
    return [user for user in members if not chosen or user.pk in chosen]


def _close(questionnaire: Questionnaire) -> None:
    if questionnaire.closed_at is None:
        questionnaire.closed_at = timezone.now()
        questionnaire.save(update_fields=["closed_at"])


@transaction.atomic
def questionnaire_close(
    *, actor: User, organisation: Organisation, review: Review
) -> Questionnaire:
    """Close the questionnaire before its date: no answer changes afterwards, and the results
    are computed."""
    policy.require_questionnaire_coordinator(_actor(actor, organisation), review)
    questionnaire = Questionnaire.objects.select_for_update().filter(review=review).first()
    policy.require_questionnaire_open(questionnaire)
    _close(questionnaire)
    return questionnaire


def close_for_review(review: Review) -> None:
    """Holding the review closes its questionnaire (called by ``review_hold``)."""
    questionnaire = Questionnaire.objects.select_for_update().filter(review=review).first()
    if questionnaire is not None:
        _close(questionnaire)


def frozen_results(review: Review) -> dict:
    """What the review's record keeps of its questionnaire, as it was when the review closed:
    each party's respondents, and its answers only where at least the threshold answered;
    ``private`` names the organisation that alone sees each question about a private concern
    (``reads.agenda.visible_record`` leaves the others' out)."""
    questionnaire = Questionnaire.objects.filter(review=review).first()
    if questionnaire is None or not questionnaire.is_closed:
        return {}
    raw = compute_results(questionnaire)
    slugs = dict(
        Party.objects.filter(partnership_id=review.partnership_id).values_list(
            "pk", "organisation__slug"
        )
    )
    parties = {}
    for party_id, entry in raw["parties"].items():
        kept = {"organisation": slugs.get(int(party_id)), "respondents": entry["respondents"]}
        if entry["respondents"] >= policy.QUESTIONNAIRE_THRESHOLD:
            kept.update(counts=entry["counts"], texts=entry["texts"], too_few=entry["too_few"])
        parties[party_id] = kept
    private = {
        f"concern-{concern['id']}": slugs.get(concern["private_to"])
        for concern in questionnaire.questions.get("concerns", [])
        if concern["private_to"] is not None
    }
    return {"questionnaire": {"parties": parties, "private": private}}


def _invalid(question: dict, message: str) -> ValidationError:
    return ValidationError({"answers": f"{question['id']}: {message}"})


def clean_value(question: dict, value):
    """The value as stored, or None for a question left unanswered; 400 for a bad value."""
    kind = question["kind"]
    if value is None or value == "" or value == []:
        return None
    if kind in (LEVEL, SCALE):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(question, _("Give a whole number."))
        allowed = (
            [c["value"] for c in question["choices"]]
            if kind == LEVEL
            else range(question["scale"]["min"], question["scale"]["max"] + 1)
        )
        if value not in allowed:
            raise _invalid(question, _("This value is not on the scale."))
        return value
    if kind == CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _invalid(question, _("Give a list of choices."))
        allowed = [c["value"] for c in question["choices"]]
        if any(v not in allowed for v in value) or len(set(value)) != len(value):
            raise _invalid(question, _("Choose among the options given, each once."))
        if not question.get("multiple") and len(value) > 1:
            raise _invalid(question, _("Choose one option only."))
        return value
    if kind == TEXT:
        if not isinstance(value, str):
            raise _invalid(question, _("Give a text."))
        value = value.strip()
        if len(value) > TEXT_MAX:
            raise _invalid(question, _("Keep it under %(max)s characters.") % {"max": TEXT_MAX})
        return value or None
    raise _invalid(question, _("Unknown question."))


@transaction.atomic
def answers_save(
    *, actor: User, organisation: Organisation, review: Review, answers: list[dict]
) -> bool:
    """Record or replace the person's answers, for the organisation they act for. Returns
    True the first time (a new respondent), False when answers were replaced; 409 once the
    questionnaire is closed."""
    party = policy.require_questionnaire_answerer(_actor(actor, organisation), review.partnership)
    questionnaire = Questionnaire.objects.select_for_update().filter(review=review).first()
    policy.require_questionnaire_open(questionnaire)
    policy.require_questionnaire_asked(questionnaire, party, actor)
    questions = {q["id"]: q for q in questions_for_party(questionnaire, party.pk)}
    cleaned: dict[str, object] = {}
    for item in answers:
        question = questions.get(str(item.get("question")))
        if question is None:
            raise ValidationError(
                {"answers": _("Unknown question: %(id)s.") % {"id": item.get("question")}}
            )
        if question["id"] in cleaned:
            raise ValidationError({"answers": _("Each question is answered once.")})
        value = clean_value(question, item.get("value"))
        if value is not None:
            cleaned[question["id"]] = value
    key = answer_key(actor, questionnaire)
    Answer.objects.filter(questionnaire=questionnaire, key=key).delete()
    Answer.objects.bulk_create(
        [
            Answer(questionnaire=questionnaire, party=party, key=key, question=q, value=v)
            for q, v in cleaned.items()
        ]
    )
    _respondent, created = Respondent.objects.update_or_create(
        questionnaire=questionnaire, user=actor, defaults={"party": party}
    )
    return created


# --- The partnership's own questions ---------------------------------------------------------
@transaction.atomic
def custom_question_add(
    *, actor: User, organisation: Organisation, partnership, kind: str, text: str, options=None
) -> CustomQuestion:
    """Coordinators add up to five questions of their own; asked from the next questionnaire
    opened."""
    policy.require_writer(_actor(actor, organisation), partnership)
    policy.require_room_for_custom_question(
        CustomQuestion.objects.filter(partnership=partnership).count()
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    if kind not in CustomQuestionKind.values:
        raise ValidationError({"kind": _("Choose a value from the list.")})
    options = [str(o).strip() for o in (options or []) if str(o).strip()]
    if kind == CustomQuestionKind.CHOICE and not 2 <= len(options) <= 10:
        raise ValidationError({"options": _("Give between 2 and 10 options.")})
    if kind != CustomQuestionKind.CHOICE:
        options = []
    return CustomQuestion.objects.create(
        partnership=partnership, kind=kind, text=text[:300], options=options
    )


@transaction.atomic
def custom_question_delete(
    *, actor: User, organisation: Organisation, question: CustomQuestion
) -> None:
    """A question removed is no longer asked; questionnaires already opened keep their copy."""
    policy.require_writer(_actor(actor, organisation), question.partnership)
    question.delete()
