"""Staff reports on the questionnaires before reviews (issue 19): how many of the members asked
answered, and, across partnerships, the levels the members perceived by the level agreed then.

Anonymity: only counts, never a person; a cell of the level table holding 1 or 2 answers is
not shown (``policy.QUESTIONNAIRE_THRESHOLD``), and no total is printed that would let it be
worked out. Only closed questionnaires' answers are read (nothing is computed while open).
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from organisations.models import Membership
from partnerships import policy
from partnerships.choices import AssessmentKind, Level
from partnerships.models import (
    Answer,
    AskedMember,
    LevelAssessment,
    Party,
    Questionnaire,
    Respondent,
)
from partnerships.reports.figures import Figures, Selection, Table, level_label


def _questionnaires(selection: Selection):
    period = selection.period
    return Questionnaire.objects.filter(
        review__partnership__in=selection.partnerships,
        closes_on__gte=period.start,
        closes_on__lte=period.end,
    )


def _rate(answered: int, asked: int) -> str | None:
    return f"{round(100 * answered / asked)} %" if asked else None


def response_rates(selection: Selection) -> Figures:
    """Members asked and members who answered, by the month the questionnaire closes, and
    overall (5 queries). Those asked: the members each party's coordinators chose, or all the
    active members of the party's organisation (as they are today)."""
    questionnaires = list(
        _questionnaires(selection).values_list("pk", "closes_on", "review__partnership_id")
    )
    partnership_ids = {row[2] for row in questionnaires}
    parties = list(
        Party.objects.filter(policy.joined(), partnership_id__in=partnership_ids).values_list(
            "pk", "partnership_id", "organisation_id"
        )
    )
    members = dict(
        Membership.objects.filter(
            organisation_id__in={row[2] for row in parties},
            organisation__active=True,
            user__is_active=True,
        )
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    ids = [row[0] for row in questionnaires]
    chosen = {
        (row["questionnaire_id"], row["party_id"]): row["n"]
        for row in AskedMember.objects.filter(questionnaire_id__in=ids)
        .order_by()
        .values("questionnaire_id", "party_id")
        .annotate(n=Count("pk"))
    }
    answered = dict(
        Respondent.objects.filter(questionnaire_id__in=ids)
        .order_by()
        .values("questionnaire_id")
        .annotate(n=Count("pk"))
        .values_list("questionnaire_id", "n")
    )
    by_partnership: dict[int, list[tuple[int, int]]] = {}
    for party_id, partnership_id, organisation_id in parties:
        by_partnership.setdefault(partnership_id, []).append((party_id, organisation_id))
    months: dict = {}
    for pk, closes_on, partnership_id in questionnaires:
        asked = sum(
            chosen.get((pk, party_id), members.get(organisation_id, 0))
            for party_id, organisation_id in by_partnership.get(partnership_id, [])
        )
        month = months.setdefault(closes_on.replace(day=1), [0, 0, 0])
        month[0] += 1
        month[1] += asked
        month[2] += answered.get(pk, 0)
    rows = [
        [date_format(month, "YEAR_MONTH_FORMAT"), n, asked, done, _rate(done, asked)]
        for month, (n, asked, done) in sorted(months.items())
    ]
    if rows:
        total = [sum(values[i] for values in months.values()) for i in range(3)]
        rows.append([_("Whole period"), *total, _rate(total[2], total[1])])
    return {
        "questionnaire-response-rates": Table(
            title=_("Questionnaires' response rates, by the month they close"),
            columns=[
                _("Month"),
                _("Questionnaires"),
                _("Members asked"),
                _("Members who answered"),
                _("Response rate"),
            ],
            table_rows=rows,
        )
    }


def perceived_by_agreed_level(selection: Selection) -> Figures:
    """How many answers perceived each level, by the partnership's agreed level when the
    questionnaire closed; closed questionnaires only (1 query). A cell of 1 or 2 answers
    shows as "fewer than 3"."""
    today = selection.today
    agreed_then = Subquery(
        LevelAssessment.objects.filter(
            partnership=OuterRef("questionnaire__review__partnership"),
            kind=AssessmentKind.AGREED,
            assessed_on__lte=OuterRef("questionnaire__closes_on"),
        )
        .order_by("-assessed_on", "-pk")
        .values("level")[:1],
        output_field=IntegerField(),
    )
    closed = Q(questionnaire__closed_at__isnull=False) | Q(questionnaire__closes_on__lt=today)
    counts: dict[tuple, int] = {}
    for row in (
        Answer.objects.filter(
            closed,
            question="level",
            questionnaire__review__partnership__in=selection.partnerships,
            questionnaire__closes_on__gte=selection.period.start,
            questionnaire__closes_on__lte=selection.period.end,
        )
        .annotate(agreed=agreed_then)
        .order_by()
        .values("agreed", "value")
        .annotate(n=Count("pk"))
    ):
        key = (row["agreed"], row["value"])
        counts[key] = counts.get(key, 0) + row["n"]

    def cell(n: int):
        if 0 < n < policy.QUESTIONNAIRE_THRESHOLD:
            return _("fewer than %(n)s") % {"n": policy.QUESTIONNAIRE_THRESHOLD}
        return n

    agreed_levels = sorted({agreed for agreed, _value in counts}, key=lambda a: (a is None, a))
    rows = [
        [level_label(agreed), *[cell(counts.get((agreed, level), 0)) for level in Level.values]]
        for agreed in agreed_levels
    ]
    return {
        "questionnaire-perceived-levels": Table(
            title=_(
                "Levels perceived by the members who answered, by the level agreed when the "
                "questionnaire closed (closed questionnaires only; cells under 3 answers hidden)"
            ),
            columns=[_("Agreed level"), *[level_label(level) for level in Level.values]],
            table_rows=rows,
        )
    }
