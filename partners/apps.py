from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Parties, agencies and officers"

    def ready(self) -> None:
        from partners.models import PartnerNotificationKind
        from selec.core.notification_kinds import register_notification_kinds

        register_notification_kinds(PartnerNotificationKind)
