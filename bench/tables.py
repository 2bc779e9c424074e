"""The tables the generator fills, their columns, the ids it hands out, the encrypted fields'
sealers, and the audit chain it extends."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Field, ManyToManyField, Model

from bench.bulk import CopyTable, Sealer, first_free_id
from bench.directory import Author
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from exchanges.models import Entity, Exchange, ExchangeGroupObjectPermission, Recipient
from hits.models import EntityToken, Hit
from selec.core.audit import _chained, chain_head, content_mac_of
from selec.core.models import AuditAction, AuditEvent, Notification

# The fields the generator fills, in the order it gives their values. Any other column gets
# its field's default (see bench.bulk), and the ids of the rows nobody refers to come from
# their tables' sequences.
# fmt: off
EXCHANGE_FIELDS = (
    "id", "uuid", "reference", "kind", "in_reply_to_id", "thread_root_id", "sender_agency_id",
    "author_id", "crime_area_id", "task_force_id", "case_id", "priority", "sent_at", "due_at",
    "subject", "body", "restrict_evidence", "restrict_dissemination", "restriction_text",
    "personal_data", "source_reliability", "information_accuracy", "review_due_on",
)
RECEIPT_FIELDS = (
    "exchange_id", "agency_id", "via", "added_by_id", "delivered_at", "read_at",
    "acknowledged_at", "answered_at", "urgency", "due_at", "awaits_answer",
)
GRANT_FIELDS = ("group_id", "permission_id", "content_object_id")
ENTITY_FIELDS = ("id", "uuid", "exchange_id", "kind", "attributes", "matched_at")
TOKEN_FIELDS = ("entity_id", "kind", "token", "scheme")
HIT_FIELDS = (
    "id", "entity_a_id", "entity_b_id", "exchange_a_id", "exchange_b_id", "agency_a_id",
    "agency_b_id", "token_kinds", "created_at",
)
NOTIFICATION_FIELDS = (
    "officer_id", "kind", "title", "link", "object_type", "object_id", "dedupe_key",
    "created_at", "read_at",
)
CASE_FIELDS = (
    "id", "uuid", "reference", "name", "kind", "lead_party_id", "task_force_id",
    "crime_area_id", "started_on", "ended_on", "status", "description", "restrict_evidence",
    "restrict_dissemination", "restriction_text", "personal_data", "created_by_id",
    "created_at",
)
CASE_USER_GRANT_FIELDS = ("user_id", "permission_id", "content_object_id")
# fmt: on


def _through_table(model: type[Model], m2m_name: str) -> CopyTable:
    """The rows linking a model to the other side of one of its many-to-many fields."""
    m2m = model._meta.get_field(m2m_name)
    if not isinstance(m2m, ManyToManyField):
        raise TypeError(f"{model._meta.label}.{m2m_name} is not a many-to-many field")
    through = m2m.remote_field.through
    if through is None:  # set once the models are loaded (Django's own, or the declared one)
        raise ImproperlyConfigured(f"{model._meta.label}.{m2m_name} has no through model yet")
    return CopyTable(
        through,
        [
            _attname(through, m2m.m2m_field_name()),
            _attname(through, m2m.m2m_reverse_field_name()),
        ],
    )


def _attname(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model._meta.label}.{name} is not a column")
    return field.attname


class AuditChain:
    """Audit events chained after the log's head, as ``selec.core.audit.audit_record`` chains them
    (without its lock: nothing else writes to the bench database while it is generated)."""

    def __init__(self, table: CopyTable, rng: random.Random) -> None:
        self.table, self.rng = table, rng
        with connection.cursor() as cursor:
            self.ids = itertools.count(first_free_id(cursor, AuditEvent))
        # Sealed as selec.core.audit.audit_seal seals (nothing else writes while it generates).
        self.position, self.previous = chain_head()

    def append(
        self,
        *,
        at: dt.datetime,
        actor: Author | None,
        action: AuditAction,
        event: str,
        object_type: str,
        object_id: int,
        reason: str,
        details: dict[str, Any],
    ) -> None:
        address = (
            f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        )
        row = AuditEvent(
            id=next(self.ids),
            # In UTC, as the database gives it back to verify_audit: the chain hashes the
            # moment's ISO form, offset included.
            occurred_at=at.astimezone(dt.UTC),
            actor_id=actor.id if actor else None,
            actor_username=actor.username if actor else "system",
            actor_agency=actor.agency_name if actor else "",
            actor_party=actor.party_code if actor else "",
            action=action,
            event=event,
            object_type=object_type,
            object_id=str(object_id),
            reason=reason,
            details=details,
            request_id=f"{self.rng.getrandbits(128):032x}",
            ip_address=address,
        )
        row.content_mac = content_mac_of(row)
        (row,), (self.position, self.previous) = _chained(
            [row], after=(self.position, self.previous)
        )
        self.table.add_instance(row)


class Tables:
    def __init__(self, rng: random.Random) -> None:
        with connection.cursor() as cursor:
            self.exchange_ids = itertools.count(first_free_id(cursor, Exchange))
            self.entity_ids = itertools.count(first_free_id(cursor, Entity))
            self.hit_ids = itertools.count(first_free_id(cursor, Hit))
            self.case_ids = itertools.count(first_free_id(cursor, Case))
        self.cases = CopyTable(Case, CASE_FIELDS)
        self.case_parties = _through_table(Case, "participants")
        self.case_agencies = _through_table(Case, "agencies")
        self.case_analysts = _through_table(Case, "analysts")
        self.exchanges = CopyTable(Exchange, EXCHANGE_FIELDS)
        self.receipts = CopyTable(Recipient, RECEIPT_FIELDS)
        self.grants = CopyTable(ExchangeGroupObjectPermission, GRANT_FIELDS)
        self.entities = CopyTable(Entity, ENTITY_FIELDS)
        self.tokens = CopyTable(EntityToken, TOKEN_FIELDS)
        self.hits = CopyTable(Hit, HIT_FIELDS)
        # Every column of an event: it is written as the instance whose hash is chained.
        audit_events = CopyTable(AuditEvent, [f.attname for f in AuditEvent._meta.concrete_fields])
        self.notifications = CopyTable(Notification, NOTIFICATION_FIELDS)
        self.case_group_grants = CopyTable(CaseGroupObjectPermission, GRANT_FIELDS)
        self.case_user_grants = CopyTable(CaseUserObjectPermission, CASE_USER_GRANT_FIELDS)
        # In the order their foreign keys point: each table's rows refer to earlier ones.
        self.in_order = (
            self.cases,
            self.case_parties,
            self.case_agencies,
            self.case_analysts,
            self.exchanges,
            self.receipts,
            self.grants,
            self.entities,
            self.tokens,
            self.hits,
            audit_events,
            self.notifications,
            self.case_group_grants,
            self.case_user_grants,
        )
        self.audit = AuditChain(audit_events, rng)
        self.seal_subject = Sealer(Exchange, "subject")
        self.seal_body = Sealer(Exchange, "body")
        self.seal_restriction = Sealer(Exchange, "restriction_text")
        self.seal_attributes = Sealer(Entity, "attributes")
        self.seal_case_name = Sealer(Case, "name")
        self.seal_case_description = Sealer(Case, "description")
        self.seal_case_restriction = Sealer(Case, "restriction_text")
