from django.apps import AppConfig


class TaskforcesConfig(AppConfig):
    name = "taskforces"
    verbose_name = "Crime areas and task forces"

    def ready(self) -> None:
        from selec.core.audit_events import register_audit_events
        from taskforces.models import TaskForceAuditEvent

        register_audit_events(TaskForceAuditEvent)
