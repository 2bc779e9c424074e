"""Sending: a new exchange, a reply in its thread, a forward to further agencies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exchanges import policy
from exchanges.facts import agencies_facts, agency_facts, facts_for, load_agencies
from exchanges.models import (
    Exchange,
    ExchangeAuditEvent,
    ExchangeKind,
    ExchangeNotificationKind,
    Priority,
    Recipient,
    RecipientVia,
)
from exchanges.notify import notify_agencies
from exchanges.permissions import permissions_grant_new, permissions_sync
from exchanges.selectors import (
    require_perm,
)
from exchanges.services.admission import (
    admit,
    admit_new,
    case_link_facts_of,
    refuse_if_erased,
)
from exchanges.services.inputs import (
    Message,
)
from exchanges.services.storing import (
    add_recipients,
    create_exchange,
    locked_exchange,
    officer_agency,
    store_children,
    validate_message,
)
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.files import checked_uploads
from selec.core.models import AuditAction
from selec.core.policy_values import PolicyError, Restrictions
from selec.core.service_helpers import refused_as


@transaction.atomic
def exchange_send(
    *,
    officer: Officer,
    kind: ExchangeKind | str,
    recipient_agency_ids: Sequence[int],
    crime_area_id: int,
    priority: Priority | str,
    message: Message,
    task_force_id: int | None = None,
    case_id: int | None = None,
) -> Exchange:
    """File a request for assistance or an information exchange to one or more agencies,
    optionally within a joint investigation or regional operation the sender's party is in."""
    sender = officer_agency(officer)
    if ExchangeKind(kind) == ExchangeKind.REPLY:
        raise ValidationError({"kind": ["Replies are sent with exchange_reply."]})
    personal = validate_message(message)
    recipient_agencies = load_agencies(a for a in recipient_agency_ids if a != sender.pk)
    addressees = tuple(agency_facts(a) for a in recipient_agencies)
    if not addressees or len(addressees) != len(set(recipient_agency_ids) - {sender.pk}):
        raise ValidationError(
            {"recipients": [_("Choose at least one existing agency other than your own.")]}
        )
    sender_facts = agency_facts(sender)
    facts = admit_new(
        sender_facts, addressees, restrictions=message.restrictions, personal=personal
    )
    # A case message (a warning, feedback or seizure report of a regional operation) or any
    # exchange joining a case: the case's own rules on top (membership, status, kind, rule 1).
    with refused_as("case"):
        policy.check_case(
            sender_facts,
            case_link_facts_of(case_id),
            kind=kind,
            personal_data=personal,
            requested=case_id is not None,
        )
    checked = checked_uploads(message.attachments)
    exchange = create_exchange(
        officer=officer,
        kind=ExchangeKind(kind),
        message=message,
        personal=personal,
        restrictions=message.restrictions,
        crime_area_id=crime_area_id,
        task_force_id=task_force_id,
        priority=priority,
        parent=None,
        case_id=case_id,
    )
    add_recipients(
        exchange,
        [a.id for a in addressees],
        via=RecipientVia.ADDRESSED,
        added_by=sender.pk,
        new=True,
    )
    store_children(exchange, message, checked)
    permissions_grant_new(exchange, facts, [sender, *recipient_agencies])
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=ExchangeAuditEvent.SENT,
        target=exchange,
        reason=f"{exchange.kind} sent",
        details={
            "reference": exchange.reference,
            "recipients": [a.party_code + ":" + str(a.id) for a in addressees],
            "entities": len(message.entities),
            "attachments": len(message.attachments),
            "handling": exchange.handling_codes,
        },
    )
    notify_agencies(
        agency_ids=[a.id for a in addressees],
        party_ids=[a.party_id for a in addressees],
        kind=ExchangeNotificationKind.NEW_EXCHANGE,
        exchange=exchange,
        title=lambda: (
            # Translators: "New request EX-2026-0042 from RO": %(kind)s is the kind of exchange
            # in lower case, %(reference)s its reference, %(party)s the sender's party code.
            _("New %(kind)s %(reference)s from %(party)s")
            % {
                "kind": exchange.get_kind_display().lower(),
                "reference": exchange.reference,
                "party": sender.party.code,
            }
        ),
        dedupe_key=f"exchange:{exchange.pk}",
    )
    return exchange


