"""Pagination and ordering of the API lists."""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` with the id as the last key, so pages never overlap on ties.

    The values are an enum in the schema (each field of the view's ``ordering_fields``, or the
    same prefixed with ``-`` for descending); an unknown one answers 400 instead of being
    ignored. Several, comma-separated, are still read in order.
    """

    def terms(self, view) -> list[str]:
        fields = [item if isinstance(item, str) else item[0] for item in view.ordering_fields]
        return [term for field in fields for term in (field, f"-{field}")]

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = set(self.terms(view))
        unknown = [term for term in fields if term not in valid]
        if unknown:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Unknown ordering: %(terms)s. Use one of: %(valid)s.")
                        % {"terms": ", ".join(unknown), "valid": ", ".join(self.terms(view))}
                    ]
                }
            )
        return fields

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": force_str(self.ordering_description),
                "schema": {"type": "string", "enum": self.terms(view)},
            }
        ]
