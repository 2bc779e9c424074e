"""What the tests of the exchange services share: the audit events written since a mark, the
count of every row a write stores (to show that a refusal saved nothing), and a request to
share an exchange with Greece."""

from __future__ import annotations

from exchanges.models import Attachment, Entity, Exchange, Recipient
from exchanges.services import dissemination_requests
from partners.models import Officer
from selec.core.models import AuditEvent
from tests.exchanges.scenario import agency_ids


def _events_since(mark: int) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(pk__gt=mark).order_by("pk").values_list("action", "reason")
    )


def _ask_to_share_with_greece(officer: Officer, exchange: Exchange):
    return dissemination_requests.dissemination_request_file(
        officer=officer,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Hellenic Police"),
        intended_use="Joint investigation",
        justification="Suspect in Greece",
    )


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _stored() -> tuple[int, ...]:
    from exchanges.models import DisseminationRequest, ExchangeGroupObjectPermission
    from selec.core.models import Notification

    return (
        Exchange.objects.count(),
        Recipient.objects.count(),
        Entity.objects.count(),
        Attachment.objects.count(),
        ExchangeGroupObjectPermission.objects.count(),
        DisseminationRequest.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )
