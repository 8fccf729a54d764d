"""Filters of the organisations lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from organisations.choices import OrganisationKind
from organisations.models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Part of the name")
    )
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["search", "kind"]
