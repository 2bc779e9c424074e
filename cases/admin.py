"""Cases in the admin: metadata only, read-only.

Names, descriptions, H3 texts, meeting places, decisions, minutes, seizure descriptions and
attachments are content, stored encrypted: they are never among the admin's fields, and cases
are listed and searched by reference (a ciphertext can be neither searched nor ordered, and
decrypting a whole table to search it is what encryption at rest is there to prevent).
Changes go through the case pages and the API (the services keep the permissions in step and
audit them), so the admin neither adds, changes nor deletes.
Directory administrators hold no model permission on cases (``DIRECTORY_MODELS``), so they
do not see these pages at all; superusers see the metadata.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.models import Case, OperationalMeeting, Result


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ("reference", "kind", "status", "lead_party", "started_on", "ended_on")
    list_filter = ("kind", "status")
    list_select_related = ("lead_party",)
    search_fields = ("reference",)
    raw_id_fields = ("lead_party", "task_force", "crime_area", "created_by")
    fields = (
        "reference",
        "kind",
        "status",
        "lead_party",
        "task_force",
        "crime_area",
        "started_on",
        "ended_on",
        "restrict_evidence",
        "restrict_dissemination",
        "personal_data",
        "created_by",
        "created_at",
    )


@admin.register(OperationalMeeting)
class OperationalMeetingAdmin(_ReadOnly):
    list_display = ("case", "held_on", "held_until")
    list_select_related = ("case",)
    raw_id_fields = ("case", "added_by")
    fields = ("case", "held_on", "held_until", "added_by", "added_at")


@admin.register(Result)
class ResultAdmin(_ReadOnly):
    list_display = ("case", "party", "reported_on", "persons_arrested", "vehicles_seized")
    list_select_related = ("case", "party")
    raw_id_fields = ("case", "party", "reported_by")
    fields = ("case", "party", "reported_on", "reported_by", *Result.COUNTS)
