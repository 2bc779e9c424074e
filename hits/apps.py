from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HitsConfig(AppConfig):
    name = "hits"
    verbose_name = _("Hit/no-hit matching")

    def ready(self) -> None:
        from exchanges.entity_listeners import register_entities_listener
        from hits.indexing import entities_index
        from hits.models import HitAuditEvent, HitNotificationKind
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds

        register_entities_listener("hits", entities_index)
        register_notification_kinds(HitNotificationKind)
        register_audit_events(HitAuditEvent)
