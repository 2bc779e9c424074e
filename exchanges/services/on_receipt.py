"""What a recipient agency does on receipt: acknowledging, confirming an H3 restriction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from exchanges import policy
from exchanges.facts import agency_facts
from exchanges.models import (
    Exchange,
    ExchangeAuditEvent,
    Recipient,
    RestrictionConfirmation,
)
from exchanges.selectors import (
    require_perm,
    restriction_digest,
    restriction_digests,
    restriction_text_now,
)
from partners.models import Officer, Role
from selec.core.audit import audit_record
from selec.core.models import AuditAction


def acknowledges_for(officer: Officer, receipt: Recipient) -> bool:
    """The policy's answer for an officer and a receipt loaded with its agency and party."""
    return policy.acknowledges(
        officer_agency=agency_facts(officer.agency) if officer.agency is not None else None,
        is_nfp_officer=officer.role == Role.NFP_OFFICER,
        receipt_agency=agency_facts(receipt.agency),
    )


@transaction.atomic
def exchange_acknowledge(*, officer: Officer, exchange: Exchange) -> int:
    """Acknowledge receipt: for the officer's agency, or, for an NFP officer, on behalf of every
    agency of their party the exchange was addressed to. Returns the receipts acknowledged."""
    require_perm(officer, exchange, policy.Perm.VIEW)
    receipts = [
        r.pk
        for r in Recipient.objects.filter(
            exchange=exchange, acknowledged_at__isnull=True
        ).select_related("agency__party")
        if acknowledges_for(officer, r)
    ]
    updated = Recipient.objects.filter(pk__in=receipts).update(acknowledged_at=timezone.now())
    if updated:
        audit_record(
            actor=officer,
            action=AuditAction.ALTERATION,
            event=ExchangeAuditEvent.ACKNOWLEDGED,
            target=exchange,
            reason="receipt acknowledged",
        )
    return updated


@transaction.atomic
def exchange_confirm_restrictions(*, officer: Officer, exchange: Exchange) -> None:
    """The officer confirms having read the provider's H3 text; the content opens after this."""
    require_perm(officer, exchange, policy.Perm.VIEW)
    text = restriction_text_now(exchange)
    if not text:
        return
    # The confirmation keeps a keyed digest of the text confirmed, not a second copy of it.
    digest = restriction_digest(text)
    confirmation, created = RestrictionConfirmation.objects.get_or_create(
        exchange=exchange,
        officer=officer,
        defaults={"restriction_digest": digest, "confirmed_at": timezone.now()},
    )
    if not created and confirmation.restriction_digest not in restriction_digests(text):
        confirmation.restriction_digest, confirmation.confirmed_at = digest, timezone.now()
        confirmation.save(update_fields=["restriction_digest", "confirmed_at"])
        created = True
    if created:
        audit_record(
            actor=officer,
            action=AuditAction.COLLECTION,
            event=ExchangeAuditEvent.RESTRICTION_CONFIRMED,
            target=exchange,
            reason="H3 restriction confirmed",
        )
