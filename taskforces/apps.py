from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskforcesConfig(AppConfig):
    name = "taskforces"
    verbose_name = _("Crime areas and task forces")

    def ready(self) -> None:
        from partners.offboarding import register_offboarding
        from selec.core.audit_events import register_audit_events
        from taskforces.models import TaskForceAuditEvent
        from taskforces.services import memberships_remove_officers

        register_audit_events(TaskForceAuditEvent)
        register_offboarding("taskforces", memberships_remove_officers)
