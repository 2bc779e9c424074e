"""API tokens in the admin: directory admins see and revoke them (through the service, so each
revocation is audited), and never issue one: an officer issues their own tokens from their
account page after a fresh authenticator code. The stored hash is never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from partners.api_auth import api_token_revoke
from partners.policy import administers_directory
from selec.core.models import ApiToken


def _is_directory_admin(request: HttpRequest) -> bool:
    # Directory admins (and superusers) see and revoke tokens, whatever model permissions say;
    # nobody issues one here (an officer issues their own from their account page).
    user = request.user
    return bool(
        user.is_active
        and administers_directory(role=getattr(user, "role", ""), is_superuser=user.is_superuser)
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

    @admin.display(description=gettext_lazy("state"))
    def state(self, token: ApiToken) -> str:
        return token.state_at(timezone.now())

    @admin.action(description=gettext_lazy("Revoke selected tokens"), permissions=["change"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
        revoked = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
        self.message_user(request, revoked % {"count": len(tokens)}, messages.SUCCESS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_directory_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # nobody obtains a credential for someone else

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_directory_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked tokens stay, with their last use, for the record
