"""Writes to exchanges: one use case per function, one transaction, one audit event.

Every function decides permissions through ``exchanges.policy`` (never here) and re-stores the
result with ``permissions_sync`` before it returns, so a change of restrictions or of a party's
status takes effect for everyone at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from exchanges import policy
from exchanges.blind_index import current_scheme, entity_tokens
from exchanges.case_links import case_links
from exchanges.entity_rules import entity_problems
from exchanges.facts import agencies_facts, agency_facts, facts_for, load_agencies
from exchanges.models import (
    Attachment,
    DisseminationKind,
    DisseminationRequest,
    DisseminationStatus,
    Entity,
    EntityKind,
    EntityToken,
    Exchange,
    ExchangeKind,
    ExchangeNotificationKind,
    Priority,
    Recipient,
    RecipientVia,
    RestrictionConfirmation,
    urgency_of,
)
from exchanges.notify import notify_agencies
from exchanges.permissions import permissions_grant_new, permissions_sync
from exchanges.selectors import (
    attachment_get_for_officer,
    require_perm,
    restriction_digest,
    restriction_text_now,
)
from exchanges.tasks import match_exchange_entities
from partners.models import Agency, Officer, Role
from selec.core.audit import audit_record
from selec.core.digests import file_digest
from selec.core.files import checked_uploads, open_attachment, seal_attachment
from selec.core.models import AuditAction
from selec.core.policy_values import AgencyFacts, PolicyError, Restrictions

# Directive (EU) 2023/977, Art. 5: the time limits for answering requests.
DUE_AFTER = {
    Priority.IMMEDIATE: dt.timedelta(hours=8),
    Priority.URGENT: dt.timedelta(days=3),
    Priority.ROUTINE: dt.timedelta(days=7),
}


@dataclass(frozen=True)
class EntityInput:
    kind: EntityKind | str
    attributes: dict[str, object]


@dataclass(frozen=True)
class AttachmentInput:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Evaluation:
    source_reliability: str = ""
    information_accuracy: str = ""


@dataclass(frozen=True)
class Message:
    """What the author writes: shared by new exchanges and replies."""

    subject: str
    body: str
    restrictions: Restrictions = field(default_factory=Restrictions)
    personal_data: bool = False
    evaluation: Evaluation = field(default_factory=Evaluation)
    entities: Sequence[EntityInput] = ()
    attachments: Sequence[AttachmentInput] = ()


def due_date(sent_at: dt.datetime, priority: Priority | str) -> dt.datetime:
    return sent_at + DUE_AFTER[Priority(priority)]


def allocate_reference(year: int) -> str:
    """The next ``SELEC-YYYY-NNNNNN``: one atomic upsert, whose row lock holds concurrent senders
    back until this transaction ends, so numbers are consecutive and never repeat."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO exchanges_referencecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = exchanges_referencecounter.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"SELEC-{year}-{number:06d}"


@contextmanager
def refused_as(field: str) -> Iterator[None]:
    """Report a policy refusal as a validation error of the form field it concerns."""
    try:
        yield
    except PolicyError as exc:
        raise ValidationError({field: [str(exc)]}) from exc


def _admit(
    facts: policy.ExchangeFacts,
    *,
    author: AgencyFacts,
    added: tuple[AgencyFacts, ...],
    case: policy.CaseLinkFacts | None = None,
    added_field: str = "recipients",
) -> None:
    """The gate of every path that creates an exchange (a send, a case message, a reply) or
    adds an audience to one (a forward, a dissemination): the sender, addressee and
    personal-data rules of ``policy.check_audience`` (and, for an exchange in a case, that no
    personal data joins a case an observer takes part in), checked before anything is stored.

    A refusal that concerns the input is a ValidationError of its field (``added_field`` names
    the field of the agencies added): 400 on the API, the form shown again on a page. One that
    concerns the act itself, whatever the input, is PermissionDenied (403)."""
    try:
        policy.check_audience(facts, author=author, added=added)
        policy.check_personal_data_in_case(case, personal_data=facts.personal_data)
    except PolicyError as exc:
        if not exc.field:
            raise PermissionDenied(str(exc)) from exc
        field = added_field if exc.field == "recipients" else exc.field
        raise ValidationError({field: [str(exc)]}) from exc


def _admit_new(
    sender: AgencyFacts,
    addressees: tuple[AgencyFacts, ...],
    *,
    restrictions: Restrictions,
    personal: bool,
    case: policy.CaseLinkFacts | None = None,
) -> policy.ExchangeFacts:
    """The gate of a new exchange (a send, a case message, a reply): its sender is its author
    and every addressee is added. Returns the new exchange's facts."""
    facts = policy.ExchangeFacts(
        sender=sender, recipients=addressees, restrictions=restrictions, personal_data=personal
    )
    _admit(facts, author=sender, added=addressees, case=case)
    return facts


