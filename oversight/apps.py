from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Data protection oversight"

    def ready(self) -> None:
        from oversight.events import OversightAuditEvent
        from selec.core.audit_events import register_audit_events

        register_audit_events(OversightAuditEvent)
