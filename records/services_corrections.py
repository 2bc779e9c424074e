"""Correcting an exchange (Directive (EU) 2016/680, Art. 16: rectification): the provider
corrects the subject, the body, the evaluation codes or one entity of its own exchange.

One transaction: the exchange is locked, the new values pass the rules the send applies
(``exchanges.services.storing.validate_message``, the entity rules, the model's codes), the
values are replaced, ``corrected_at`` is set and the correction is audited. An entity is
corrected by deleting its row (its blind-index tokens and the hits built on them go with it)
and storing the corrected one, which hit/no-hit matching indexes and matches again as a new
entity (``exchanges.entity_listeners``). The old values are kept nowhere: the audit event holds
a keyed digest of each value replaced, and the officer's note, which may name people, is its
encrypted justification. Every agency holding a copy is told that a correction was made and by
whom, by reference only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.entity_listeners import entities_stored
from exchanges.entity_rules import entity_problems
from exchanges.models import Entity, EntityKind, Exchange, Recipient
from exchanges.services.inputs import EntityInput, Evaluation, Message
from exchanges.services.storing import locked_exchange, officer_agency, validate_message
from partners.models import Officer
from partners.selectors import officers_concerned
from records.models import RecordsAuditEvent, RecordsNotificationKind
from records.policy_corrections import (
    Part,
    digested_value,
    entity_value,
    evaluation_value,
    same_attributes,
    same_text,
)
from records.selectors_corrections import require_provider
from selec.core.audit import audit_record
from selec.core.digests import DigestPurpose, keyed_digest
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers

# Where the service's errors about the entity are keyed (the API's member, the page's section).
ENTITY = "entity"
_TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class EntityCorrection:
    """The corrected attributes of one entity of the exchange, named by its uuid or by its
    position among the exchange's entities (0 for the first, in the order they are shown)."""

    attributes: Mapping[str, object]
    uuid: uuid.UUID | None = None
    index: int | None = None


@dataclass(frozen=True)
class Correction:
    """What the provider corrects; a value left None is left as it is."""

    subject: str | None = None
    body: str | None = None
    source_reliability: str | None = None
    information_accuracy: str | None = None
    entity: EntityCorrection | None = None
    # Why (it may name people): the audit event's encrypted justification.
    note: str = ""


@dataclass(frozen=True)
class Corrected:
    exchange: Exchange
    parts: tuple[Part, ...]
    # The entity stored in place of the corrected one (a new uuid, last among the entities).
    entity: Entity | None
    notified: int


@dataclass(frozen=True)
class _Values:
    subject: str
    body: str
    source_reliability: str
    information_accuracy: str


@transaction.atomic
def exchange_correct(*, officer: Officer, exchange: Exchange, correction: Correction) -> Corrected:
    """Correct the exchange as the provider (404 for anybody else). Refused, with nothing
    saved: an erased exchange, a correction that changes nothing, values the send would refuse."""
    require_provider(officer, exchange)
    agency = officer_agency(officer)
    exchange = locked_exchange(exchange)
    if exchange.erased_at is not None:
        raise ValidationError(
            _("The content of %(reference)s was erased: there is nothing left to correct.")
            % {"reference": exchange.reference}
        )
    replaced = _entity_named(exchange, correction.entity)
    values = _Values(
        subject=_given(correction.subject, exchange.subject).strip(),
        body=_given(correction.body, exchange.body),
        source_reliability=_given(correction.source_reliability, exchange.source_reliability),
        information_accuracy=_given(correction.information_accuracy, exchange.information_accuracy),
    )
    parts = _changed(exchange, values, replaced, correction.entity)
    if not parts:
        raise ValidationError(
            _("Nothing to correct: what you gave is what %(reference)s already says.")
            % {"reference": exchange.reference}
        )
    _validate(exchange, values, replaced, correction.entity)
    before = _digests(exchange, parts, replaced)
    stored = _store(exchange, values, parts, replaced, correction.entity)
    details: dict[str, object] = {
        "reference": exchange.reference,
        "parts": [part.value for part in parts],
        "before": before,
    }
    if replaced is not None and stored is not None:
        details["entity"] = {"replaced": str(replaced.uuid), "by": str(stored.uuid)}
    event = audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=RecordsAuditEvent.CORRECTED,
        target=exchange,
        reason="exchange corrected",
        details=details,
        justification=correction.note,
    )
    notified = _notify_holders(
        exchange, by=officer, agency_name=agency.name, dedupe_key=f"audit-event:{event.pk}"
    )
    return Corrected(exchange=exchange, parts=parts, entity=stored, notified=notified)


