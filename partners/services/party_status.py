"""A party's status: the history of its changes, what each change sets off, and its preview.

The preview and the change run the same re-syncs (``partners.status_sync``): the preview asks
each app what the new status would do without writing, the change asks it again, writes, and —
when the caller brings the numbers it previewed — refuses (rolling everything back) if they are
no longer those: whoever confirms a change has seen what it does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from partners.models import (
    Officer,
    PartnerAuditEvent,
    PartnerNotificationKind,
    Party,
    PartyStatus,
    PartyStatusChange,
    Role,
)
from partners.status_sync import AccessImpact, resync_after_status_change
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers


@dataclass(frozen=True)
class StatusImpact:
    """What a status change does: each app's gains and losses of access for the party's
    agencies and NFP, and how many officers are told of it."""

    status: str
    apps: tuple[AccessImpact, ...]
    officers: int

    @property
    def open_left(self) -> tuple[str, ...]:
        return tuple(ref for impact in self.apps for ref in impact.open_left)

    def as_details(self) -> dict[str, Any]:
        """The numbers, as audited and as the preview page carries them to the change."""
        return {
            "to": self.status,
            "apps": {impact.app: impact.as_details() for impact in self.apps},
            "officers": self.officers,
        }


class ImpactChanged(Exception):
    """The change would not do what was previewed (something changed since): nothing was
    written; ``impact`` is what it would do now."""

    def __init__(self, impact: StatusImpact) -> None:
        super().__init__("The effect of this status change changed since it was previewed.")
        self.impact = impact


def officers_told_of_status(party: Party) -> QuerySet[Officer]:
    """Who hears of a party's status change: every active officer of the party, and the NFP
    officers of every member state (they decide what their country shares with it). Taken
    before and after the change alike: the party's own officers are in it whatever its
    status."""
    return Officer.objects.filter(is_active=True).filter(
        Q(agency__party=party) | Q(role=Role.NFP_OFFICER, agency__party__status=PartyStatus.MEMBER)
    )


def _check_new_status(party: Party, status: str) -> None:
    if status not in PartyStatus.values:
        raise ValidationError(
            {"status": [_("%(status)r is not a party status.") % {"status": status}]}
        )
    if status == party.status:
        raise ValidationError(
            {
                "status": [
                    _("%(party)s already has the status %(status)s.")
                    % {"party": party.name, "status": party.get_status_display()}
                ]
            }
        )


def _impact(party: Party, status: str, *, write: bool) -> StatusImpact:
    return StatusImpact(
        status=status,
        apps=tuple(resync_after_status_change(party, status, write=write)),
        officers=officers_told_of_status(party).count(),
    )


@transaction.atomic
def party_status_preview(
    *, actor: Officer | None, party: Party, status: PartyStatus | str, effective_from: dt.date
) -> StatusImpact:
    """What changing the party to ``status`` would do, computed by the re-syncs the change
    runs, writing nothing but the audit of the preview."""
    party = Party.objects.get(pk=party.pk)
    _check_new_status(party, str(status))
    impact = _impact(party, str(status), write=False)
    audit_record(
        actor=actor,
        action=AuditAction.CONSULTATION,
        event=PartnerAuditEvent.PARTY_STATUS_PREVIEWED,
        target=party,
        reason="party status change previewed",
        details={
            "from": party.status,
            "effective_from": effective_from.isoformat(),
            **impact.as_details(),
        },
    )
    return impact


def party_change_status(
    *,
    actor: Officer | None,
    party: Party,
    status: PartyStatus | str,
    effective_from: dt.date,
    note: str = "",
) -> Party:
    """Record a new status (see ``party_apply_status``); the party as it is now."""
    party_apply_status(
        actor=actor, party=party, status=status, effective_from=effective_from, note=note
    )
    return Party.objects.get(pk=party.pk)


@transaction.atomic
def party_apply_status(
    *,
    actor: Officer | None,
    party: Party,
    status: PartyStatus | str,
    effective_from: dt.date,
    note: str = "",
    previewed: Mapping[str, Any] | None = None,
) -> StatusImpact:
    """Record a new status in the party's history, make it the current one and re-decide at
    once everything the party's agencies hold in the other apps: a downgrade to observer
    removes their access to everything with personal data. With ``previewed`` (a preview's
    ``as_details``), raise ``ImpactChanged`` and write nothing if the change does otherwise."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    previous = party.status
    _check_new_status(party, str(status))
    change = PartyStatusChange.objects.create(
        party=party, status=status, effective_from=effective_from, note=note
    )
    party.status, party.status_since = status, effective_from
    party.full_clean()
    party.save(update_fields=["status", "status_since"])
    impact = _impact(party, str(status), write=True)
    if previewed is not None and dict(previewed) != impact.as_details():
        # Raised inside the transaction: the change, its history row and its grants roll back.
        raise ImpactChanged(impact)
    audit_record(
        actor=actor,
        action=AuditAction.ALTERATION,
        event=PartnerAuditEvent.PARTY_STATUS_CHANGED,
        target=party,
        reason="party status changed",
        details={
            "from": previous,
            "effective_from": effective_from.isoformat(),
            "note": note,
            **impact.as_details(),
        },
    )
    notify_officers(
        officers=officers_told_of_status(party),
        kind=PartnerNotificationKind.PARTY_STATUS_CHANGED,
        title=lambda: _status_title(party, previous, effective_from),
        link="/directory/parties/",
        object_type="partners.party",
        object_id=str(party.pk),
        dedupe_key=f"party-status:{change.pk}",
    )
    return impact


def _status_title(party: Party, previous: str, effective_from: dt.date) -> str:
    """The notice of a party's status change, in the active language."""
    # Translators: e.g. "Moldova (MD): Member → Observer from 2026-07-01".
    text = _("%(party)s (%(code)s): %(previous)s → %(status)s from %(date)s")
    return (
        text
        % {
            "party": party.name,
            "code": party.code,
            "previous": PartyStatus(previous).label,
            "status": party.get_status_display(),
            "date": effective_from.isoformat(),
        }
    )[:200]
