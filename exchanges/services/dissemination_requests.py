"""Dissemination requests under H1/H2: filing one and the provider's decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges import policy
from exchanges.facts import agencies_facts, agency_facts, facts_for
from exchanges.models import (
    DisseminationKind,
    DisseminationRequest,
    DisseminationStatus,
    Exchange,
    ExchangeAuditEvent,
    ExchangeNotificationKind,
)
from exchanges.notify import notify_agencies
from exchanges.permissions import permissions_sync
from exchanges.selectors import (
    require_perm,
)
from exchanges.services.admission import (
    admit,
    refuse_if_erased,
)
from exchanges.services.storing import (
    locked_exchange,
    officer_agency,
)
from partners.models import Agency, Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.policy_values import AgencyFacts


@transaction.atomic
def dissemination_request_file(
    *,
    officer: Officer,
    exchange: Exchange,
    kind: DisseminationKind | str,
    target_agency_ids: Sequence[int],
    intended_use: str,
    justification: str,
) -> DisseminationRequest:
    # Only agencies are granted the request (policy.grants_for): the officer has one by now.
    require_perm(officer, exchange, policy.Perm.REQUEST_DISSEMINATION)
    refuse_if_erased(exchange)
    kind = DisseminationKind(kind)
    if kind == DisseminationKind.SHARE:
        targets = agencies_facts(target_agency_ids)
        if not targets:
            raise ValidationError({"target_agencies": [_("Name the agencies to share with.")]})
        if len(targets) != len(set(target_agency_ids)):
            # An id that names no agency: refused here, not by the database's key at the
            # commit (a server error).
            raise ValidationError({"target_agencies": [_("Choose existing agencies.")]})
        # Asking to share is asking to add an audience: refused up front when the forward it
        # would lead to could never pass the gate.
        _admit_share(exchange, requesting_agency=officer_agency(officer), targets=targets)
    if not justification.strip() or not intended_use.strip():
        raise ValidationError({"justification": [_("Say for what use and why.")]})
    agency = officer_agency(officer)
    request = DisseminationRequest.objects.create(
        exchange=exchange,
        kind=kind,
        requesting_agency_id=agency.pk,
        requested_by=officer,
        intended_use=intended_use,
        justification=justification,
        requested_at=timezone.now(),
    )
    if kind == DisseminationKind.SHARE:
        request.target_agencies.set(target_agency_ids)
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=ExchangeAuditEvent.DISSEMINATION_REQUESTED,
        target=request,
        reason="dissemination requested",
        details={
            "reference": exchange.reference,
            "kind": kind.value,
            "targets": list(target_agency_ids),
        },
    )
    notify_agencies(
        agency_ids=[exchange.sender_agency_id],
        kind=ExchangeNotificationKind.DISSEMINATION_REQUEST,
        exchange=exchange,
        title=lambda: _request_title(kind, party=agency.party.code, reference=exchange.reference),
        # Each request is its own event: a second request worded alike is told too.
        dedupe_key=f"dissemination-request:{request.pk}",
    )
    return request


def _admit_share(
    exchange: Exchange, *, requesting_agency: Agency, targets: tuple[AgencyFacts, ...]
) -> None:
    """The gate of a share (lifting H2 for named agencies): the forward it allows must pass
    the same rules as any other, with the requesting agency as its author."""
    facts = facts_for([exchange])[exchange.pk]
    admit(
        replace(facts, recipients=(*facts.recipients, *targets)),
        author=agency_facts(requesting_agency),
        added=targets,
        added_field="target_agencies",
    )


@transaction.atomic
def dissemination_request_decide(
    *, officer: Officer, request: DisseminationRequest, grant: bool, note: str = ""
) -> DisseminationRequest:
    """The provider grants (adding exactly the permissions the request names: forwarding to the
    named agencies, or the evidence export for the requesting agency) or refuses."""
    require_perm(officer, request.exchange, policy.Perm.MANAGE)
    exchange = locked_exchange(request.exchange)
    request = DisseminationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DisseminationStatus.PENDING:
        already = (
            _("This request was already granted.")
            if request.status == DisseminationStatus.GRANTED
            else _("This request was already refused.")
        )
        raise ValidationError({"status": [already]})
    targets = list(request.target_agencies.values_list("pk", flat=True))
    if grant and request.kind == DisseminationKind.SHARE:
        # Checked again: the parties' status may have changed since the request was filed.
        _admit_share(
            exchange, requesting_agency=request.requesting_agency, targets=agencies_facts(targets)
        )
    request.status = DisseminationStatus.GRANTED if grant else DisseminationStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = officer, timezone.now(), note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    # A granted share lets the requesting agency forward to exactly the agencies it named.
    permissions_sync([exchange.pk])
    audit_record(
        actor=officer,
        action=AuditAction.GRANT if grant else AuditAction.ALTERATION,
        event=ExchangeAuditEvent.DISSEMINATION_GRANTED
        if grant
        else ExchangeAuditEvent.DISSEMINATION_REFUSED,
        target=request,
        reason=f"dissemination {'granted' if grant else 'refused'}",
        details={
            "reference": exchange.reference,
            "kind": request.kind,
            "targets": targets,
        },
        # The provider's note may name people: encrypted, as on the request itself.
        justification=note,
    )
    notify_agencies(
        agency_ids=[request.requesting_agency_id],
        kind=ExchangeNotificationKind.DISSEMINATION_DECISION,
        exchange=exchange,
        title=lambda: (
            (
                # Translators: %(reference)s is an exchange reference.
                _("Dissemination request for %(reference)s granted")
                if grant
                else _("Dissemination request for %(reference)s refused")
            )
            % {"reference": exchange.reference}
        ),
        # Each decision is its own event: a second grant on the same exchange is told too.
        dedupe_key=f"dissemination-request:{request.pk}",
    )
    return request


def _request_title(kind: str, *, party: str, reference: str) -> str:
    """The provider's notice of a request, a whole sentence per kind (translators word each)."""
    if kind == DisseminationKind.SHARE:
        # Translators: %(party)s is the requesting party's code, %(reference)s an exchange
        # reference; H2 is a handling code.
        text = _("%(party)s asks to share with further agencies (lift H2) for %(reference)s")
    else:
        # Translators: %(party)s is the requesting party's code, %(reference)s an exchange
        # reference; H1 is a handling code.
        text = _(
            "%(party)s asks to use as evidence in judicial proceedings (lift H1) for %(reference)s"
        )
    return text % {"party": party, "reference": reference}
