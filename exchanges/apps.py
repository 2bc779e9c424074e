from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("Exchanges")

    def ready(self) -> None:
        from exchanges.models import ExchangeAuditEvent, ExchangeNotificationKind
        from exchanges.permissions import permissions_status_impact
        from partners.status_sync import register_party_resync
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds

        register_party_resync("exchanges", permissions_status_impact)
        register_notification_kinds(ExchangeNotificationKind)
        register_audit_events(ExchangeAuditEvent)
