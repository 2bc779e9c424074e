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
from taskforces.models import CrimeArea, SubTaskForce, TaskForce
from taskforces.selectors import task_forces_for_directory

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
    party = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "kind", "party", "is_national_focal_point"]
        read_only_fields = fields


class CrimeAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrimeArea
        fields = ["code", "name"]
        read_only_fields = fields


class SubTaskForceSerializer(serializers.ModelSerializer):
    coordinator = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="Code of the coordinating party."
    )
    crime_area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = SubTaskForce
        fields = ["code", "name", "coordinator", "crime_area"]
        read_only_fields = fields


class TaskForceSerializer(serializers.ModelSerializer):
    crime_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sub_task_forces = SubTaskForceSerializer(many=True, read_only=True)

    class Meta:
        model = TaskForce
        fields = ["code", "name", "crime_areas", "sub_task_forces"]
        read_only_fields = fields


class _DirectoryViewSet(viewsets.GenericViewSet):
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
class PartyViewSet(_DirectoryViewSet):
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
class AgencyViewSet(_DirectoryViewSet):
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


@extend_schema_view(
    list=extend_schema(summary="Crime areas, the taxonomy exchanges and statistics key on"),
    retrieve=extend_schema(summary="One crime area, by its code"),
)
class CrimeAreaViewSet(_DirectoryViewSet):
    serializer_class = CrimeAreaSerializer
    queryset = CrimeArea.objects.order_by("position", "name")
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(summary="Task forces with their crime areas and sub-task forces"),
    retrieve=extend_schema(summary="One task force, by its code"),
)
class TaskForceViewSet(_DirectoryViewSet):
    serializer_class = TaskForceSerializer
    queryset = TaskForce.objects.none()
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[TaskForce]:
        return task_forces_for_directory()