def case_link_facts_of(case_id: int | None) -> policy.CaseLinkFacts | None:
    """What the policy checks of the case an exchange joins (its parties, kind, status and
    observers), or None when no case is named or there is no such case."""
    return case_links().link_facts(case_id) if case_id is not None else None


def _locked(exchange: Exchange) -> Exchange:
    """The exchange as stored, locked until the transaction ends: restriction changes, forwards
    and grants on one exchange happen one after the other, each seeing the last one's result."""
    # The sender's agency and party come along (notices name the provider's party); only the
    # exchange's row is locked, not theirs.
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("sender_agency__party")
        .get(pk=exchange.pk)
    )


def _officer_agency(officer: Officer):  # type: ignore[no-untyped-def]
    if officer.agency_id is None:
        raise PermissionDenied("Only officers of an agency send exchanges.")
    return officer.agency


def _validate_message(message: Message) -> bool:
    """Return whether the message carries personal data; raise ValidationError otherwise."""
    errors: dict[str, list[str]] = {}
    if not message.subject.strip():
        errors.setdefault("subject", []).append("A subject is required.")
    if not message.body.strip():
        errors.setdefault("body", []).append("A body is required.")
    personal = message.personal_data or bool(message.entities)
    if personal and not (
        message.evaluation.source_reliability and message.evaluation.information_accuracy
    ):
        errors.setdefault("evaluation", []).append(
            "Personal data must carry the source and information evaluation codes."
        )
    # The entity rules again (the forms and the API apply them first): a caller that goes round
    # them is refused here, before anything is stored or matched.
    entity_messages = [
        f"Entity {position} ({entity.kind}): {problem}"
        for position, entity in enumerate(message.entities, start=1)
        for problem in entity_problems(str(entity.kind), entity.attributes)
    ]
    if entity_messages:
        errors["entities"] = entity_messages
    if errors:
        raise ValidationError(errors)
    return personal


def _store_children(
    exchange: Exchange, message: Message, checked: list[tuple[AttachmentInput, str]]
) -> None:
    entities = [
        Entity(exchange=exchange, kind=EntityKind(e.kind), attributes=dict(e.attributes))
        for e in message.entities
    ]
    Entity.objects.bulk_create(entities)
    scheme = current_scheme()
    EntityToken.objects.bulk_create(
        [
            EntityToken(entity=entity, kind=kind, token=token, scheme=scheme)
            for entity in entities
            for kind, token in entity_tokens(entity.kind, entity.attributes)
        ]
    )
    if entities:
        # Hit/no-hit matching once the entities are committed (exchanges.matching).
        match_exchange_entities.delay_on_commit(exchange.pk)
    Attachment.objects.bulk_create(
        [
            seal_attachment(Attachment(exchange=exchange), upload=upload, content_type=content_type)
            for upload, content_type in checked
        ]
    )


