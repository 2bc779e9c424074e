"""Inaccuracy flags (Directive (EU) 2016/680, Art. 7(2) and 16): a recipient tells the provider
it suspects part of an exchange is inaccurate; the provider answers, having corrected it or
upholding it as accurate.

Each write is one transaction with its audit event; the note and the answer may name people and
are kept encrypted (on the flag, and as the events' justifications), never in the events'
details. The notices name the reference and the agencies only.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.models import Exchange
from exchanges.selectors import officer_perms
from exchanges.services.storing import locked_exchange, officer_agency
from partners.models import Agency, Officer
from partners.selectors import officers_concerned
from records.models import (
    NOTE_MAX_LENGTH,
    FlagOutcome,
    FlagStatus,
    InaccuracyFlag,
    RecordsAuditEvent,
    RecordsNotificationKind,
)
from records.policy_corrections import answer_problems, may_flag
from records.selectors_corrections import NO_EXCHANGE, require_provider
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers


def require_recipient(officer: Officer, exchange: Exchange) -> None:
    """404 unless the officer may flag the exchange: a recipient, not its provider."""
    if not may_flag(
        officer_perms(officer, exchange),
        officer_agency_id=officer.agency_id,
        sender_agency_id=exchange.sender_agency_id,
    ):
        raise Http404(NO_EXCHANGE)


def _note_errors(field: str, text: str, *, required: bool) -> dict[str, list[str]]:
    if required and not text.strip():
        return {field: [_("Say what seems inaccurate, and why.")]}
    if len(text) > NOTE_MAX_LENGTH:
        return {
            field: [
                _("At most %(max)d characters (it has %(count)d).")
                % {"max": NOTE_MAX_LENGTH, "count": len(text)}
            ]
        }
    return {}


@transaction.atomic
def inaccuracy_flag_file(*, officer: Officer, exchange: Exchange, note: str) -> InaccuracyFlag:
    """A recipient flags a suspected inaccuracy (404 for anybody else). One open flag per agency
    and exchange: a second waits for the provider's answer to the first."""
    require_recipient(officer, exchange)
    agency = officer_agency(officer)
    errors = _note_errors("note", note, required=True)
    if errors:
        raise ValidationError(errors)
    # Locked: two officers of one agency flagging at once file one flag, the second refused.
    exchange = locked_exchange(exchange)
    if exchange.erased_at is not None:
        raise ValidationError(
            _("The content of %(reference)s was erased: there is nothing left to flag.")
            % {"reference": exchange.reference}
        )
    if InaccuracyFlag.objects.filter(
        exchange=exchange, flagging_agency=agency, status=FlagStatus.OPEN
    ).exists():
        raise ValidationError(
            _(
                "%(agency)s already has an open inaccuracy flag on %(reference)s: "
                "the provider answers it before another can be filed."
            )
            % {"agency": agency.name, "reference": exchange.reference}
        )
    flag = InaccuracyFlag.objects.create(
        exchange=exchange,
        flagging_agency=agency,
        flagged_by=officer,
        flagged_at=timezone.now(),
        note=note,
    )
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=RecordsAuditEvent.INACCURACY_FLAGGED,
        target=flag,
        reason="inaccuracy flagged",
        details={"reference": exchange.reference, "flag": flag.pk},
        justification=note,
    )
    _notify(
        agency_ids=[exchange.sender_agency_id],
        kind=RecordsNotificationKind.INACCURACY_FLAGGED,
        title=lambda: (
            _("Suspected inaccuracy in %(reference)s flagged by %(agency)s")
            % {"reference": exchange.reference, "agency": agency.name}
        ),
        flag=flag,
    )
    return flag


@transaction.atomic
def inaccuracy_flag_answer(
    *, officer: Officer, flag: InaccuracyFlag, outcome: FlagOutcome | str, answer: str
) -> InaccuracyFlag:
    """The provider answers an open flag (404 for anybody else): corrected (after correcting
    the exchange) or upheld as accurate (saying why). The flagging agency is told."""
    require_provider(officer, flag.exchange)
    exchange = locked_exchange(flag.exchange)
    flag = InaccuracyFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        raise ValidationError(_("This flag was already answered."))
    if outcome not in FlagOutcome.values:
        raise ValidationError({"outcome": [_("Choose corrected or upheld.")]})
    outcome = FlagOutcome(outcome)
    errors = {
        field: [message]
        for field, message in answer_problems(
            outcome=outcome,
            answer=answer,
            corrected_since_flag=exchange.corrected_at is not None
            and exchange.corrected_at >= flag.flagged_at,
        ).items()
    } | _note_errors("answer", answer, required=False)
    if errors:
        raise ValidationError(errors)
    flag.status, flag.outcome, flag.answer = FlagStatus.ANSWERED, outcome, answer
    flag.answered_by, flag.answered_at = officer, timezone.now()
    flag.save(update_fields=["status", "outcome", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=RecordsAuditEvent.INACCURACY_ANSWERED,
        target=flag,
        reason=f"inaccuracy flag answered: {outcome.value}",
        details={"reference": exchange.reference, "flag": flag.pk, "outcome": outcome.value},
        justification=answer,
    )
    _notify(
        agency_ids=[flag.flagging_agency_id],
        kind=RecordsNotificationKind.INACCURACY_ANSWERED,
        title=lambda: (
            # Translators: outcome is "corrected" or "upheld".
            _("Your inaccuracy flag on %(reference)s: %(outcome)s")
            % {"reference": exchange.reference, "outcome": outcome.label.lower()}
        ),
        flag=flag,
    )
    return flag


def _notify(
    *,
    agency_ids: list[int],
    kind: RecordsNotificationKind,
    title: Callable[[], str],
    flag: InaccuracyFlag,
) -> int:
    """The officers of the agency and the NFP officers of its party, as for every notice about
    an agency's exchanges; the link leads to the flags page, which checks access again."""
    party_ids = Agency.objects.filter(pk__in=agency_ids).values_list("party_id", flat=True)
    return notify_officers(
        officers=officers_concerned(agency_ids=agency_ids, nfp_party_ids=list(party_ids)),
        kind=kind,
        title=lambda: title()[:200],
        link=reverse("records:flags"),
        object_type="records.inaccuracyflag",
        object_id=str(flag.pk),
        dedupe_key=f"{kind}:inaccuracy-flag:{flag.pk}",
    )