def _given(value: str | None, current: str) -> str:
    return current if value is None else value


def _entity_named(exchange: Exchange, wanted: EntityCorrection | None) -> Entity | None:
    if wanted is None:
        return None
    entities = list(exchange.entities.order_by("pk"))
    if (wanted.uuid is None) == (wanted.index is None):
        raise ValidationError(
            {ENTITY: [_("Name the entity by its uuid or by its index, not both.")]}
        )
    if wanted.uuid is not None:
        found = next((e for e in entities if e.uuid == wanted.uuid), None)
    elif wanted.index is not None and 0 <= wanted.index < len(entities):
        found = entities[wanted.index]
    else:
        found = None
    if found is None:
        count = len(entities)
        raise ValidationError(
            {
                ENTITY: [
                    ngettext(
                        "%(reference)s has no such entity (it has %(count)d: index 0 to %(last)d).",
                        "%(reference)s has no such entity (it has %(count)d: index 0 to %(last)d).",
                        count,
                    )
                    % {"reference": exchange.reference, "count": count, "last": count - 1}
                    if count
                    else _("%(reference)s carries no entity.") % {"reference": exchange.reference}
                ]
            }
        )
    return found


def _changed(
    exchange: Exchange,
    values: _Values,
    replaced: Entity | None,
    wanted: EntityCorrection | None,
) -> tuple[Part, ...]:
    parts = []
    if not same_text(exchange.subject, values.subject):
        parts.append(Part.SUBJECT)
    if not same_text(exchange.body, values.body):
        parts.append(Part.BODY)
    if (values.source_reliability, values.information_accuracy) != (
        exchange.source_reliability,
        exchange.information_accuracy,
    ):
        parts.append(Part.EVALUATION)
    if (
        replaced is not None
        and wanted is not None
        and not same_attributes(replaced.kind, replaced.attributes, wanted.attributes)
    ):
        parts.append(Part.ENTITY)
    return tuple(parts)


def _validate(
    exchange: Exchange,
    values: _Values,
    replaced: Entity | None,
    wanted: EntityCorrection | None,
) -> None:
    """The rules of the send, on the exchange as it would be: a subject and a body, both codes
    on personal data, codes the model knows, and the entity's attributes by the entity rules
    (keyed ``entity``, the one entity corrected; the send's message names its position)."""
    errors: dict[str, list[str]] = {}
    entities: Sequence[EntityInput] = ()
    if replaced is not None and wanted is not None:
        entities = [EntityInput(EntityKind(replaced.kind), dict(wanted.attributes))]
        problems = entity_problems(replaced.kind, wanted.attributes)
        if problems:
            errors[ENTITY] = problems
    message = Message(
        subject=values.subject,
        body=values.body,
        personal_data=exchange.personal_data,
        evaluation=Evaluation(
            source_reliability=values.source_reliability,
            information_accuracy=values.information_accuracy,
        ),
        entities=entities,
    )
    try:
        validate_message(message)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            if key != "entities":  # said above, under the entity's own key
                errors.setdefault(key, []).extend(messages)
    errors |= _code_errors(values)
    if errors:
        raise ValidationError(errors)