def _create_exchange(
    *,
    officer: Officer,
    kind: ExchangeKind,
    message: Message,
    personal: bool,
    restrictions: Restrictions,
    crime_area_id: int,
    task_force_id: int | None,
    priority: Priority | str,
    parent: Exchange | None,
    case_id: int | None = None,
) -> Exchange:
    sent_at = timezone.now()
    exchange = Exchange(
        reference=allocate_reference(timezone.localtime(sent_at).year),
        kind=kind,
        in_reply_to=parent,
        thread_root=(parent.thread_root or parent) if parent else None,
        # A reply belongs to the case of what it answers.
        case_id=parent.case_id if parent else case_id,
        sender_agency=officer.agency,
        author=officer,
        crime_area_id=crime_area_id,
        task_force_id=task_force_id,
        priority=priority,
        sent_at=sent_at,
        due_at=due_date(sent_at, priority),
        subject=message.subject.strip(),
        body=message.body,
        restrict_evidence=restrictions.evidence,
        restrict_dissemination=restrictions.dissemination,
        restriction_text=restrictions.text,
        personal_data=personal,
        source_reliability=message.evaluation.source_reliability,
        information_accuracy=message.evaluation.information_accuracy,
    )
    # Field validation only: the foreign keys were resolved by the caller and the database's
    # constraints guard the rest, so no query is spent here.
    exchange.clean_fields(
        exclude=[
            "reference",
            "in_reply_to",
            "thread_root",
            "sender_agency",
            "author",
            "crime_area",
            "task_force",
        ]
    )
    exchange.save(force_insert=True)
    return exchange


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
    sender = _officer_agency(officer)
    if ExchangeKind(kind) == ExchangeKind.REPLY:
        raise ValidationError({"kind": ["Replies are sent with exchange_reply."]})
    personal = _validate_message(message)
    recipient_agencies = load_agencies(a for a in recipient_agency_ids if a != sender.pk)
    addressees = tuple(agency_facts(a) for a in recipient_agencies)
    if not addressees or len(addressees) != len(set(recipient_agency_ids) - {sender.pk}):
        raise ValidationError(
            {"recipients": ["Choose at least one existing agency other than your own."]}
        )
    sender_facts = agency_facts(sender)
    facts = _admit_new(
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
    exchange = _create_exchange(
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
    _add_recipients(
        exchange,
        [a.id for a in addressees],
        via=RecipientVia.ADDRESSED,
        added_by=sender.pk,
        new=True,
    )
    _store_children(exchange, message, checked)
    permissions_grant_new(exchange, facts, [sender, *recipient_agencies])
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
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
        title=f"New {exchange.get_kind_display().lower()} {exchange.reference} from {sender.party.code}",
        dedupe_key=f"exchange:{exchange.pk}",
    )
    return exchange


def _add_recipients(
    exchange: Exchange,
    agency_ids: Sequence[int],
    *,
    via: RecipientVia,
    added_by: int,
    new: bool = False,
) -> list[int]:
    now = timezone.now()
    already = {exchange.sender_agency_id}
    if not new:
        already |= set(exchange.recipients.values_list("agency_id", flat=True))
    new = [a for a in dict.fromkeys(agency_ids) if a not in already]
    Recipient.objects.bulk_create(
        [
            Recipient(
                exchange=exchange,
                agency_id=a,
                via=via,
                added_by_id=added_by,
                delivered_at=now,
                urgency=urgency_of(exchange.priority),
                due_at=exchange.due_at,
                awaits_answer=exchange.kind == ExchangeKind.REQUEST,
            )
            for a in new
        ]
    )
    return new


@transaction.atomic
def exchange_reply(*, officer: Officer, parent: Exchange, message: Message) -> Exchange:
    """Answer an exchange in its thread. The reply goes to the other side of the parent and
    carries at least the parent's restrictions; it marks the parent answered for the agency."""
    require_perm(officer, parent, policy.Perm.REPLY)
    agency = _officer_agency(officer)
    personal = _validate_message(message) or parent.personal_data
    if personal and not (
        message.evaluation.source_reliability and message.evaluation.information_accuracy
    ):
        raise ValidationError(
            {"evaluation": ["A reply to personal data must carry the evaluation codes."]}
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
    _admit_new(
        agency_facts(agency),
        addressees,
        restrictions=restrictions,
        personal=personal,
        case=case_link_facts_of(parent.case_id),
    )
    checked = checked_uploads(message.attachments)
    reply = _create_exchange(
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
    _add_recipients(reply, addressee_ids, via=RecipientVia.ADDRESSED, added_by=agency.pk)
    _store_children(reply, message, checked)
    Recipient.objects.filter(exchange=parent, agency=agency, answered_at__isnull=True).update(
        answered_at=reply.sent_at
    )
    permissions_sync([reply.pk])
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
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
        title=f"Reply {reply.reference} to {parent.reference} from {agency.party.code}",
        dedupe_key=f"exchange:{reply.pk}",
    )
    return reply


@transaction.atomic
def exchange_forward(
    *, officer: Officer, exchange: Exchange, agency_ids: Sequence[int], justification: str
) -> list[int]:
    """A recipient passes the exchange on to further agencies, where no H2 forbids it."""
    require_perm(officer, exchange, policy.Perm.VIEW)
    exchange = _locked(exchange)
    facts = facts_for([exchange])[exchange.pk]
    targets = agencies_facts(agency_ids)
    if not targets:
        raise ValidationError({"recipients": ["Choose at least one agency."]})
    # H2 is the provider's word on this exchange: a recipient it holds back may see the
    # exchange but not do this (403), whatever agencies it names.
    try:
        policy.check_forward(facts, targets, by_agency_id=officer.agency_id)
    except PolicyError as exc:
        raise PermissionDenied(str(exc)) from exc
    require_perm(officer, exchange, policy.Perm.FORWARD)
    # The forward adds an audience: the same gate as a send, on the exchange as it would be.
    _admit(
        replace(facts, recipients=(*facts.recipients, *targets)),
        author=agency_facts(officer.agency),
        added=targets,
    )
    via = RecipientVia.DISSEMINATED if facts.restrictions.dissemination else RecipientVia.FORWARDED
    added = _add_recipients(exchange, [t.id for t in targets], via=via, added_by=officer.agency_id)
    permissions_sync([exchange.pk])
    event = audit_record(
        actor=officer,
        action=AuditAction.DISCLOSURE,
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
        title=f"{exchange.reference} forwarded to your agency by {officer.agency.party.code}",
        dedupe_key=f"audit-event:{event.pk}",
    )
    return added


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
    if not created and confirmation.restriction_digest != digest:
        confirmation.restriction_digest, confirmation.confirmed_at = digest, timezone.now()
        confirmation.save(update_fields=["restriction_digest", "confirmed_at"])
        created = True
    if created:
        audit_record(
            actor=officer,
            action=AuditAction.COLLECTION,
            target=exchange,
            reason="H3 restriction confirmed",
        )


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
    require_perm(officer, exchange, policy.Perm.REQUEST_DISSEMINATION)
    kind = DisseminationKind(kind)
    if kind == DisseminationKind.SHARE:
        targets = agencies_facts(target_agency_ids)
        if not targets:
            raise ValidationError({"target_agencies": ["Name the agencies to share with."]})
        # Asking to share is asking to add an audience: refused up front when the forward it
        # would lead to could never pass the gate.
        _admit_share(exchange, requesting_agency=officer.agency, targets=targets)
    if not justification.strip() or not intended_use.strip():
        raise ValidationError({"justification": ["Say for what use and why."]})
    request = DisseminationRequest.objects.create(
        exchange=exchange,
        kind=kind,
        requesting_agency_id=officer.agency_id,
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
        title=f"{officer.agency.party.code} asks to {kind.label.lower()} for {exchange.reference}",
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
    _admit(
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
    exchange = _locked(request.exchange)
    request = DisseminationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DisseminationStatus.PENDING:
        raise ValidationError(
            {"status": [f"This request was already {request.get_status_display().lower()}."]}
        )
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
        title=f"Dissemination request for {exchange.reference} {request.get_status_display().lower()}",
        # Each decision is its own event: a second grant on the same exchange is told too.
        dedupe_key=f"dissemination-request:{request.pk}",
    )
    return request


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
    loosening each with a notice of its own."""
    require_perm(officer, exchange, policy.Perm.MANAGE)
    exchange = _locked(exchange)
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
            title=f"{party} tightened the restrictions of {target.reference}: "
            f"{' '.join(diff.added)} added, now {' '.join(target.handling_codes)}",
            dedupe_key=f"audit-event:{event_id}:{target.pk}",
        )
    if diff.removed:
        audience = audiences.get(exchange.pk, set())
        notify_agencies(
            agency_ids=sorted(audience),
            party_ids=parties(audience),
            kind=ExchangeNotificationKind.RESTRICTION_LOOSENED,
            exchange=exchange,
            title=f"{party} lifted {' '.join(diff.removed)} from {exchange.reference}: "
            f"now {' '.join(exchange.handling_codes)}",
            dedupe_key=f"audit-event:{event_id}:{exchange.pk}",
        )


class RestrictionNotConfirmed(PermissionDenied):
    """H3: the officer must confirm the provider's restriction text before seeing the content.
    ``reference`` names the exchange whose text to confirm (a download names only its file)."""

    def __init__(self, message: str, *, reference: str) -> None:
        super().__init__(message)
        self.reference = reference


@dataclass(frozen=True)
class ExchangeContent:
    exchange: Exchange
    subject: str
    body: str
    entities: list[Entity]
    attachments: list[Attachment]
    perms: frozenset[policy.Perm]


def _require_h3_confirmed(officer: Officer, exchange: Exchange) -> None:
    if not policy.must_confirm_restriction(
        reader_agency_id=officer.agency_id, sender_agency_id=exchange.sender_agency_id
    ):
        return
    # Compared with the text as stored now: a provider who changes it asks everyone again.
    current_text = restriction_text_now(exchange)
    if (
        current_text
        and not RestrictionConfirmation.objects.filter(
            exchange=exchange,
            officer=officer,
            restriction_digest=restriction_digest(current_text),
        ).exists()
    ):
        raise RestrictionNotConfirmed(
            f"{exchange.reference} carries an H3 restriction: confirm its text before reading the content.",
            reference=exchange.reference,
        )


@transaction.atomic
def exchange_consult(*, officer: Officer, exchange: Exchange) -> ExchangeContent:
    """Open an exchange's content. The consultation is audited in the same transaction, so a
    read whose audit event cannot be written fails; the first read marks the receipt read."""
    perms = require_perm(officer, exchange, policy.Perm.VIEW)
    _require_h3_confirmed(officer, exchange)
    Recipient.objects.filter(
        exchange=exchange, agency_id=officer.agency_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        target=exchange,
        reason="content consulted",
        details={"reference": exchange.reference},
    )
    return ExchangeContent(
        exchange=exchange,
        subject=exchange.subject,
        body=exchange.body,
        entities=list(exchange.entities.order_by("pk")),
        attachments=list(exchange.attachments.order_by("pk").defer("content")),
        perms=perms,
    )


@transaction.atomic
def attachment_download(*, officer: Officer, attachment_id: int) -> tuple[Attachment, bytes]:
    """Decrypt an attachment for an officer who may read its exchange (audited as disclosure)."""
    # One 404 whether the attachment is missing or its exchange hidden (see the selector).
    attachment = attachment_get_for_officer(officer, attachment_id)
    _require_h3_confirmed(officer, attachment.exchange)
    content = open_attachment(attachment)
    audit_record(
        actor=officer,
        action=AuditAction.DISCLOSURE,
        target=attachment,
        reason="attachment downloaded",
        # A keyed digest: the plain SHA-256 would let whoever reads the log confirm a file.
        details={
            "reference": attachment.exchange.reference,
            "file_digest": file_digest(attachment.sha256),
        },
    )
    return attachment, content


@transaction.atomic
def exchange_export_evidence(
    *, officer: Officer, exchange: Exchange, justification: str
) -> dict[str, object]:
    """The "use as evidence" export: refused under H1 until the provider grants it."""
    require_perm(officer, exchange, policy.Perm.EXPORT_EVIDENCE)
    _require_h3_confirmed(officer, exchange)
    if not justification.strip():
        raise ValidationError({"justification": ["Say for which proceedings the export is made."]})
    audit_record(
        actor=officer,
        action=AuditAction.EXPORT,
        target=exchange,
        reason="evidence export",
        details={"reference": exchange.reference, "purpose": "evidence"},
        # The proceedings the officer names may name people: stored encrypted.
        justification=justification,
    )
    return {
        "reference": exchange.reference,
        "provider": exchange.sender_agency.name,
        "sent_at": exchange.sent_at.isoformat(),
        "handling": exchange.handling_codes,
        "evaluation": f"{exchange.source_reliability}{exchange.information_accuracy}",
        "subject": exchange.subject,
        "body": exchange.body,
        "entities": [{"kind": e.kind, **e.attributes} for e in exchange.entities.order_by("pk")],
        "attachments": [
            {"filename": a.filename, "sha256": a.sha256, "size": a.size}
            for a in exchange.attachments.order_by("pk").defer("content")
        ],
    }


# How long before its due date an unanswered request is flagged as approaching.
APPROACHING_WITHIN = {
    Priority.IMMEDIATE: dt.timedelta(hours=2),
    Priority.URGENT: dt.timedelta(hours=24),
    Priority.ROUTINE: dt.timedelta(hours=48),
}


@transaction.atomic
def deadlines_flag(*, now: dt.datetime | None = None) -> int:
    """Notify the agencies whose answer to a request is due soon or overdue. Idempotent: each
    receipt is flagged once per kind of notice (the notification's dedupe key)."""
    now = now or timezone.now()
    horizon = now + max(APPROACHING_WITHIN.values())
    open_receipts = Recipient.objects.filter(
        awaits_answer=True, answered_at__isnull=True, due_at__lte=horizon
    ).select_related("exchange", "agency")
    notified = 0
    for receipt in open_receipts.iterator(chunk_size=500):
        exchange = receipt.exchange
        if exchange.due_at <= now:
            kind, title = (
                ExchangeNotificationKind.DEADLINE_PASSED,
                f"{exchange.reference} is overdue: no answer yet",
            )
        elif exchange.due_at - now <= APPROACHING_WITHIN[Priority(exchange.priority)]:
            kind, title = (
                ExchangeNotificationKind.DEADLINE_APPROACHING,
                f"{exchange.reference} is due {_when(exchange.due_at)}",
            )
        else:
            continue
        notified += notify_agencies(
            agency_ids=[receipt.agency_id],
            party_ids=[receipt.agency.party_id],
            kind=kind,
            exchange=exchange,
            title=title,
            # Once per receipt and kind of notice, whatever the wording (the due time shown).
            dedupe_key=f"receipt:{receipt.pk}",
        )
    return notified


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M %Z")
