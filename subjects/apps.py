from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = "Data subject requests"

    def ready(self) -> None:
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds
        from subjects.models import SubjectAuditEvent, SubjectNotificationKind

        register_notification_kinds(SubjectNotificationKind)
        register_audit_events(SubjectAuditEvent)
