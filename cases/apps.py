from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Joint investigations and regional operations")

    def ready(self) -> None:
        from cases.links import CaseLinksOfCases
        from cases.models import CaseAuditEvent, CaseNotificationKind
        from cases.permissions import case_permissions_status_impact
        from cases.services import analysts_remove
        from exchanges.case_links import register_case_links
        from partners.offboarding import register_offboarding
        from partners.status_sync import register_party_resync
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds

        register_party_resync("cases", case_permissions_status_impact)
        register_case_links(CaseLinksOfCases())
        register_offboarding("cases", analysts_remove)
        register_notification_kinds(CaseNotificationKind)
        register_audit_events(CaseAuditEvent)
