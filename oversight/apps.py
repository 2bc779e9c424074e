from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Data protection oversight")

    def ready(self) -> None:
        from oversight.events import OversightAuditEvent
        from selec.core.audit_events import register_audit_events

        register_audit_events(OversightAuditEvent)
