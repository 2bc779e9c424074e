"""Storing a new exchange, its recipients, entities and attachments: shared by the send, the reply
and the forward.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges import policy
from exchanges.entity_listeners import entities_stored
from exchanges.entity_rules import entity_problems
from exchanges.models import (
    Attachment,
    Entity,
    EntityKind,
    Exchange,
    ExchangeKind,
    Priority,
    Recipient,
    RecipientVia,
    urgency_of,
)
from exchanges.services.inputs import (
    AttachmentInput,
    Message,
    allocate_reference,
    due_date,
)
from partners.models import Agency, Officer
from selec.core.files import seal_attachment
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea


def locked_exchange(exchange: Exchange) -> Exchange:
    """The exchange as stored, locked until the transaction ends: restriction changes, forwards
    and grants on one exchange happen one after the other, each seeing the last one's result."""
    # The sender's agency and party come along (notices name the provider's party); only the
    # exchange's row is locked, not theirs.
    return (
        Exchange.objects.select_for_update(of=("self",))
        .select_related("sender_agency__party")
        .get(pk=exchange.pk)
    )


def officer_agency(officer: Officer) -> Agency:
    agency = officer.agency
    if agency is None:
        raise PermissionDenied(_("Only officers of an agency send exchanges."))
    return agency


def validate_message(message: Message) -> bool:
    """Return whether the message carries personal data; raise ValidationError otherwise."""
    errors: dict[str, list[str]] = {}
    if not message.subject.strip():
        errors.setdefault("subject", []).append(_("A subject is required."))
    if not message.body.strip():
        errors.setdefault("body", []).append(_("A body is required."))
    personal = message.personal_data or bool(message.entities)
    if personal and not (
        message.evaluation.source_reliability and message.evaluation.information_accuracy
    ):
        errors.setdefault("evaluation", []).append(
            _("Personal data must carry the source and information evaluation codes.")
        )
    # The entity rules again (the forms and the API apply them first): a caller that goes round
    # them is refused here, before anything is stored or matched.
    entity_messages = [
        # Translators: "Entity 2 (person): nationality: ...": %(position)d counts the
        # entities from 1, %(kind)s is the entity's kind code, %(problem)s what is wrong.
        _("Entity %(position)d (%(kind)s): %(problem)s")
        % {"position": position, "kind": entity.kind, "problem": problem}
        for position, entity in enumerate(message.entities, start=1)
        for problem in entity_problems(str(entity.kind), entity.attributes)
    ]
    if entity_messages:
        errors["entities"] = entity_messages
    if errors:
        raise ValidationError(errors)
    return personal


def store_children(
    exchange: Exchange, message: Message, checked: list[tuple[AttachmentInput, str]]
) -> None:
    entities = [
        # EncryptedJSONField holds a dict: the stubs take its Python type from TextField (str).
        Entity(exchange=exchange, kind=EntityKind(e.kind), attributes=dict(e.attributes))
        for e in message.entities
    ]
    Entity.objects.bulk_create(entities)
    # Hit/no-hit matching indexes them in this transaction (exchanges.entity_listeners).
    entities_stored(entities)
    Attachment.objects.bulk_create(
        [
            seal_attachment(Attachment(exchange=exchange), upload=upload, content_type=content_type)
            for upload, content_type in checked
        ]
    )


def create_exchange(
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
        # The year of the organisation's calendar, not of the officer's time zone (activated
        # for the request), so that one exchange never gets a reference of the wrong year.
        reference=allocate_reference(
            timezone.localtime(sent_at, timezone.get_default_timezone()).year
        ),
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
        review_due_on=review_date(
            personal=personal, sent_at=sent_at, crime_area_id=crime_area_id, parent=parent
        ),
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


def review_date(
    *, personal: bool, sent_at: dt.datetime, crime_area_id: int, parent: Exchange | None
) -> dt.date | None:
    """The retention review date the policy gives what is being sent (``policy.review_due_on``):
    from the day of the send in the installation's time zone (not the officer's), the crime
    area's period and, for a reply, its thread root's current date. One query, and only for
    personal data."""
    if not personal:
        return None
    area = CrimeArea.objects.filter(pk=crime_area_id)
    root_review: dt.date | None = None
    if parent is None:
        area_years = area.values_list("personal_data_review_years", flat=True).first()
    else:
        root = Exchange.objects.filter(pk=parent.thread_root_id or parent.pk)
        found = (
            area.annotate(root_review=Subquery(root.values("review_due_on")[:1]))
            .values_list("personal_data_review_years", "root_review")
            .first()
        )
        area_years, root_review = found if found is not None else (None, None)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return policy.review_due_on(
        personal_data=True,
        sent_on=sent_at.astimezone(zone).date(),
        area_years=area_years,
        default_years=settings.PERSONAL_DATA_REVIEW_YEARS,
        root_review_due_on=root_review,
    )


def add_recipients(
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
    added = [a for a in dict.fromkeys(agency_ids) if a not in already]
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
            for a in added
        ]
    )
    return added
