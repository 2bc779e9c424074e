"""The authentication backend: Django's model backend, loading an officer with their agency
and party, which nearly every page reads (the scope of the inbox and the dashboard, the
policy's facts): two queries fewer on every request."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from partners.models import Officer


class OfficerBackend(ModelBackend):
    def get_user(self, user_id: object) -> Officer | None:  # type: ignore[override]
        try:
            officer = Officer._default_manager.select_related("agency__party").get(pk=user_id)
        except Officer.DoesNotExist:
            return None
        return officer if self.user_can_authenticate(officer) else None
