"""The read-only directory of the API: parties, agencies, crime areas and task forces.

Every verified caller may read it, as every officer may read the directory pages. The rows are
reference data (tens of them), read through the directory's selectors in a fixed number of
queries whatever their count, so the lists are not paginated.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors
from partners.models import Agency, Party

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


class DirectoryViewSet(viewsets.GenericViewSet):
    # Reference data visible to every caller: no object permissions to filter on, and the
    # exchanges' cursor (on sent time) does not apply.
    filter_backends: list = []
    pagination_class = None

    def list(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def retrieve(self, request: Request, **kwargs: object) -> Response:
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(summary="Parties, by status (members first) and name, with their agencies"),
    retrieve=extend_schema(summary="One party, by its code"),
)
class PartyViewSet(DirectoryViewSet):
    serializer_class = PartySerializer
    queryset = Party.objects.none()  # the model, for the schema; the rows come from the selector
    lookup_field = "code"

    def get_queryset(self) -> list[Party]:  # type: ignore[override]
        return [party for _, parties in selectors.parties_grouped_by_status() for party in parties]

    def get_object(self) -> Party:
        code = self.kwargs["code"]
        for party in self.get_queryset():
            if party.code == code:
                return party
        raise Http404("No such party.")


@extend_schema_view(
    list=extend_schema(
        summary="Agencies, by party (each party's National Focal Point first)",
        parameters=[
            OpenApiParameter(
                "party", OpenApiTypes.STR, description="Only the agencies of this party (its code)."
            )
        ],
    ),
    retrieve=extend_schema(summary="One agency"),
)
class AgencyViewSet(DirectoryViewSet):
    serializer_class = AgencySerializer
    queryset = Agency.objects.none()

    def get_queryset(self) -> QuerySet[Agency]:
        party_code = self.request.query_params.get("party") or None
        return selectors.agencies_for_directory(party_code=party_code)

    def get_object(self) -> Agency:
        pk = self.kwargs["pk"]
        agency = selectors.agencies_for_directory().filter(pk=pk).first() if pk <= _MAX_ID else None
        if agency is None:
            raise Http404("No such agency.")
        return agency
