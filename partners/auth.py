"""Who is signed in. The authentication backend: Django's model backend, loading an officer with their agency,
party and group ids, which nearly every page reads (the scope of the inbox and the dashboard,
the policy's facts, the permission rows): three queries fewer on every request."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request

from partners.models import Officer
from partners.policy_onboarding import onboards
from partners.selectors import officers_signing_in


class OfficerBackend(ModelBackend):
    def get_user(self, user_id: int | str) -> Officer | None:
        try:
            officer = officers_signing_in().get(pk=user_id)
        except Officer.DoesNotExist:
            return None
        return officer if self.user_can_authenticate(officer) else None


def officer_of(request: HttpRequest | Request) -> Officer:
    """The signed-in officer of a page or an API call. Every page past the login middleware
    and every API call past authentication has one; anything else is refused, never served."""
    user = request.user
    if not isinstance(user, Officer):
        raise PermissionDenied(_("Sign in first."))
    return user


def directory_admin_or_404(request: HttpRequest) -> Officer:
    """The signed-in directory administrator (or superuser) of the directory's management pages;
    404, as for an address that does not exist, to anybody else."""
    officer = officer_of(request)
    if not onboards(
        role=officer.role, is_active=officer.is_active, is_superuser=officer.is_superuser
    ):
        raise Http404(_("No such page."))
    return officer