@transaction.atomic
def exchange_reply(*, officer: Officer, parent: Exchange, message: Message) -> Exchange:
    """Answer an exchange in its thread. The reply goes to the other side of the parent and
    carries at least the parent's restrictions; it marks the parent answered for the agency."""
    require_perm(officer, parent, policy.Perm.REPLY)
    agency = officer_agency(officer)
    personal = validate_message(message) or parent.personal_data
    if personal and not (
        message.evaluation.source_reliability and message.evaluation.information_accuracy
    ):
        raise ValidationError(
            {"evaluation": [_("A reply to personal data must carry the evaluation codes.")]}
        )
    restrictions = policy.inherited(Restrictions.of(parent), message.restrictions)
    if agency.pk == parent.sender_agency_id:
        addressee_ids = list(parent.recipients.values_list("agency_id", flat=True))
    else:
        addressee_ids = [parent.sender_agency_id]
    addressees = agencies_facts(addressee_ids)
    # The reply is a new exchange whose sender is the replying agency: the same gate as a send
    # (an observer sends no personal data, whatever it answers), so that nothing is stored that
    # its author could not open. A reply joins the case of what it answers (even a closed one:
    # a thread is answered to its end), so it keeps that case's rule 1 too.
    admit_new(
        agency_facts(agency),
        addressees,
        restrictions=restrictions,
        personal=personal,
        case=case_link_facts_of(parent.case_id),
    )
    checked = checked_uploads(message.attachments)
    reply = create_exchange(
        officer=officer,
        kind=ExchangeKind.REPLY,
        message=message,
        personal=personal,
        restrictions=restrictions,
        crime_area_id=parent.crime_area_id,
        task_force_id=parent.task_force_id,
        priority=parent.priority,
        parent=parent,
    )
    add_recipients(reply, addressee_ids, via=RecipientVia.ADDRESSED, added_by=agency.pk)
    store_children(reply, message, checked)
    Recipient.objects.filter(exchange=parent, agency=agency, answered_at__isnull=True).update(
        answered_at=reply.sent_at
    )
    permissions_sync([reply.pk])
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=ExchangeAuditEvent.REPLIED,
        target=reply,
        reason="reply sent",
        details={
            "reference": reply.reference,
            "in_reply_to": parent.reference,
            "handling": reply.handling_codes,
        },
    )
    notify_agencies(
        agency_ids=addressee_ids,
        kind=ExchangeNotificationKind.REPLY,
        exchange=reply,
        title=lambda: (
            # Translators: %(reference)s is the reply's reference, %(parent)s that of the
            # exchange it answers, %(party)s the replying party's code.
            _("Reply %(reference)s to %(parent)s from %(party)s")
            % {"reference": reply.reference, "parent": parent.reference, "party": agency.party.code}
        ),
        dedupe_key=f"exchange:{reply.pk}",
    )
    return reply


@transaction.atomic
def exchange_forward(
    *, officer: Officer, exchange: Exchange, agency_ids: Sequence[int], justification: str
) -> list[int]:
    """A recipient passes the exchange on to further agencies, where no H2 forbids it."""
    require_perm(officer, exchange, policy.Perm.VIEW)
    exchange = locked_exchange(exchange)
    refuse_if_erased(exchange)
    facts = facts_for([exchange])[exchange.pk]
    targets = agencies_facts(agency_ids)
    # A forward discloses: the log must say why (issue 14), as for an evidence export.
    missing: dict[str, list[str]] = {}
    if not targets:
        missing["recipients"] = [_("Choose at least one agency.")]
    elif len(targets) != len(set(agency_ids)):
        # An id that names no agency is refused, not left out of the forward unsaid.
        missing["recipients"] = [_("Choose existing agencies.")]
    if not justification.strip():
        missing["justification"] = [_("Say why these agencies need the exchange.")]
    if missing:
        raise ValidationError(missing)
    # H2 is the provider's word on this exchange: a recipient it holds back may see the
    # exchange but not do this (403), whatever agencies it names.
    try:
        policy.check_forward(facts, targets, by_agency_id=officer.agency_id)
    except PolicyError as exc:
        raise PermissionDenied(str(exc)) from exc
    require_perm(officer, exchange, policy.Perm.FORWARD)
    # Only agencies are granted the forward (policy.grants_for): the officer has one by now.
    agency = officer_agency(officer)
    # The forward adds an audience: the same gate as a send, on the exchange as it would be.
    admit(
        replace(facts, recipients=(*facts.recipients, *targets)),
        author=agency_facts(agency),
        added=targets,
    )
    via = RecipientVia.DISSEMINATED if facts.restrictions.dissemination else RecipientVia.FORWARDED
    added = add_recipients(exchange, [t.id for t in targets], via=via, added_by=agency.pk)
    permissions_sync([exchange.pk])
    event = audit_record(
        actor=officer,
        action=AuditAction.DISCLOSURE,
        event=ExchangeAuditEvent.FORWARDED,
        target=exchange,
        reason="forwarded",
        details={"reference": exchange.reference, "forwarded_to": added},
        # What the officer typed may name people: stored encrypted, never in the log itself.
        justification=justification,
    )
    notify_agencies(
        agency_ids=added,
        kind=ExchangeNotificationKind.NEW_EXCHANGE,
        exchange=exchange,
        title=lambda: (
            # Translators: %(reference)s is an exchange reference, %(party)s a party's code.
            _("%(reference)s forwarded to your agency by %(party)s")
            % {"reference": exchange.reference, "party": agency.party.code}
        ),
        dedupe_key=f"audit-event:{event.pk}",
    )
    return added
