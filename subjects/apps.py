from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubjectsConfig(AppConfig):
    name = "subjects"
    verbose_name = _("Data subject requests")

    def ready(self) -> None:
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds
        from subjects.models import SubjectAuditEvent, SubjectNotificationKind

        register_notification_kinds(SubjectNotificationKind)
        register_audit_events(SubjectAuditEvent)
