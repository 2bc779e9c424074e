"""What an erasure would remove and what it keeps: the one plan that the dry run shows and the
erasure carries out (``records.services_erasure``), so that the two cannot differ.

``erasure_prepare`` reads the exchange's thread, picks the exchanges to erase
(``records.policy_erasure``), and hands the rows they own (entities, attachments, H3
confirmations) to Django's deletion ``Collector``: the collector finds, through the models'
relations, everything the deletion cascades to (blind-index tokens, hits, and whatever another
app derives from an entity tomorrow) without this module naming those apps. The plan lists
every row by model and primary key; the erasure deletes with that very collector.

A plan costs a constant number of queries, whatever the number of exchanges, entities or
tokens: one per kind of row, never one per row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import router
from django.db.models import Model, Q, QuerySet
from django.db.models.deletion import Collector, get_candidate_relations_to_delete
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from exchanges.models import (
    Attachment,
    DisseminationRequest,
    Entity,
    Exchange,
    Recipient,
    RestrictionConfirmation,
)
from exchanges.selectors import exchange_get_for_officer, officer_perms
from partners.models import Agency, Officer
from records import policy_erasure as policy
from records.models import InaccuracyFlag, RecordsAuditEvent
from selec.core.models import AuditEvent

# The rows an erased exchange owns and loses (the collector adds what they cascade to).
OWNED_ROWS: tuple[type[Model], ...] = (Entity, Attachment, RestrictionConfirmation)
# The rows that stay, their texts emptied (policy_erasure).
EMPTIED_ROWS: dict[type[Model], tuple[str, ...]] = {
    Exchange: policy.EXCHANGE_TEXTS,
    DisseminationRequest: policy.DISSEMINATION_TEXTS,
    InaccuracyFlag: policy.FLAG_TEXTS,
}
# What an erasure keeps, as the dry run and the documentation say it.
KEPT = (
    gettext_lazy(
        "the exchanges' rows and metadata: reference, kind, dates, sender, crime area, task "
        "force, case, priority, H1/H2 flags, evaluation codes, the personal-data flag"
    ),
    gettext_lazy(
        "the receipts: who received, read, acknowledged and answered each exchange, forwards "
        "included"
    ),
    gettext_lazy(
        "the dissemination requests and inaccuracy flags themselves (who asked, when, the "
        "decision), without their texts"
    ),
    gettext_lazy("the review decisions and the audit log, this erasure included"),
)
_NO_EXCHANGE = gettext_lazy("No exchange matches the given query.")


def kind_key(model: type[Model]) -> str:
    """A kind of row as the counts name it: ``entity_tokens`` for ``EntityToken``."""
    return slugify(str(model._meta.verbose_name_plural)).replace("-", "_")


@dataclass(frozen=True)
class AgencyRef:
    pk: int
    name: str
    party_id: int
    party_code: str


@dataclass(frozen=True)
class PlannedExchange:
    """One exchange the erasure empties, with what it owns and who holds a copy."""

    pk: int
    reference: str
    kind: str  # its label: "Reply"
    sent_at: dt.datetime
    provider: AgencyRef
    receipts: int  # kept
    entities: int
    attachments: int
    dissemination_requests: int
    inaccuracy_flags: int
    told: tuple[AgencyRef, ...]


@dataclass(frozen=True)
class RowKind:
    key: str  # "entity_tokens"
    label: str  # "hits.EntityToken"
    name: str  # "entity tokens"
    count: int


@dataclass(frozen=True)
class ErasurePlan:
    exchange_id: int
    reference: str
    erasing_agency_id: int
    exchanges: tuple[PlannedExchange, ...]  # the one asked for first, then its replies
    emptied: Mapping[str, frozenset[int]]  # model label -> primary keys
    deleted: Mapping[str, frozenset[int]]
    kinds: Mapping[str, RowKind]  # model label -> its kind, counted

    @property
    def references(self) -> list[str]:
        return [planned.reference for planned in self.exchanges]

    @property
    def receipts_kept(self) -> int:
        return sum(planned.receipts for planned in self.exchanges)

    @property
    def emptied_kinds(self) -> list[RowKind]:
        return [self.kinds[label] for label in self.emptied]

    @property
    def deleted_kinds(self) -> list[RowKind]:
        return [self.kinds[label] for label in self.deleted]

    def counts(self) -> dict[str, dict[str, int]]:
        """What the review decision and the audit event keep: counts only, never a value."""
        return {
            "emptied": {kind.key: kind.count for kind in self.emptied_kinds},
            "deleted": {kind.key: kind.count for kind in self.deleted_kinds},
        }

    def deleted_by_label(self) -> dict[str, int]:
        """The deleted rows per model, as ``Collector.delete`` reports them (none: left out)."""
        return {label: len(pks) for label, pks in self.deleted.items() if pks}

    @property
    def told(self) -> list[AgencyRef]:
        """Every agency the erasure notifies, once."""
        agencies = {agency.pk: agency for p in self.exchanges for agency in p.told}
        return sorted(agencies.values(), key=lambda a: (a.party_code, a.name))


@dataclass
class Erasure:
    """The plan and what carries it out: the rows to empty and the collector to delete with."""

    plan: ErasurePlan
    to_empty: dict[type[Model], list[Any]]  # model -> instances (pk and uuid loaded)
    collector: Collector


# --- Access ---------------------------------------------------------------------------------


def require_provider(officer: Officer, exchange: Exchange) -> None:
    """404 unless the officer may erase the exchange (policy rule 1): the same answer as for an
    exchange that does not exist, to recipients, NFPs, the DPO and admins alike."""
    if not policy.may_erase(officer_perms(officer, exchange)):
        raise Http404(_NO_EXCHANGE)


def exchange_for_provider(officer: Officer, *, reference: str) -> Exchange:
    exchange = exchange_get_for_officer(officer, reference=reference)
    require_provider(officer, exchange)
    return exchange


def erasure_record(reference: str) -> AuditEvent | None:
    """The audit event of the erasure that emptied this exchange (itself, or an exchange it
    answers): the record of the erasure, found on the log's index of details."""
    return (
        AuditEvent.objects.filter(
            event=RecordsAuditEvent.ERASED, details__contains={"erased": [reference]}
        )
        .order_by("-id")
        .first()
    )


