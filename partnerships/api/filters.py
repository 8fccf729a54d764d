"""Filters of the partnerships lists (``?status=active&agreed_level=4`` …)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partnerships import policy
from partnerships.choices import (
    AssessmentKind,
    CommitmentStatus,
    ConcernKind,
    ConcernStatus,
    Level,
    PartnershipStatus,
    PleasureCategory,
    ReviewStatus,
    Scope,
    Visibility,
)
from partnerships.models import (
    Benefit,
    Commitment,
    Concern,
    LevelAssessment,
    Partnership,
    Party,
    Responsibility,
    Review,
)

from .serializers import CONCERN_CATEGORY_VALUES


class PartnershipFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PartnershipStatus.choices)
    scope = django_filters.ChoiceFilter(choices=Scope.choices)
    # The current agreed level is an annotation of ``with_levels()``.
    agreed_level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    organisation = django_filters.CharFilter(
        method="filter_organisation", label=_("Slug of an organisation that is a party")
    )
    search = django_filters.CharFilter(method="filter_search", label=_("Words of the title"))

    class Meta:
        model = Partnership
        fields = ["status", "scope", "agreed_level", "organisation", "search"]

    def filter_organisation(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        parties = Party.objects.filter(
            policy.joined(), partnership=OuterRef("pk"), organisation__slug=value
        )
        return queryset.filter(Exists(parties))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(title__icontains=value) | Q(purpose__icontains=value))


class LevelFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AssessmentKind.choices)

    class Meta:
        model = LevelAssessment
        fields = ["kind"]


class PartyFilterSet(django_filters.FilterSet):
    party = django_filters.CharFilter(
        field_name="party__organisation__slug", label=_("Slug of the party's organisation")
    )


class ResponsibilityFilter(PartyFilterSet):
    class Meta:
        model = Responsibility
        fields = ["party"]


class CommitmentFilter(PartyFilterSet):
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices)

    class Meta:
        model = Commitment
        fields = ["status", "party"]


class ConcernFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ConcernKind.choices)
    category = django_filters.ChoiceFilter(choices=[(v, v) for v in CONCERN_CATEGORY_VALUES])
    status = django_filters.ChoiceFilter(choices=ConcernStatus.choices)
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)

    class Meta:
        model = Concern
        fields = ["kind", "category", "status", "visibility"]


class BenefitFilter(PartyFilterSet):
    category = django_filters.ChoiceFilter(choices=PleasureCategory.choices)

    class Meta:
        model = Benefit
        fields = ["category", "party"]


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = Review
        fields = ["status"]
