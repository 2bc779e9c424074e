from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Analytical products")

    def ready(self) -> None:
        from partners.status_sync import register_party_resync
        from products.models import ProductAuditEvent, ProductNotificationKind
        from products.models_questionnaires import (
            QuestionnaireAuditEvent,
            QuestionnaireNotificationKind,
        )
        from products.permissions import product_permissions_status_impact
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds

        register_party_resync("products", product_permissions_status_impact)
        register_audit_events(ProductAuditEvent)
        register_audit_events(QuestionnaireAuditEvent)
        register_notification_kinds(ProductNotificationKind)
        register_notification_kinds(QuestionnaireNotificationKind)
