"""The directory administrator's pages. Every save goes through a service, so the groups that
carry object permissions stay in step and each change is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from partners import (
    admin_tokens,  # noqa: F401 (registers the API tokens' pages)
    policy,
)
from partners.auth import officer_of
from partners.models import AccessConfirmation, Agency, Officer, Party, PartyStatusChange
from partners.services.directory import agency_create, agency_update, party_create, party_rename
from partners.services.invitations import invitation_send
from partners.services.officers import (
    officer_create,
    officer_update_assignment,
    officer_update_profile,
)
from partners.services.party_status import party_change_status


class PartyStatusChangeInline(admin.TabularInline):
    model = PartyStatusChange
    extra = 0
    can_delete = False
    fields = ("status", "effective_from", "note", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartyForm(forms.ModelForm):
    status_note = forms.CharField(
        required=False,
        max_length=300,
        help_text=_("Why the status changes (kept in the status history)."),
    )

    class Meta:
        model = Party
        fields = ["code", "name", "kind", "status", "status_since"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyForm
    list_display = ("code", "name", "kind", "status", "status_since")
    list_filter = ("status", "kind")
    search_fields = ("code", "name")
    inlines = [PartyStatusChangeInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Party | None = None
    ) -> tuple[str, ...]:
        return ("code", "kind") if obj else ()

    def save_model(self, request: HttpRequest, obj: Party, form: PartyForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = party_create(
                actor=officer_of(request),
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                status=data["status"],
                status_since=data["status_since"],
                note=data["status_note"],
            )
            obj.pk = created.pk
            return
        if "name" in form.changed_data:
            party_rename(actor=officer_of(request), party=obj, name=data["name"])
        if {"status", "status_since"} & set(form.changed_data):
            # The service re-syncs every app's permissions: a downgrade revokes access at once.
            party_change_status(
                actor=officer_of(request),
                party=obj,
                status=data["status"],
                effective_from=data["status_since"],
                note=data["status_note"],
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "party", "kind", "is_national_focal_point")
    list_filter = ("kind", "is_national_focal_point", "party__status")
    list_select_related = ("party",)
    search_fields = ("name", "party__code", "party__name")
    # Chosen by typing a code or a name (the admin's autocomplete), never a raw id.
    autocomplete_fields = ("party",)
    fields = ("party", "name", "kind", "is_national_focal_point")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Agency | None = None
    ) -> tuple[str, ...]:
        return ("party",) if obj else ()

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            agency_update(
                actor=officer_of(request),
                agency=obj,
                name=data["name"],
                kind=data["kind"],
                is_national_focal_point=data["is_national_focal_point"],
            )
        else:
            created = agency_create(
                actor=officer_of(request),
                party=data["party"],
                name=data["name"],
                kind=data["kind"],
                is_national_focal_point=data["is_national_focal_point"],
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccessConfirmationInline(admin.TabularInline):
    """The officer's confirmation requests, read-only: an administrator sees whether the
    assignment is confirmed, never decides it (the NFP does, on its own page)."""

    model = AccessConfirmation
    fk_name = "officer"
    extra = 0
    can_delete = False
    fields = ("reason", "agency", "role", "requested_by", "requested_at", "status", "decided_by")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessConfirmation]:
        return super().get_queryset(request).select_related("agency", "requested_by", "decided_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OfficerCreationForm(forms.ModelForm):
    """No password: the officer sets one through the invitation e-mailed to this address
    (``partners.services.invitations``); an administrator never knows an officer's password."""

    class Meta:
        model = Officer
        fields = ("username", "first_name", "last_name", "email", "agency", "role", "posted_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The invitation to set a password is sent here.")


@admin.register(Officer)
class OfficerAdmin(UserAdmin):
    add_form = OfficerCreationForm
    list_display = (
        "username",
        "get_full_name",
        "agency",
        "role",
        "posted_at",
        "is_active",
        "content_access",
    )
    list_filter = ("role", "posted_at", "is_active", "content_access", "agency__party__status")
    inlines = [AccessConfirmationInline]
    list_select_related = ("agency__party",)
    search_fields = ("username", "first_name", "last_name", "email", "agency__name")
    autocomplete_fields = ("agency",)
    ordering = ("username",)
    # Groups, staff and superuser flags follow from the role and agency (see services); they are
    # not edited by hand.
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Assignment"),
            {"fields": ("agency", "role", "posted_at", "is_active", "content_access")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "agency",
                    "role",
                    "posted_at",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "content_access")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Nobody changes their own assignment (the service refuses it too): shown, not offered.
        if obj is not None and not policy.may_change_assignment(
            actor_id=request.user.pk, officer_id=obj.pk
        ):
            return (*self.readonly_fields, "agency", "role", "posted_at", "is_active")
        return self.readonly_fields

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # An administrator who set someone's password could sign in as them: only one's own.
        try:
            officer_id = int(id)
        except ValueError:
            raise PermissionDenied from None
        if not policy.may_set_password(actor_id=request.user.pk, officer_id=officer_id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: Officer, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            actor = officer_of(request)
            created = officer_create(
                actor=actor,
                username=data["username"],
                password=None,
                role=data["role"],
                agency=data.get("agency"),
                posted_at=data["posted_at"],
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data["email"],
            )
            invitation_send(actor=actor, officer=created)
            obj.pk = created.pk
            return
        if {"first_name", "last_name", "email"} & set(form.changed_data):
            officer_update_profile(
                actor=officer_of(request),
                officer=obj,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        if {"agency", "role", "posted_at", "is_active"} & set(form.changed_data):
            officer_update_assignment(
                actor=officer_of(request),
                officer=obj,
                role=data["role"],
                agency=data["agency"],
                posted_at=data["posted_at"],
                is_active=data["is_active"],
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Officers are deactivated, never deleted: the audit log keeps referring to them.
        return False
