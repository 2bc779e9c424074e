from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from analytics.models import AnalyticsAuditEvent
        from selec.core.audit_events import register_audit_events

        register_audit_events(AnalyticsAuditEvent)
