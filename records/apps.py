from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Records: retention review, erasure and correction"

    def ready(self) -> None:
        from records.models import RecordsAuditEvent, RecordsNotificationKind
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds

        register_notification_kinds(RecordsNotificationKind)
        register_audit_events(RecordsAuditEvent)
