"""The API's read-only directory of crime areas and task forces (the parties and agencies:
``partners.api``)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from partners.api import DirectoryViewSet, detail_answers, list_answers
from partners.models import Party
from taskforces.models import CrimeArea, SubTaskForce, TaskForce
from taskforces.selectors import task_forces_for_directory


class CrimeAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrimeArea
        fields = ["code", "name"]
        read_only_fields = fields


class SubTaskForceSerializer(serializers.ModelSerializer):
    coordinator: serializers.SlugRelatedField[Party] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="Code of the coordinating party."
    )
    crime_area: serializers.SlugRelatedField[CrimeArea] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = SubTaskForce
        fields = ["code", "name", "coordinator", "crime_area"]
        read_only_fields = fields


class TaskForceSerializer(serializers.ModelSerializer):
    crime_areas: serializers.SlugRelatedField[CrimeArea] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    sub_task_forces = SubTaskForceSerializer(many=True, read_only=True)

    class Meta:
        model = TaskForce
        fields = ["code", "name", "crime_areas", "sub_task_forces"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Crime areas, the taxonomy exchanges and statistics key on",
        responses=list_answers(CrimeAreaSerializer),
    ),
    retrieve=extend_schema(
        summary="One crime area, by its code", responses=detail_answers(CrimeAreaSerializer)
    ),
)
class CrimeAreaViewSet(DirectoryViewSet):
    serializer_class = CrimeAreaSerializer
    queryset = CrimeArea.objects.order_by("position", "name", "pk")
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(
        summary="Task forces with their crime areas and sub-task forces",
        responses=list_answers(TaskForceSerializer),
    ),
    retrieve=extend_schema(
        summary="One task force, by its code", responses=detail_answers(TaskForceSerializer)
    ),
)
class TaskForceViewSet(DirectoryViewSet):
    serializer_class = TaskForceSerializer
    queryset = TaskForce.objects.none()
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[TaskForce]:
        return task_forces_for_directory().order_by("position", "name", "pk")
