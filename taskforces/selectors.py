from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from partners.models import Officer
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


def memberships_of(officer: Officer) -> list[TaskForceMembership]:
    """The officer's places in task forces, with the task force and sub-task force."""
    return list(
        TaskForceMembership.objects.filter(officer=officer).select_related(
            "task_force", "sub_task_force"
        )
    )
