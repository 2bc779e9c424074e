from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Records: retention review, erasure and correction")

    def ready(self) -> None:
        from records.models import RecordsAuditEvent, RecordsNotificationKind
        from selec.core.audit_events import register_audit_events
        from selec.core.notification_kinds import register_notification_kinds

        register_notification_kinds(RecordsNotificationKind)
        register_audit_events(RecordsAuditEvent)
        _offer_the_thread_actions()


def _offer_the_thread_actions() -> None:
    """The provider's correction and erasure and a recipient's inaccuracy flag, on each message
    of a thread page (the pages they lead to decide again)."""
    from django.utils.translation import gettext_lazy as _

    from exchanges.message_actions import MessageAction, MessageFacts, register_message_action
    from records.policy_corrections import may_correct, may_flag
    from records.policy_erasure import may_erase

    def correctable(facts: MessageFacts) -> bool:
        return not facts.erased and may_correct(facts.perms)

    def flaggable(facts: MessageFacts) -> bool:
        return not facts.erased and may_flag(
            facts.perms,
            officer_agency_id=facts.officer_agency_id,
            sender_agency_id=facts.sender_agency_id,
        )

    def erasable(facts: MessageFacts) -> bool:
        return not facts.erased and may_erase(facts.perms)

    register_message_action(
        "records.correct", MessageAction(_("Correct"), "records:correct", correctable)
    )
    register_message_action(
        "records.flag",
        MessageAction(_("Flag an inaccuracy"), "records:flag", flaggable),
    )
    register_message_action(
        "records.erase", MessageAction(_("Erase…"), "records:erasure", erasable)
    )