# --- The plan -------------------------------------------------------------------------------


def erasure_plan(exchange: Exchange, *, erasing_agency_id: int) -> ErasurePlan:
    """The dry run: exactly what ``exchange_erase`` would remove now."""
    return erasure_prepare(exchange, erasing_agency_id=erasing_agency_id, lock=False).plan


def erasure_prepare(exchange: Exchange, *, erasing_agency_id: int, lock: bool) -> Erasure:
    """The plan and the means of carrying it out; ``lock``: the thread's exchanges and the
    entities are locked until the transaction ends (no hit or token can then be added to
    them), so that the rows deleted are the rows planned. Raises ``AlreadyErased``."""
    members = _thread_members(exchange, lock=lock)
    target = members[exchange.pk]
    policy.check_erasable(target.reference, target.erased_at)
    tree = policy.reply_tree(target.pk, {pk: m.in_reply_to_id for pk, m in members.items()})
    # A reply erased before (by its own provider) has nothing left; what answers it may have.
    erased = [members[pk] for pk in tree if members[pk].erased_at is None]
    ids = [e.pk for e in erased]

    owned = {model: _owned(model, ids, lock=lock) for model in OWNED_ROWS}
    to_empty: dict[type[Model], list[Any]] = {Exchange: erased}
    for model in EMPTIED_ROWS:
        if model is not Exchange:
            to_empty[model] = list(_of_exchanges(model, ids).only("pk", "uuid", "exchange_id"))
    collector = Collector(using=router.db_for_write(Exchange))
    for rows in owned.values():
        collector.collect(rows)
    if collector.field_updates:
        # A relation that sets null on deletion would change rows the plan does not list.
        raise ImproperlyConfigured(
            "A relation to an erased row sets null: the plan lists no update."
        )
    emptied = {
        model._meta.label: frozenset(row.pk for row in rows) for model, rows in to_empty.items()
    }
    deleted = _collected(collector)
    children = {**owned, **{m: rows for m, rows in to_empty.items() if m is not Exchange}}
    plan = ErasurePlan(
        exchange_id=target.pk,
        reference=target.reference,
        erasing_agency_id=erasing_agency_id,
        exchanges=_planned(erased, children, erasing_agency_id=erasing_agency_id),
        emptied=emptied,
        deleted=deleted,
        kinds=_kinds(emptied, deleted),
    )
    return Erasure(plan=plan, to_empty=to_empty, collector=collector)


