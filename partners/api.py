"""The read-only directory of the API: parties, agencies, crime areas and task forces.

Every verified caller may read it, as every officer may read the directory pages. The rows are
reference data (tens of them), read in a fixed number of queries whatever their count; the
lists are pages of ``CursorPage`` all the same, as every list of the API.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors
from partners.models import Agency, Party
from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage

# The largest value of a bigint primary key: a larger id in the path is a missing object, not a
# database error.
_MAX_ID = 2**63 - 1


class AgencyOfPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "is_national_focal_point"]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    agencies = AgencyOfPartySerializer(many=True, read_only=True)

    class Meta:
        model = Party
        fields = ["code", "name", "kind", "status", "status_since", "agencies"]
        read_only_fields = fields


class AgencySerializer(serializers.ModelSerializer):
    party: serializers.SlugRelatedField[Party] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "party", "is_national_focal_point"]
        read_only_fields = fields


def list_answers(serializer: type[serializers.Serializer]) -> dict[Any, Any]:
    """A directory list's answers: a page, or 400 for a ``cursor`` or ``limit`` refused."""
    return api_answers({200: serializer(many=True)}, finds=False)


def detail_answers(serializer: type[serializers.Serializer]) -> dict[Any, Any]:
    """A directory row's answers: the row, or 404 for a code or id that names none."""
    return api_answers({200: serializer}, validates=False)


class DirectoryViewSet(viewsets.GenericViewSet):
    # Reference data visible to every caller: no object permissions to filter on. The cursor
    # goes in the order of the queryset, which ends in the primary key.
    filter_backends: list = []
    pagination_class = CursorPage

    def list(self, request: Request) -> Response:
        rows = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, **kwargs: object) -> Response:
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(
        summary="Parties, by status (members first) and name, with their agencies",
        responses=list_answers(PartySerializer),
    ),
    retrieve=extend_schema(
        summary="One party, by its code", responses=detail_answers(PartySerializer)
    ),
)
class PartyViewSet(DirectoryViewSet):
    serializer_class = PartySerializer
    queryset = Party.objects.none()  # the model, for the schema; the rows: ``get_queryset``
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Party]:
        # The directory page's order (``selectors.parties_grouped_by_status``) as a column the
        # cursor can stand on: the status's place among the headings, then the name.
        rank = Case(
            *(
                When(status=status, then=Value(i))
                for i, status in enumerate(selectors.STATUS_ORDER)
            ),
            default=Value(len(selectors.STATUS_ORDER)),
            output_field=IntegerField(),
        )
        agencies = Agency.objects.order_by("-is_national_focal_point", "name")
        return (
            Party.objects.annotate(status_rank=rank)
            .prefetch_related(Prefetch("agencies", queryset=agencies))
            .order_by("status_rank", "name", "pk")
        )

    def get_object(self) -> Party:
        party = self.get_queryset().filter(code=self.kwargs["code"]).first()
        if party is None:
            raise Http404(_("No such party."))
        return party


@extend_schema_view(
    list=extend_schema(
        summary="Agencies, by party (each party's National Focal Point first)",
        parameters=[
            OpenApiParameter(
                "party", OpenApiTypes.STR, description="Only the agencies of this party (its code)."
            )
        ],
        responses=list_answers(AgencySerializer),
    ),
    retrieve=extend_schema(summary="One agency", responses=detail_answers(AgencySerializer)),
)
class AgencyViewSet(DirectoryViewSet):
    serializer_class = AgencySerializer
    queryset = Agency.objects.none()

    def get_queryset(self) -> QuerySet[Agency]:
        party_code = self.request.query_params.get("party") or None
        # The party's name as a column of the row: the cursor stands on the order's first one.
        return (
            selectors.agencies_for_directory(party_code=party_code)
            .annotate(party_name=F("party__name"))
            .order_by("party_name", "-is_national_focal_point", "name", "pk")
        )

    def get_object(self) -> Agency:
        pk = self.kwargs["pk"]
        agency = selectors.agencies_for_directory().filter(pk=pk).first() if pk <= _MAX_ID else None
        if agency is None:
            raise Http404(_("No such agency."))
        return agency
