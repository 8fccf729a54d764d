"""The network map's data: GET /api/v1/network/?organisation=<slug>&at=YYYY-MM-DD."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.dates import validate_date_in_range
from organisations.models import Organisation
from partnerships.choices import Level, Scope
from partnerships.reads.network import network_at

from .scoping import slug_or_none


class NetworkNodeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    system = serializers.SlugField(
        allow_null=True,
        help_text=_("Slug of the root organisation of its system; null outside any system."),
    )


class NetworkEdgeSerializer(serializers.Serializer):
    source = serializers.SlugField(help_text=_("The organisation asked for."))
    target = serializers.SlugField(help_text=_("Another accepted party of the partnership."))
    partnership = serializers.IntegerField(help_text=_("The partnership's id."))
    level = serializers.ChoiceField(
        choices=Level.choices,
        allow_null=True,
        help_text=_("The level agreed as logged on that date (1 to 7); null if none yet."),
    )
    scope = serializers.ChoiceField(choices=Scope.choices)


class NetworkSerializer(serializers.Serializer):
    organisation = serializers.SlugField()
    at = serializers.DateField()
    nodes = NetworkNodeSerializer(many=True)
    edges = NetworkEdgeSerializer(many=True)


class NetworkQuerySerializer(serializers.Serializer):
    at = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], validators=[validate_date_in_range]
    )


class NetworkApi(APIView):
    """Who one of your organisations partners with on a date, from the level log: its
    partnerships then (started, not ended, the parties not gone), each joining it to every other
    accepted party (a partnership of three parties gives two edges), with the level agreed on
    that date. Only what that organisation may see: never a partnership it is not party to."""

    error_codes = (400, 404)  # ?organisation= or ?at= missing or malformed, or not yours

    @extend_schema(
        summary=_("The network of one of your organisations at a date"),
        parameters=[
            OpenApiParameter(
                "organisation",
                OpenApiTypes.STR,
                required=True,
                description=_("Slug of one of your organisations."),
            ),
            OpenApiParameter(
                "at",
                OpenApiTypes.DATE,
                description=_("The day of the map, YYYY-MM-DD; today by default."),
            ),
        ],
        responses={200: NetworkSerializer},
    )
    def get(self, request, *args, **kwargs):
        slug = slug_or_none(request.query_params.get("organisation"), "organisation")
        if slug is None:
            raise serializers.ValidationError(
                {"organisation": _("Name one of your organisations by its slug.")}
            )
        query = NetworkQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = get_object_or_404(
            Organisation.objects.active().of_user(request.user), slug=slug
        )
        at: datetime.date = query.validated_data.get("at") or timezone.localdate()
        network = network_at(organisation, at)
        data = {
            "organisation": organisation.slug,
            "at": at,
            "nodes": [
                {"slug": node.slug, "name": node.name, "system": node.system}
                for node in network.nodes
            ],
            "edges": [
                {
                    "source": edge.source,
                    "target": edge.target,
                    "partnership": edge.partnership,
                    "level": edge.level,
                    "scope": edge.scope,
                }
                for edge in network.edges
            ],
        }
        return Response(NetworkSerializer(data).data)
