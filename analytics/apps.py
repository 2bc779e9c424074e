from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from analytics.models import AnalyticsAuditEvent
        from selec.core.audit_events import register_audit_events

        register_audit_events(AnalyticsAuditEvent)
