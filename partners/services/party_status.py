"""A party's status: the history of its changes and what each change sets off."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import Officer, PartnerAuditEvent, Party, PartyStatus, PartyStatusChange
from partners.status_sync import resync_after_status_change
from selec.core.audit import audit_record
from selec.core.models import AuditAction


@transaction.atomic
def party_change_status(
    *,
    actor: Officer | None,
    party: Party,
    status: PartyStatus | str,
    effective_from: dt.date,
    note: str = "",
) -> Party:
    """Record a new status in the party's history, make it the current one and re-decide at
    once everything the party's agencies hold in the other apps (``partners.status_sync``): a
    downgrade to observer removes their access to everything with personal data."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    previous = party.status
    if status == previous:
        raise ValidationError(
            {"status": [f"{party.name} already has the status {party.get_status_display()}."]}
        )
    PartyStatusChange.objects.create(
        party=party, status=status, effective_from=effective_from, note=note
    )
    party.status, party.status_since = status, effective_from
    party.full_clean()
    party.save(update_fields=["status", "status_since"])
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.PARTY_STATUS_CHANGED,
        target=party,
        reason="party status changed",
        details={
            "from": previous,
            "to": str(status),
            "effective_from": effective_from.isoformat(),
            "note": note,
        },
    )
    resync_after_status_change(party)
    return party
