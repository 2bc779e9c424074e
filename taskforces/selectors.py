from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from taskforces.models import SubTaskForce, TaskForce, TaskForceMembership


def task_forces_for_directory() -> QuerySet[TaskForce]:
    """Task forces with their crime areas, sub-task forces (and coordinators) and members."""
    members = TaskForceMembership.objects.select_related(
        "officer__agency__party", "sub_task_force"
    ).order_by("sub_task_force__name", "officer__last_name")
    return TaskForce.objects.prefetch_related(
        "crime_areas",
        Prefetch(
            "sub_task_forces",
            queryset=SubTaskForce.objects.select_related("coordinator", "crime_area"),
        ),
        Prefetch("memberships", queryset=members),
    )
