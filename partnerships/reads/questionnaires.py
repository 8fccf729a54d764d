"""The questionnaire before a review, read side: its questions (built-in and the partnership's
own, in the reader's language), and its results as each viewer may see them.

Results are computed only once the questionnaire is closed, and only for a party at least
``policy.QUESTIONNAIRE_THRESHOLD`` of whose members answered. Until the review is held each
party sees its own members' results and the other parties' response counts; afterwards every
party sees everyone's, except questions about a party's private concerns, which only that party
ever sees. Nothing here knows who answered what: the answers carry no person.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from partnerships import policy
from partnerships.choices import (
    INTENSITY_LABELS,
    LEVEL_SUMMARIES,
    ConcernKind,
    Level,
    PleasureCategory,
    concern_category_label,
)
from partnerships.models import (
    Answer,
    Concern,
    CustomQuestion,
    CustomQuestionKind,
    Party,
    Questionnaire,
    Respondent,
    Review,
)

TEXT_MAX = 1000

# Question kinds (the API's ``kind``).
LEVEL, SCALE, CHOICE, TEXT = "level", "scale", "choice", "text"
# Built-in questions whose answers feed the agenda's free-text topics.
TOPICS = "topics"


# --- The questions -------------------------------------------------------------------------
def questions_snapshot(review: Review) -> dict:
    """What opening copies: the open concerns and the partnership's own questions as they are
    now (a concern raised later is asked at the next review)."""
    concerns = (
        Concern.objects.filter(partnership_id=review.partnership_id)
        .open()
        .order_by("kind", "category", "pk")
    )
    return {
        "concerns": [
            {
                "id": concern.pk,
                "kind": concern.kind,
                "category": concern.category,
                "description": Truncator(concern.description).chars(120),
                "private_to": concern.raised_by_id if concern.is_private else None,
            }
            for concern in concerns
        ],
        "custom": [
            {"id": q.pk, "kind": q.kind, "text": q.text, "options": list(q.options or [])}
            for q in CustomQuestion.objects.filter(partnership_id=review.partnership_id)
        ],
    }


def _scale(low: int, high: int, labels: dict | None = None) -> dict:
    question = {"kind": SCALE, "scale": {"min": low, "max": high}}
    if labels:
        question["choices"] = [
            {"value": value, "label": f"{value} · {labels[value]}"}
            for value in range(low, high + 1)
        ]
    return question


def _levels() -> list[dict]:
    return [
        {"value": level.value, "label": f"{level.value} · {level.label} — {LEVEL_SUMMARIES[level]}"}
        for level in Level
    ]


def concern_label(concern: dict) -> str:
    return concern_category_label(concern["kind"], concern["category"])


def all_questions(questionnaire: Questionnaire) -> list[dict]:
    """Every question of the questionnaire, in the active language; a question about a private
    concern carries ``private_to`` (the raising party's id)."""
    agree = {1: _("not at all"), 2: _("a little"), 3: _("somewhat"), 4: _("largely"), 5: _("fully")}
    questions = [
        {
            "id": "level",
            "kind": LEVEL,
            "text": _("Which level does the partnership reach today, as you see it?"),
            "choices": _levels(),
        },
        {
            "id": "wished",
            "kind": LEVEL,
            "text": _("Which level do you wish for the partnership?"),
            "choices": _levels(),
        },
    ]
    for concern in questionnaire.questions.get("concerns", []):
        if concern["kind"] == ConcernKind.FEAR:
            text = _("How strong is the fear “%(label)s” now?")
        else:
            text = _("How strong is the resistance “%(label)s” now?")
        questions.append(
            {
                "id": f"concern-{concern['id']}",
                "text": text % {"label": concern_label(concern)},
                "detail": concern["description"],
                "private_to": concern["private_to"],
                "concern": concern,
                **_scale(0, 5, {k: str(v) for k, v in INTENSITY_LABELS.items()}),
            }
        )
    questions += [
        {
            "id": "pleasures",
            "kind": CHOICE,
            "multiple": True,
            "text": _("Which pleasures have you felt since the last review?"),
            "choices": [{"value": v, "label": str(label)} for v, label in PleasureCategory.choices],
        },
        {
            "id": "pleasure-example",
            "kind": TEXT,
            "text": _("An example of such a pleasure, in a few words"),
        },
        {
            "id": "worth",
            "text": _("How much is the partnership worth its cost to you?"),
            **_scale(1, 5, agree),
        },
        {
            "id": "fairness",
            "text": _("Are decisions shared fairly?"),
            **_scale(1, 5, agree),
        },
        {"id": TOPICS, "kind": TEXT, "text": _("What should we talk about at the meeting?")},
    ]
    for custom in questionnaire.questions.get("custom", []):
        question = {"id": f"custom-{custom['id']}", "text": custom["text"]}
        if custom["kind"] == CustomQuestionKind.SCALE:
            question.update(_scale(1, 5))
        elif custom["kind"] == CustomQuestionKind.CHOICE:
            question.update(
                kind=CHOICE,
                multiple=False,
                choices=[{"value": o, "label": o} for o in custom["options"]],
            )
        else:
            question["kind"] = TEXT
        questions.append(question)
    return questions


def questions_for_party(questionnaire: Questionnaire, party_id: int) -> list[dict]:
    """The questions a party's members are asked."""
    return [q for q in all_questions(questionnaire) if policy.question_asked_to(q, party_id)]


def public_question(question: dict) -> dict:
    """A question as the API shows it."""
    shown = {"id": question["id"], "kind": question["kind"], "text": question["text"]}
    for name in ("detail", "choices", "scale", "multiple"):
        if name in question:
            shown[name] = question[name]
    return shown


def possible_values(question: dict) -> list | None:
    if question["kind"] in (LEVEL, CHOICE):
        return [choice["value"] for choice in question["choices"]]
    if question["kind"] == SCALE:
        return list(range(question["scale"]["min"], question["scale"]["max"] + 1))
    return None


# --- Results ---------------------------------------------------------------------------------
def compute_results(questionnaire: Questionnaire) -> dict:
    """Every party's raw results: respondents and, per question, the counts of each value (or
    the texts, sorted so their order says nothing). Only for a closed questionnaire; what a
    viewer may see of them is ``visible_results``'s business."""
    assert questionnaire.is_closed, "results are computed only once the questionnaire is closed"
    respondents = Counter(
        Respondent.objects.filter(questionnaire=questionnaire).values_list("party_id", flat=True)
    )
    counts: dict[int, dict[str, Counter]] = {}
    texts: dict[int, dict[str, list[str]]] = {}
    answerers: dict[int, Counter] = {}  # party → question → how many answered it
    for party_id, question, value in Answer.objects.filter(questionnaire=questionnaire).values_list(
        "party_id", "question", "value"
    ):
        answerers.setdefault(party_id, Counter())[question] += 1
        if isinstance(value, str):
            texts.setdefault(party_id, {}).setdefault(question, []).append(value)
            continue
        values = value if isinstance(value, list) else [value]
        counter = counts.setdefault(party_id, {}).setdefault(question, Counter())
        counter.update(str(v) for v in values)
    parties = {}
    for party_id in set(respondents) | set(counts) | set(texts):
        # The threshold holds per question too: a question that fewer members answered shows
        # nothing, or a single answer among three respondents would stand out.
        answered = answerers.get(party_id, Counter())
        too_few = sorted(q for q, n in answered.items() if n < policy.QUESTIONNAIRE_THRESHOLD)
        parties[str(party_id)] = {
            "respondents": respondents.get(party_id, 0),
            "counts": {q: dict(c) for q, c in counts.get(party_id, {}).items() if q not in too_few},
            "texts": {
                q: sorted(t, key=str.casefold)
                for q, t in texts.get(party_id, {}).items()
                if q not in too_few
            },
            "too_few": too_few,
        }
    return {"parties": parties}


@dataclass
class QuestionResult:
    question: dict
    distribution: dict | None = None  # value → count, every possible value listed
    too_few: bool = False  # fewer members than the threshold answered this question
    texts: list[str] | None = None
    total: int = 0

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        """(label, count, percentage of the largest count) for the bar chart and its table."""
        if not self.distribution:
            return []
        labels = {str(c["value"]): c["label"] for c in self.question.get("choices", [])}
        top = max(self.distribution.values()) or 1
        return [
            (labels.get(value, value), count, round(100 * count / top))
            for value, count in self.distribution.items()
        ]

    @property
    def spread(self) -> tuple[int, int] | None:
        """The lowest and highest value answered, for numbers."""
        if not self.distribution or self.question["kind"] not in (LEVEL, SCALE):
            return None
        answered = [int(v) for v, count in self.distribution.items() if count]
        return (min(answered), max(answered)) if answered else None


@dataclass
class PartyResult:
    party: Party
    respondents: int
    own: bool
    shown: bool
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def organisation(self):
        return self.party.organisation


@dataclass
class Results:
    questionnaire: Questionnaire | None
    parties: list[PartyResult]

    @property
    def closed(self) -> bool:
        return self.questionnaire is not None and self.questionnaire.is_closed

    @property
    def total(self) -> int:
        return sum(p.respondents for p in self.parties)


def raw_results(questionnaire: Questionnaire, review: Review) -> dict | None:
    """The frozen results once the review is closed, computed from the answers once the
    questionnaire is closed, nothing while it is open."""
    if review.is_closed and review.record and "questionnaire" in review.record:
        return review.record["questionnaire"]
    if not questionnaire.is_closed:
        return None
    return compute_results(questionnaire)


def visible_results(
    questionnaire: Questionnaire | None, review: Review, own_party_ids: set[int]
) -> Results:
    """Every party taking part (or that joined) with its response count, and its distributions
    where ``policy.questionnaire_results_shown`` allows (``own_party_ids``: the viewer's)."""
    if questionnaire is None:
        return Results(None, [])
    parties = list(
        Party.objects.filter(policy.joined(), partnership_id=review.partnership_id)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    raw = raw_results(questionnaire, review)
    if raw is None:  # open: counts only, from who has answered
        live = Counter(
            Respondent.objects.filter(questionnaire=questionnaire).values_list(
                "party_id", flat=True
            )
        )
        raw = {"parties": {str(p): {"respondents": n} for p, n in live.items()}}
    questions = all_questions(questionnaire)
    rows = []
    for party in parties:
        entry = raw["parties"].get(str(party.pk), {})
        respondents = entry.get("respondents", 0)
        own = party.pk in own_party_ids
        shown = policy.questionnaire_results_shown(
            questionnaire, review, party.pk, respondents, own_party_ids
        )
        result = PartyResult(party, respondents, own, shown)
        for question in questions:
            if not policy.question_asked_to(question, party.pk):
                continue
            if not policy.question_visible_to(question, own_party_ids):
                continue
            item = QuestionResult(question)
            if shown and question["id"] in entry.get("too_few", ()):
                item.too_few = True
            elif shown:
                if question["kind"] == TEXT:
                    item.texts = entry.get("texts", {}).get(question["id"], [])
                else:
                    counts = entry.get("counts", {}).get(question["id"], {})
                    item.distribution = {
                        str(v): counts.get(str(v), 0) for v in possible_values(question)
                    }
                    item.total = sum(item.distribution.values())
            result.questions.append(item)
        rows.append(result)
    return Results(questionnaire, rows)


def questionnaire_of(review: Review) -> Questionnaire | None:
    return Questionnaire.objects.filter(review=review).first()


# --- The agenda's lines ------------------------------------------------------------------------
def agenda_lines(results: Results, *, include_private: bool = True) -> tuple[list[str], list[str]]:
    """What the meeting starts from: sentences about the spread of the answers and concerns
    felt strongly, and the free-text topics as written (without author). The organisation's
    own private concerns only with ``include_private`` (another's never reach ``results``)."""
    lines: list[str] = []
    topics: list[str] = []
    for party in results.parties:
        if not party.shown:
            continue
        name = party.organisation.name
        for item in party.questions:
            qid = item.question["id"]
            if qid == "level" and item.spread and item.spread[0] != item.spread[1]:
                lines.append(
                    _(
                        "Within %(organisation)s, answers about the level range from %(low)s "
                        "to %(high)s."
                    )
                    % {"organisation": name, "low": item.spread[0], "high": item.spread[1]}
                )
            elif qid.startswith("concern-") and item.distribution and item.total:
                if item.question.get("private_to") is not None and not include_private:
                    continue
                strong = item.distribution.get("4", 0) + item.distribution.get("5", 0)
                if strong * 2 > item.total:
                    concern = item.question["concern"]
                    if concern["kind"] == ConcernKind.FEAR:
                        text = _("Fear “%(label)s” is at 4–5 for most members of %(organisation)s.")  # noqa: RUF001
                    else:
                        text = _(
                            "Resistance “%(label)s” is at 4–5 for most members of "  # noqa: RUF001
                            "%(organisation)s."
                        )
                    lines.append(text % {"label": concern_label(concern), "organisation": name})
            elif qid == TOPICS and item.texts:
                topics.extend(item.texts)
    return lines, topics


def questionnaire_section(review: Review, organisation, *, include_private: bool = True) -> dict:
    """What the agenda (page, print, PDF) shows of the questionnaire, for ``organisation``."""
    questionnaire = questionnaire_of(review)
    own = set(
        Party.objects.filter(
            partnership_id=review.partnership_id, organisation=organisation
        ).values_list("pk", flat=True)
    )
    results = visible_results(questionnaire, review, own)
    lines, topics = agenda_lines(results, include_private=include_private)
    return {
        "questionnaire": questionnaire,
        "questionnaire_results": results,
        "questionnaire_lines": lines,
        "questionnaire_topics": topics,
        "threshold": policy.QUESTIONNAIRE_THRESHOLD,
    }


# --- Across reviews ----------------------------------------------------------------------------
HISTORY_QUESTIONS = ("level", "wished", "worth", "fairness")


@dataclass
class HistoryCell:
    respondents: int
    low: int | None = None
    high: int | None = None
    average: float | None = None

    @property
    def shown(self) -> bool:
        return self.respondents >= policy.QUESTIONNAIRE_THRESHOLD and self.low is not None


def questionnaire_history(partnership, parties: list[Party]) -> list[tuple[dict, list]]:
    """Each built-in numeric question compared across the reviews held: per review and party,
    the range and the average of the members' answers (only at or above the threshold; held
    reviews are revealed to every party). Three queries, whatever the number of reviews."""
    questionnaires = list(
        Questionnaire.objects.filter(
            review__in=Review.objects.held().filter(partnership=partnership)
        )
        .select_related("review")
        .order_by("review__held_on", "review_id")
    )
    if not questionnaires:
        return []
    respondents = Counter(
        Respondent.objects.filter(questionnaire__in=questionnaires).values_list(
            "questionnaire_id", "party_id"
        )
    )
    values: dict[tuple[int, int, str], list[int]] = {}
    for questionnaire_id, party_id, question, value in Answer.objects.filter(
        questionnaire__in=questionnaires, question__in=HISTORY_QUESTIONS
    ).values_list("questionnaire_id", "party_id", "question", "value"):
        if isinstance(value, int):
            values.setdefault((questionnaire_id, party_id, question), []).append(value)
    texts = {q["id"]: q["text"] for q in all_questions(questionnaires[0])}
    tables = []
    for question in HISTORY_QUESTIONS:
        rows = []
        for questionnaire in questionnaires:
            cells = []
            for party in parties:
                n = respondents.get((questionnaire.pk, party.pk), 0)
                answered = values.get((questionnaire.pk, party.pk, question), [])
                cell = HistoryCell(n)
                # The threshold holds for the party and for the question, as in the results.
                threshold = policy.QUESTIONNAIRE_THRESHOLD
                if n >= threshold and len(answered) >= threshold:
                    cell.low, cell.high = min(answered), max(answered)
                    cell.average = round(sum(answered) / len(answered), 1)
                cells.append(cell)
            rows.append((questionnaire.review, cells))
        tables.append(({"id": question, "text": texts[question]}, rows))
    return tables
