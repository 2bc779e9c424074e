"""Changing an exchange's restrictions: tightening reaches the whole thread, loosening is the
provider's alone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from exchanges import policy
from exchanges.models import (
    Exchange,
    ExchangeAuditEvent,
    ExchangeNotificationKind,
    Recipient,
)
from exchanges.notify import notify_agencies
from exchanges.permissions import permissions_sync
from exchanges.selectors import (
    require_perm,
)
from exchanges.services.storing import (
    locked_exchange,
)
from partners.models import Agency, Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.policy_values import Restrictions


def _thread_descendants(exchange: Exchange) -> list[Exchange]:
    """The exchange and every reply derived from it (at any depth)."""
    found, frontier = [exchange], [exchange.pk]
    while frontier:
        children = list(Exchange.objects.filter(in_reply_to_id__in=frontier))
        found += children
        frontier = [c.pk for c in children]
    return found


@transaction.atomic
def exchange_change_restrictions(
    *, officer: Officer, exchange: Exchange, restrictions: Restrictions
) -> Exchange:
    """The provider sets new restrictions, decided code by code (``policy.restriction_diff``).
    Every code added (H1, H2, a new or changed H3 text) tightens: it applies at once to the
    exchange and to every reply derived from it. Every code removed loosens, which is the
    provider's alone (MANAGE): it applies to the exchange itself, replies keeping what they
    inherited. A mixed change does both, in this one transaction and one audit event; each
    message changed is notified to its agencies and their NFPs, the tightening and the
    loosening each with a notice of its own. An H3 text saved unchanged, however its line
    breaks came (a page's CRLF, an API client's LF), is no change and keeps the stored text,
    and so the readers' confirmations of it."""
    require_perm(officer, exchange, policy.Perm.MANAGE)
    exchange = locked_exchange(exchange)
    current = Restrictions.of(exchange)
    diff = policy.restriction_diff(current, restrictions)
    if not diff.changed:
        return exchange
    # The exchange gets exactly what the provider set; each reply gets the added codes on top
    # of its own restrictions (its H3 text and the new one both stand).
    thread = _thread_descendants(exchange) if diff.added else [exchange]
    changed: list[Exchange] = []
    for target in thread:
        before = Restrictions.of(target)
        new = restrictions if target.pk == exchange.pk else before.tightened_by(diff.tightening)
        if new == before:
            continue  # a reply that already carries the added codes
        target.restrict_evidence, target.restrict_dissemination = new.evidence, new.dissemination
        if new.text != before.text:
            # Only a changed text is written: the same words (``Restrictions`` normalises line
            # breaks and edges) keep the stored bytes, which the readers' confirmations compare.
            target.restriction_text = new.text
        target.save(
            update_fields=["restrict_evidence", "restrict_dissemination", "restriction_text"]
        )
        changed.append(target)
    permissions_sync([t.pk for t in changed])
    if diff.added and diff.removed:
        reason = "restrictions tightened and loosened"
    else:
        reason = "restrictions tightened" if diff.added else "restrictions loosened"
    event = audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=ExchangeAuditEvent.RESTRICTIONS_CHANGED,
        target=exchange,
        reason=reason,
        details={
            "reference": exchange.reference,
            "from": list(current.handling_codes),
            "to": exchange.handling_codes,
            "added": list(diff.added),
            "removed": list(diff.removed),
            "applied_to": [t.reference for t in changed],
        },
    )
    _notify_restrictions(
        exchange=exchange, diff=diff, tightened=changed if diff.added else [], event_id=event.pk
    )
    return exchange


def _notify_restrictions(
    *,
    exchange: Exchange,
    diff: policy.RestrictionDiff,
    tightened: list[Exchange],
    event_id: int,
) -> None:
    """Each message a change reached is notified to the agencies it was addressed to and their
    NFPs, under its own reference (a reply's audience may not know the exchange it answers);
    a reply's sender too, whose message the provider restricted. One notice per message and
    kind of the one event. The agencies' parties are read once for all the messages."""
    party = exchange.sender_agency.party.code
    audiences: dict[int, set[int]] = {}
    for exchange_id, agency_id in Recipient.objects.filter(
        exchange__in=[exchange, *tightened]
    ).values_list("exchange_id", "agency_id"):
        audiences.setdefault(exchange_id, set()).add(agency_id)
    told = {
        target.pk: audiences.get(target.pk, set())
        | ({target.sender_agency_id} if target.pk != exchange.pk else set())
        for target in tightened
    }
    party_of = dict(
        Agency.objects.filter(pk__in=set().union(*audiences.values(), *told.values())).values_list(
            "pk", "party_id"
        )
    )

    def parties(agency_ids: set[int]) -> list[int]:
        return sorted({party_of[a] for a in agency_ids})

    for target in tightened:
        audience = told[target.pk]
        notify_agencies(
            agency_ids=sorted(audience),
            party_ids=parties(audience),
            kind=ExchangeNotificationKind.RESTRICTION_TIGHTENED,
            exchange=target,
            title=functools.partial(
                _tightened_title, party, target.reference, diff.added, target.handling_codes
            ),
            dedupe_key=f"audit-event:{event_id}:{target.pk}",
        )
    if diff.removed:
        audience = audiences.get(exchange.pk, set())
        notify_agencies(
            agency_ids=sorted(audience),
            party_ids=parties(audience),
            kind=ExchangeNotificationKind.RESTRICTION_LOOSENED,
            exchange=exchange,
            title=lambda: (
                # Translators: "RO lifted H2 from EX-2026-0042: now H0": %(removed)s and %(now)s
                # are handling codes (H0 to H3).
                _("%(party)s lifted %(removed)s from %(reference)s: now %(now)s")
                % {
                    "party": party,
                    "removed": " ".join(diff.removed),
                    "reference": exchange.reference,
                    "now": " ".join(exchange.handling_codes),
                }
            ),
            dedupe_key=f"audit-event:{event_id}:{exchange.pk}",
        )


def _tightened_title(party: str, reference: str, added: Sequence[str], now: Sequence[str]) -> str:
    # Translators: "RO tightened the restrictions of EX-2026-0042: H2 added, now H1 H2":
    # %(added)s and %(now)s are handling codes (H0 to H3).
    return _(
        "%(party)s tightened the restrictions of %(reference)s: %(added)s added, now %(now)s"
    ) % {"party": party, "reference": reference, "added": " ".join(added), "now": " ".join(now)}