def _code_errors(values: _Values) -> dict[str, list[str]]:
    """The evaluation codes as the model's own choices check them."""
    probe = Exchange(
        source_reliability=values.source_reliability,
        information_accuracy=values.information_accuracy,
    )
    checked = {"source_reliability", "information_accuracy"}
    try:
        probe.clean_fields(
            exclude=[f.name for f in Exchange._meta.concrete_fields if f.name not in checked]
        )
    except ValidationError as exc:
        return dict(exc.message_dict)
    return {}


def _digests(
    exchange: Exchange, parts: tuple[Part, ...], replaced: Entity | None
) -> dict[str, str]:
    """The keyed digest of each value replaced (never the value)."""
    old: dict[Part, str] = {
        Part.SUBJECT: exchange.subject,
        Part.BODY: exchange.body,
        Part.EVALUATION: evaluation_value(
            exchange.source_reliability, exchange.information_accuracy
        ),
    }
    if replaced is not None:
        old[Part.ENTITY] = entity_value(replaced.kind, replaced.attributes)
    return {
        part.value: keyed_digest(
            DigestPurpose.CORRECTED_VALUE,
            digested_value(exchange_uuid=str(exchange.uuid), part=part, value=old[part]),
        )
        for part in parts
    }


def _store(
    exchange: Exchange,
    values: _Values,
    parts: tuple[Part, ...],
    replaced: Entity | None,
    wanted: EntityCorrection | None,
) -> Entity | None:
    fields = ["corrected_at"]
    if Part.SUBJECT in parts:
        exchange.subject = values.subject
        fields.append("subject")
    if Part.BODY in parts:
        exchange.body = values.body
        fields.append("body")
    if Part.EVALUATION in parts:
        exchange.source_reliability = values.source_reliability
        exchange.information_accuracy = values.information_accuracy
        fields += ["source_reliability", "information_accuracy"]
    exchange.corrected_at = timezone.now()
    exchange.save(update_fields=fields)
    if Part.ENTITY not in parts or replaced is None or wanted is None:
        return None
    # Its tokens and the hits built on them go with it (CASCADE): the corrected entity is
    # indexed and matched afresh, so a hit holds only while the corrected values still match.
    replaced.delete()
    stored = Entity(exchange=exchange, kind=replaced.kind, attributes=dict(wanted.attributes))
    stored.save(force_insert=True)
    entities_stored([stored])
    return stored


def _notify_holders(exchange: Exchange, *, by: Officer, agency_name: str, dedupe_key: str) -> int:
    """Every agency holding a copy (each recipient, however it received the exchange) and the
    NFP officers of their parties: once each, the reference and who corrected, no content."""
    holders = list(
        Recipient.objects.filter(exchange=exchange).values_list("agency_id", "agency__party_id")
    )
    if not holders:
        return 0
    officers = officers_concerned(
        agency_ids={agency for agency, _party in holders},
        nfp_party_ids={party for _agency, party in holders},
    ).exclude(pk=by.pk)
    return notify_officers(
        officers=officers,
        kind=RecordsNotificationKind.CORRECTED,
        title=lambda: correction_notice_title(exchange.reference, agency_name, by.username),
        link=reverse("exchanges:thread", kwargs={"reference": exchange.reference}),
        object_type="exchanges.exchange",
        object_id=str(exchange.pk),
        dedupe_key=f"{RecordsNotificationKind.CORRECTED}:{dedupe_key}",
    )


def correction_notice_title(reference: str, agency_name: str, username: str) -> str:
    """ "SELEC-2026-000123 corrected by Romanian Police (lo.ro)", the agency's name shortened
    where the whole would not fit a notice's title; in the active language."""
    # Translators: notification title; agency is the correcting agency, username its officer.
    title = _("%(reference)s corrected by %(agency)s (%(username)s)")
    args = {"reference": reference, "username": username}
    room = _TITLE_MAX_LENGTH - len(title % {**args, "agency": ""})
    if len(agency_name) > room:
        agency_name = agency_name[: max(room - 1, 0)] + "…"
    return (title % {**args, "agency": agency_name})[:_TITLE_MAX_LENGTH]
