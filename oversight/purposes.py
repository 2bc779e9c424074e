"""The purposes officers gave for the threads they consulted, for the consultation rows of an
access report.

An officer says why they open a thread the first time they do; it is kept per officer and
thread (``exchanges.models_purposes.ConsultationPurpose``, encrypted) and that first
consultation's event carries it as its justification (details ``{"purpose": "given"}``); later
consultations' events say ``{"purpose": "on record"}``. A report shows each consultation row
the purpose on record for its officer and thread, read for all its rows in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q
from django.db.models.functions import Coalesce

from exchanges.models import Exchange, ExchangeAuditEvent
from exchanges.models_purposes import ConsultationPurpose
from oversight.entities import EXCHANGE_OBJECT_TYPE
from oversight.rows import AuditRow, ThreadPurpose

# What the consultation event that carried the purpose says in its details.
PURPOSE_GIVEN = "given"


@dataclass(frozen=True)
class _Consultation:
    officer_id: int
    exchange_id: int


def _consultation(row: AuditRow) -> _Consultation | None:
    event = row.event
    if (
        event.event != ExchangeAuditEvent.CONSULTED
        or event.object_type != EXCHANGE_OBJECT_TYPE
        or event.actor_id is None
        or not (event.object_id.isascii() and event.object_id.isdigit())
    ):
        return None
    return _Consultation(officer_id=event.actor_id, exchange_id=int(event.object_id))


def _purposes(
    consultations: set[_Consultation],
) -> dict[_Consultation, tuple[str, dt.datetime]]:
    """The purpose of each (officer, exchange) pair that has one: one query, which finds each
    exchange's thread (``thread_root_id or id``) and the purposes of the officers for those
    threads, each with the exchanges of the page it is the thread of."""
    exchange_ids = {c.exchange_id for c in consultations}
    exchanges = Exchange.objects.filter(pk__in=exchange_ids)
    purposes = (
        ConsultationPurpose.objects.filter(
            officer_id__in={c.officer_id for c in consultations},
            thread_id__in=exchanges.values(thread=Coalesce("thread_root_id", "id")),
        )
        .annotate(
            members=ArraySubquery(
                exchanges.filter(
                    Q(pk=OuterRef("thread_id")) | Q(thread_root_id=OuterRef("thread_id"))
                ).values("pk")
            )
        )
        .only("uuid", "officer_id", "thread_id", "purpose", "given_at")
    )
    found: dict[_Consultation, tuple[str, dt.datetime]] = {}
    for purpose in purposes:
        for exchange_id in purpose.members:
            pair = _Consultation(officer_id=purpose.officer_id, exchange_id=exchange_id)
            if pair in consultations:
                found[pair] = (purpose.purpose, purpose.given_at)
    return found


def with_purposes(rows: list[AuditRow]) -> list[AuditRow]:
    """The rows, each consultation of an exchange with its officer's purpose for the thread
    (when there is one); no query when the rows hold no consultation."""
    consultations = {row.event.pk: c for row in rows if (c := _consultation(row)) is not None}
    if not consultations:
        return rows
    found = _purposes(set(consultations.values()))
    shown = []
    for row in rows:
        pair = consultations.get(row.event.pk)
        given = found.get(pair) if pair is not None else None
        if given is None:
            shown.append(row)
            continue
        text, given_at = given
        here = row.event.details.get("purpose") == PURPOSE_GIVEN
        shown.append(replace(row, purpose=ThreadPurpose(text, given_at, given_here=here)))
    return shown
