"""API tokens in the admin: directory admins issue and revoke them through the services, so
each is audited; the plain token is shown once, in the message after issuing, and the stored
hash never."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from partners.models import Officer, Role
from selec.api_auth import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, api_token_issue, api_token_revoke
from selec.models import ApiToken


class ApiTokenIssueForm(forms.ModelForm):
    officer = forms.ModelChoiceField(
        queryset=Officer.objects.filter(is_active=True).order_by("username"),
        to_field_name="username",
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=DEFAULT_TOKEN_DAYS,
        help_text="Days until the token expires.",
    )

    class Meta:
        model = ApiToken
        fields = ["officer"]


def _is_directory_admin(request: HttpRequest) -> bool:
    # Tokens are issued by directory admins (the issue's rule), whatever model permissions say.
    user = request.user
    return bool(
        user.is_active
        and (getattr(user, "role", None) == Role.DIRECTORY_ADMIN or user.is_superuser)
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "officer",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "state",
    )
    list_select_related = ("officer",)
    search_fields = ("prefix", "officer__username")
    date_hierarchy = "created_at"
    actions = ["revoke_tokens"]
    readonly_fields = (
        "prefix",
        "officer",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "state",
    )

    @admin.display(description="state")
    def state(self, token: ApiToken) -> str:
        if token.revoked_at:
            return "revoked"
        if token.expires_at <= timezone.now():
            return "expired"
        return "active"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = ApiTokenIssueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("officer", "days") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            return  # nothing is editable: a token is issued or revoked, never changed
        data = form.cleaned_data
        token, plain = api_token_issue(
            actor=request.user,  # type: ignore[arg-type]
            officer=data["officer"],
            days=data["days"],
        )
        obj.pk, obj.prefix = token.pk, token.prefix
        obj.created_at, obj.expires_at = token.created_at, token.expires_at
        messages.warning(
            request,
            f"API token for {token.officer.username}: {plain} — copy it now, "
            "it will not be shown again.",
        )

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        self.message_user(request, f"{len(tokens)} token(s) revoked.", messages.SUCCESS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_directory_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_directory_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked tokens stay, with their last use, for the record
