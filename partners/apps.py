from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Parties, agencies and officers")

    def ready(self) -> None:
        from partners.audit_watch import dpos_told_of_a_broken_chain
        from partners.models import PartnerAuditEvent, PartnerNotificationKind
        from partners.sessions import connect as connect_sessions
        from selec.core.audit_events import register_audit_events
        from selec.core.audit_verification import register_broken_chain_listener
        from selec.core.notification_kinds import register_notification_kinds

        register_notification_kinds(PartnerNotificationKind)
        register_audit_events(PartnerAuditEvent)
        register_broken_chain_listener("dpo", dpos_told_of_a_broken_chain)
        connect_sessions()