def _planned(
    erased: list[Exchange], children: dict[type[Model], list[Any]], *, erasing_agency_id: int
) -> tuple[PlannedExchange, ...]:
    """Each erased exchange with its rows counted and the agencies to tell (two queries: the
    receipts and the agencies)."""
    held_by: dict[int, list[int]] = defaultdict(list)
    for exchange_id, agency_id in Recipient.objects.filter(
        exchange_id__in=[e.pk for e in erased]
    ).values_list("exchange_id", "agency_id"):
        held_by[exchange_id].append(agency_id)
    told = {
        e.pk: policy.told_of_erasure(
            recipient_agency_ids=held_by[e.pk],
            provider_agency_id=e.sender_agency_id,
            erasing_agency_id=erasing_agency_id,
        )
        for e in erased
    }
    agencies = _agencies({e.sender_agency_id for e in erased}.union(*told.values()))
    count = {model: Counter(row.exchange_id for row in rows) for model, rows in children.items()}
    return tuple(
        PlannedExchange(
            pk=e.pk,
            reference=e.reference,
            kind=e.get_kind_display(),
            sent_at=e.sent_at,
            provider=agencies[e.sender_agency_id],
            receipts=len(held_by[e.pk]),
            entities=count[Entity][e.pk],
            attachments=count[Attachment][e.pk],
            dissemination_requests=count[DisseminationRequest][e.pk],
            inaccuracy_flags=count[InaccuracyFlag][e.pk],
            told=tuple(sorted((agencies[a] for a in told[e.pk]), key=lambda a: a.name)),
        )
        for e in erased
    )


def _thread_members(exchange: Exchange, *, lock: bool) -> dict[int, Exchange]:
    """Every exchange of the exchange's thread (a thread is its first message and the replies
    that name it their root), with what the plan and the erasure read of them."""
    root_id = exchange.thread_root_id or exchange.pk
    members = (
        Exchange.objects.filter(Q(pk=root_id) | Q(thread_root_id=root_id))
        .only(
            "pk",
            "uuid",
            "reference",
            "kind",
            "sent_at",
            "in_reply_to_id",
            "sender_agency_id",
            "erased_at",
        )
        .order_by("pk")  # locks taken in one order by every erasure: no deadlock
    )
    if lock:
        members = members.select_for_update(of=("self",))
    return {member.pk: member for member in members}


def _of_exchanges(model: type[Model], ids: Sequence[int]) -> QuerySet[Any]:
    return model._default_manager.filter(exchange_id__in=ids).order_by("pk")


def _owned(model: type[Model], ids: Sequence[int], *, lock: bool) -> list[Any]:
    rows = _of_exchanges(model, ids).only("pk", "exchange_id")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return list(rows)


def _agencies(ids: set[int]) -> dict[int, AgencyRef]:
    return {
        pk: AgencyRef(pk=pk, name=name, party_id=party_id, party_code=code)
        for pk, name, party_id, code in Agency.objects.filter(pk__in=ids).values_list(
            "pk", "name", "party_id", "party__code"
        )
    }


def _collected(collector: Collector) -> dict[str, frozenset[int]]:
    """Every row the collector would delete, by model label: the rows it loaded, and those it
    would delete by a query of their own (each model's queries united: a hit whose two
    entities are both erased is one row)."""
    rows: dict[str, set[int]] = defaultdict(set)
    for model, instances in collector.data.items():
        rows[model._meta.label].update(instance.pk for instance in instances)
    by_model: dict[type[Model], list[QuerySet[Any]]] = defaultdict(list)
    for queryset in collector.fast_deletes:
        by_model[queryset.model].append(queryset)
    for model, querysets in by_model.items():
        rows[model._meta.label].update(reduce(or_, querysets).values_list("pk", flat=True))
    # The kinds an erasure may delete are listed even when there are none of them this time,
    # each owned kind followed by what it cascades to.
    listed = [model._meta.label for owned in OWNED_ROWS for model in (owned, *_derived_from(owned))]
    return {label: frozenset(rows[label]) for label in dict.fromkeys([*listed, *rows])}


def _derived_from(model: type[Model]) -> list[type[Model]]:
    """The models whose rows a deletion of ``model``'s rows cascades to (tokens, hits)."""
    return [
        related
        for relation in get_candidate_relations_to_delete(model._meta)
        if isinstance(related := relation.related_model, type)
    ]


def _kinds(*groups: Mapping[str, frozenset[int]]) -> dict[str, RowKind]:
    kinds = {}
    for group in groups:
        for label, pks in group.items():
            model = apps.get_model(label)
            kinds[label] = RowKind(
                key=kind_key(model),
                label=label,
                name=str(model._meta.verbose_name_plural),
                count=len(pks),
            )
    return kinds
