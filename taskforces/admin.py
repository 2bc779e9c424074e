from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from partners.auth import officer_of
from taskforces import services
from taskforces.models import CrimeArea, SubTaskForce, TaskForce, TaskForceMembership


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletions of reference records go through the audited services."""

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        concrete = {f.name for f in obj._meta.concrete_fields}
        fields = [name for name in form.changed_data if name in concrete]
        services.reference_save(
            actor=officer_of(request), instance=obj, created=not change, fields=fields
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        services.reference_delete(actor=officer_of(request), instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        actor = officer_of(request)
        for obj in queryset:
            services.reference_delete(actor=actor, instance=obj)


@admin.register(CrimeArea)
class CrimeAreaAdmin(AuditedAdmin):
    list_display = ("code", "name", "position")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Statistics key on the codes: they never change once created.
        return ("code",) if obj else ()


class SubTaskForceInline(admin.TabularInline):
    model = SubTaskForce
    extra = 0
    fields = ("code", "name", "coordinator", "crime_area")
    raw_id_fields = ("coordinator",)
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TaskForce)
class TaskForceAdmin(AuditedAdmin):
    list_display = ("name", "code", "position")
    filter_horizontal = ("crime_areas",)
    inlines = [SubTaskForceInline]


@admin.register(SubTaskForce)
class SubTaskForceAdmin(AuditedAdmin):
    list_display = ("name", "task_force", "coordinator", "crime_area")
    list_select_related = ("task_force", "coordinator", "crime_area")
    raw_id_fields = ("coordinator",)


@admin.register(TaskForceMembership)
class TaskForceMembershipAdmin(AuditedAdmin):
    list_display = ("officer", "task_force", "sub_task_force", "role")
    list_filter = ("task_force", "role")
    list_select_related = ("officer", "task_force", "sub_task_force")
    raw_id_fields = ("officer",)
