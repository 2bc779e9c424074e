"""The erasure of an exchange's content at its retention review, and its dry run.

Both start from one plan (``records.selectors_erasure.erasure_prepare``): the dry run shows it,
the erasure carries it out in one transaction, with the thread's rows locked, and refuses to
commit if what it deleted differs from what was planned. The rows and their metadata stay, so
the statistics count the same; the texts are replaced by the ciphertext of "", and the
entities and attachments are deleted with everything derived from them (docs/erasure.md).

The erasure is recorded twice, counts only: a review decision (``outcome=erase``, the reason
encrypted) and the audit event, which is the record (the reason as its justification). Every
agency holding a copy of an erased exchange is told, by reference only, after the commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchanges.models import Exchange
from partners.models import Agency, Officer
from partners.selectors import officers_concerned
from records.models import (
    RecordsAuditEvent,
    RecordsNotificationKind,
    ReviewDecision,
    ReviewOutcome,
)
from records.selectors_erasure import (
    EMPTIED_ROWS,
    Erasure,
    ErasurePlan,
    PlannedExchange,
    erasure_plan,
    erasure_prepare,
    require_provider,
)
from selec.core.audit import audit_record
from selec.core.models import AuditAction, AuditEvent
from selec.core.notifications import notify_officers

REASON_REQUIRED = gettext_lazy(
    "Say why the content is erased: the reason is kept with the decision."
)


class ErasureMismatchError(RuntimeError):
    """The rows deleted are not the rows planned: the erasure is rolled back, whole."""


@dataclass(frozen=True)
class ErasureDone:
    plan: ErasurePlan
    erased_at: dt.datetime
    decision: ReviewDecision
    event: AuditEvent


def _erasing_agency(officer: Officer) -> Agency:
    # A provider is an agency (MANAGE is granted to agency groups only): checked before this.
    if officer.agency is None:
        raise PermissionDenied(_("Only the provider's officers erase its exchanges."))
    return officer.agency


def _details(plan: ErasurePlan) -> dict[str, Any]:
    # References and counts: what the audit log may hold (never a value that was erased).
    return {"reference": plan.reference, "erased": plan.references, "removed": plan.counts()}


@transaction.atomic
def erasure_preview(*, officer: Officer, exchange: Exchange) -> ErasurePlan:
    """The dry run, for the provider only (404 to anybody else); audited, since a person
    reads it. Raises ``AlreadyErased`` for an exchange erased already."""
    require_provider(officer, exchange)
    plan = erasure_plan(exchange, erasing_agency_id=_erasing_agency(officer).pk)
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=RecordsAuditEvent.ERASURE_PREVIEWED,
        target=exchange,
        reason="erasure dry run shown",
        details=_details(plan),
    )
    return plan


@transaction.atomic
def exchange_erase(*, officer: Officer, exchange: Exchange, reason: str) -> ErasureDone:
    """Erase the content of the exchange and of the replies below it (see the module's text).
    404 to anybody but the provider; ``ValidationError`` without a reason; ``AlreadyErased``
    for an exchange erased already. Nothing is changed unless everything is."""
    require_provider(officer, exchange)
    agency = _erasing_agency(officer)
    now = timezone.now()
    decision = ReviewDecision(
        exchange_id=exchange.pk,
        agency=agency,
        decided_by=officer,
        decided_at=now,
        outcome=ReviewOutcome.ERASE,
        reason=reason.strip(),
    )
    erasure = erasure_prepare(exchange, erasing_agency_id=agency.pk, lock=True)
    if not decision.reason:
        raise ValidationError({"reason": [REASON_REQUIRED]})
    decision.clean_fields(exclude=["exchange", "agency", "decided_by", "removed"])
    plan = erasure.plan
    _empty(erasure, now)
    _total, deleted = erasure.collector.delete()
    if deleted != plan.deleted_by_label():
        raise ErasureMismatchError(f"planned {plan.deleted_by_label()}, deleted {deleted}")
    decision.removed = plan.counts()
    decision.save(force_insert=True)
    event = audit_record(
        actor=officer,
        action=AuditAction.ERASURE,
        event=RecordsAuditEvent.ERASED,
        target=exchange,
        reason="content erased by its provider",
        details=_details(plan),
        # The provider's words may name people: encrypted, outside the log itself.
        justification=decision.reason,
    )
    for planned in plan.exchanges:
        _tell(planned, event)
    return ErasureDone(plan=plan, erased_at=now, decision=decision, event=event)


def _empty(erasure: Erasure, now: dt.datetime) -> None:
    """Each text becomes the ciphertext of "" (a row at a time: the ciphertext is bound to
    its row); the exchanges leave the review queue, marked erased."""
    for model, rows in erasure.to_empty.items():
        texts = EMPTIED_ROWS[model]
        marks: dict[str, Any] = (
            {"erased_at": now, "review_due_on": None} if model is Exchange else {}
        )
        for row in rows:
            for field in texts:
                setattr(row, field, "")
            for field, value in marks.items():
                setattr(row, field, value)
            row.save(update_fields=[*texts, *marks])


def _tell(planned: PlannedExchange, event: AuditEvent) -> None:
    """The receipt notice: the reference only, to the agencies holding a copy and their
    countries' NFPs (``notify_officers`` writes it in this transaction; mail after commit)."""
    if not planned.told:
        return
    kind = RecordsNotificationKind.ERASED
    notify_officers(
        officers=officers_concerned(
            agency_ids=[a.pk for a in planned.told],
            nfp_party_ids=sorted({a.party_id for a in planned.told}),
        ),
        kind=kind,
        title=lambda: (
            _("Content of %(reference)s erased by its provider") % {"reference": planned.reference}
        ),
        link=reverse("exchanges:thread", kwargs={"reference": planned.reference}),
        object_type=Exchange._meta.label_lower,
        object_id=str(planned.pk),
        dedupe_key=f"{kind}:audit-event:{event.pk}:{planned.pk}",
    )
