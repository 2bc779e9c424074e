"""Hit/no-hit matching: which providers hold the same person, vehicle, document, phone, company
or account, told to them without either side's content (the Prüm model).

After an exchange with entities commits, ``hits.tasks.match_new_entities`` calls
:func:`exchange_match` for it (and for every other exchange committed meanwhile whose entities
are not matched yet, one run for many under load): each identifying blind-index token of its
entities is looked up among
the tokens other providers hold, in one query on the (kind, token) index. Two entities sharing
a token make one :class:`~exchanges.models.Hit` (the pair stored lower id first under a unique
constraint, so two exchanges committed at the same time, each task seeing the other, still
make one), audited as a combination and announced to both providers and their NFPs.

Not a hit: a name alone (two people of one name are not one person until the date of birth
says so), two entities of one thread (a reply about the person its request named) or of one
sender agency, and anything a party that may not hold personal data provided.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial, reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from exchanges import entity_schema as schema
from exchanges.models import Entity, EntityKind, Exchange
from hits import policy
from hits.blind_index import TokenKind, current_scheme, entity_tokens
from hits.models import (
    HIT_OBJECT_TYPE,
    HIT_SEARCH_OBJECT_TYPE,
    EntityToken,
    Hit,
    HitAuditEvent,
    HitNotificationKind,
)
from hits.selectors import (
    MASKED_SIDE,
    MATCHABLE_STATUSES,
    HitSide,
    analysts,
    matched_labels,
)
from partners.models import Officer
from partners.selectors import officers_concerned
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.notifications import notify_officers

logger = logging.getLogger(__name__)

# Token kinds that never make a hit on their own.
NEVER_ALONE = frozenset({TokenKind.PERSON_NAME})
# How long an entity may wait for its after-commit task before the sweep matches it.
SWEEP_AFTER = dt.timedelta(minutes=1)
SWEEP_BATCH = 200

_TokenPair = tuple[str, str]


def _held_by_others(pairs: Iterable[_TokenPair], agency_id: int | None) -> QuerySet[EntityToken]:
    """The tokens equal to ``pairs`` that providers other than the agency hold (only those of
    parties that may hold personal data count): an index probe per token."""
    wanted = reduce(or_, (Q(kind=kind, token=token) for kind, token in pairs))
    return (
        EntityToken.objects.filter(wanted, scheme=current_scheme())
        .filter(entity__exchange__sender_agency__party__status__in=MATCHABLE_STATUSES)
        .exclude(entity__exchange__sender_agency_id=agency_id)
    )


def held_elsewhere(
    exchange: Exchange, pairs: Iterable[_TokenPair]
) -> QuerySet[EntityToken, tuple[int, int, int, str, str]]:
    """The tokens equal to ``pairs`` that other providers hold, outside the exchange's thread,
    as (entity, its exchange, that exchange's sender, token kind, token). One query."""
    thread = exchange.thread_root_id or exchange.pk
    return (
        _held_by_others(pairs, exchange.sender_agency_id)
        .annotate(thread=Coalesce("entity__exchange__thread_root_id", "entity__exchange_id"))
        .exclude(thread=thread)
        .values_list(
            "entity_id",
            "entity__exchange_id",
            "entity__exchange__sender_agency_id",
            "kind",
            "token",
        )
    )


@transaction.atomic
def exchange_match(*, exchange_id: int) -> int:
    """Match the entities of one exchange with what other providers hold; return the number of
    new hits. Idempotent: a pair already found is neither stored nor announced again."""
    exchange = (
        Exchange.objects.select_related("sender_agency__party")
        .defer("subject", "body")
        .filter(pk=exchange_id)
        .first()
    )
    if exchange is None:
        return 0
    mine: dict[_TokenPair, list[int]] = defaultdict(list)
    if policy.may_be_matched(exchange.sender_agency.party.status):
        for entity_id, kind, token in (
            EntityToken.objects.filter(entity__exchange_id=exchange.pk, scheme=current_scheme())
            .exclude(kind__in=NEVER_ALONE)
            .values_list("entity_id", "kind", "token")
        ):
            mine[(kind, token)].append(entity_id)
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    # The exchange of each entity of theirs, and its sender; every entity of mine is of this
    # exchange.
    their_exchanges: dict[int, tuple[int, int]] = {}
    if mine:
        for their_entity, their_exchange, their_agency, kind, token in held_elsewhere(
            exchange, mine
        ):
            their_exchanges[their_entity] = (their_exchange, their_agency)
            for my_entity in mine[(kind, token)]:
                found[(min(my_entity, their_entity), max(my_entity, their_entity))].add(kind)
    # Pairs in one order for every task: two tasks inserting the same pairs wait for each other
    # in the same order, so they never deadlock; the unique pair makes the later one find it.
    created = []
    now = timezone.now()
    ours = (exchange.pk, exchange.sender_agency_id)
    for (a, b), kinds in sorted(found.items()):
        (exchange_a, agency_a), (exchange_b, agency_b) = (
            their_exchanges.get(a, ours),
            their_exchanges.get(b, ours),
        )
        hit, new = Hit.objects.get_or_create(
            entity_a_id=a,
            entity_b_id=b,
            defaults={
                "exchange_a_id": exchange_a,
                "exchange_b_id": exchange_b,
                "agency_a_id": agency_a,
                "agency_b_id": agency_b,
                "token_kinds": sorted(kinds),
                "created_at": now,
            },
        )
        if new:
            created.append(hit)
    _announce(created)
    Entity.objects.filter(exchange_id=exchange.pk, matched_at__isnull=True).update(matched_at=now)
    return len(created)


def unmatched_entities_match(
    *, now: dt.datetime | None = None, settled: dt.timedelta = SWEEP_AFTER
) -> int:
    """Match every exchange whose entities are not matched yet and that was sent ``settled``
    before ``now``, in the order of their ids, batch by batch. Returns the new hits.

    Periodic (``SWEEP_AFTER``): what no run after the commits matched (the broker was down, a
    worker died). After the commits (``settled`` zero): whatever they committed."""
    # Not settled at all: every one, whatever the clocks of the sending and matching nodes say.
    sent_before = (now or timezone.now()) - settled if settled else None
    made, after_id = 0, 0
    while exchange_ids := _unmatched_exchange_ids(sent_before=sent_before, after_id=after_id):
        for exchange_id in exchange_ids:
            # One transaction per exchange: one that fails is logged and tried again by the
            # next sweep, and does not hold the others back.
            try:
                made += exchange_match(exchange_id=exchange_id)
            except Exception:
                logger.exception("Matching the entities of exchange #%s failed.", exchange_id)
        if len(exchange_ids) < SWEEP_BATCH:
            break
        after_id = exchange_ids[-1]
    return made


def _unmatched_exchange_ids(*, sent_before: dt.datetime | None, after_id: int) -> list[int]:
    """The next exchanges after ``after_id`` with an entity not matched yet (the partial index
    of those entities), sent before ``sent_before`` if given."""
    unmatched = Entity.objects.filter(matched_at__isnull=True, exchange_id__gt=after_id)
    if sent_before is not None:
        unmatched = unmatched.filter(exchange__sent_at__lt=sent_before)
    return list(
        unmatched.order_by("exchange_id")
        .values_list("exchange_id", flat=True)
        .distinct()[:SWEEP_BATCH]
    )


# --- Announcing a hit -----------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    # The month in the active language (English: "05 Jan 2026").
    return date_format(timezone.localtime(moment), "d M Y")


def hit_notice_title(
    *, mine: HitSide, other: HitSide, token_kinds: list[str], at: dt.datetime
) -> str:
    """What one provider's officers and NFP are told: references, providers, the kind of entity,
    handling codes and the date; the other side as "a provider" while it is under H2."""
    values = {
        "matched": ", ".join(matched_labels(token_kinds)),
        "date": _when(at),
        "reference": mine.reference,
        "codes": " ".join(mine.handling_codes),
    }
    if not policy.hit_shows_other_side(
        other_under_h2=other.under_h2, viewer_holds_it=False, analyst=False
    ):
        # Translators: %(matched)s lists what matched ("Phone, Company"); %(reference)s is an
        # exchange's reference, %(codes)s its handling codes ("H0 H2"); %(notice)s a sentence.
        return _("Hit on %(matched)s, %(date)s: your %(reference)s [%(codes)s]. %(notice)s") % {
            **values,
            "notice": MASKED_SIDE,
        }
    # Translators: %(matched)s lists what matched ("Phone, Company"); %(reference)s and
    # %(other_reference)s are exchanges' references, %(codes)s and %(other_codes)s their
    # handling codes ("H0 H2"); %(provider)s the other provider agency (or its party's code).
    full = _(
        "Hit on %(matched)s, %(date)s: your %(reference)s [%(codes)s] matches "
        "%(other_reference)s [%(other_codes)s] of %(provider)s"
    )
    values |= {
        "other_reference": other.reference,
        "other_codes": " ".join(other.handling_codes),
        "provider": other.provider,
    }
    title = full % values
    if len(title) > 200:  # a long agency name: the party's code still names the provider
        title = full % {**values, "provider": other.party_code}
    return title


def analyst_hit_notice_title(
    *, a: HitSide, b: HitSide, token_kinds: list[str], at: dt.datetime
) -> str:
    """What the analysts are told of a hit under H2: both sides, which they may see, and that
    officers were sent to them."""
    values = {
        "matched": ", ".join(matched_labels(token_kinds)),
        "date": _when(at),
        "reference": a.reference,
        "codes": " ".join(a.handling_codes),
        "other_reference": b.reference,
        "other_codes": " ".join(b.handling_codes),
    }
    # Translators: %(matched)s lists what matched ("Phone, Company"); %(reference)s and
    # %(other_reference)s are exchanges' references, %(codes)s and %(other_codes)s their
    # handling codes ("H0 H2"); %(provider)s and %(other_provider)s their provider agencies
    # (or their parties' codes). The officers of a side were told to contact the analyst.
    full = _(
        "Hit under H2 on %(matched)s, %(date)s: %(reference)s [%(codes)s] of %(provider)s "
        "matches %(other_reference)s [%(other_codes)s] of %(other_provider)s; officers were "
        "told to contact you."
    )
    title = full % {**values, "provider": a.provider, "other_provider": b.provider}
    if len(title) > 200:  # long agency names: the parties' codes still name the providers
        title = full % {**values, "provider": a.party_code, "other_provider": b.party_code}
    return title


def _announce(hits: list[Hit]) -> None:
    """For each new hit: one audit event (combination, by the system: no officer asked for it)
    and a notice to each provider's agency and NFP, from that provider's point of view; when a
    side is under H2, one to the analysts too, whom that side's notice sends the other to."""
    if not hits:
        return
    exchanges = {
        e.pk: e
        for e in Exchange.objects.select_related("sender_agency__party")
        .defer("subject", "body")
        .filter(pk__in={x for hit in hits for x in (hit.exchange_a_id, hit.exchange_b_id)})
    }
    for hit in hits:
        a, b = HitSide.of(exchanges[hit.exchange_a_id]), HitSide.of(exchanges[hit.exchange_b_id])
        audit_record(
            actor=None,
            action=AuditAction.COMBINATION,
            event=HitAuditEvent.FOUND,
            object_type=HIT_OBJECT_TYPE,
            object_id=str(hit.pk),
            reason="hit between two providers' entities",
            details={
                "references": [a.reference, b.reference],
                "providers": [a.provider, b.provider],
                "token_kinds": hit.token_kinds,
            },
        )
        for mine, other in ((a, b), (b, a)):
            notify_officers(
                officers=officers_concerned(
                    agency_ids=[mine.agency_id], nfp_party_ids=[mine.party_id]
                ),
                kind=HitNotificationKind.HIT,
                # Composed once per recipient language.
                title=partial(
                    hit_notice_title,
                    mine=mine,
                    other=other,
                    token_kinds=hit.token_kinds,
                    at=hit.created_at,
                ),
                link=f"/hits/{hit.pk}/",
                object_type=HIT_OBJECT_TYPE,
                object_id=str(hit.pk),
                dedupe_key=f"hit:{hit.pk}:{mine.reference}",
            )
        if policy.analyst_is_asked_to_act(a_under_h2=a.under_h2, b_under_h2=b.under_h2):
            notify_officers(
                officers=analysts(),
                kind=HitNotificationKind.HIT,
                # Composed once per recipient language.
                title=partial(
                    analyst_hit_notice_title,
                    a=a,
                    b=b,
                    token_kinds=hit.token_kinds,
                    at=hit.created_at,
                ),
                link=f"/hits/{hit.pk}/",
                object_type=HIT_OBJECT_TYPE,
                object_id=str(hit.pk),
                dedupe_key=f"hit:{hit.pk}:analyst",
            )


# --- Searching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchAnswer:
    """Whether anyone else holds what was typed for one attribute: nothing about who."""

    attribute: str
    hit: bool
    # Searched by a name without a date of birth: people of the same name match too.
    weaker: bool = False


# The attributes asked about, per kind of entity: (label, the attribute keys it reads), by the
# names the entity schema declares. The labels are translated in the answers; the audit log
# keeps them in English.
_SEARCHED: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    EntityKind.PERSON: [
        (gettext_noop("Name"), (schema.PERSON_NAMES.name, schema.PERSON_DATE_OF_BIRTH.name)),
        (gettext_noop("Aliases"), (schema.PERSON_ALIASES.name, schema.PERSON_DATE_OF_BIRTH.name)),
        (gettext_noop("Identity document"), (schema.PERSON_DOCUMENTS.name,)),
    ],
    EntityKind.VEHICLE: [
        (gettext_noop("Registration plate"), (schema.VEHICLE_PLATE.name,)),
        (gettext_noop("VIN"), (schema.VEHICLE_VIN.name,)),
    ],
    EntityKind.DOCUMENT: [
        (
            gettext_noop("Document number"),
            (schema.DOCUMENT_NUMBER.name, schema.DOCUMENT_ISSUING_COUNTRY.name),
        )
    ],
    EntityKind.PHONE: [(gettext_noop("Phone number"), (schema.PHONE_NUMBER.name,))],
    EntityKind.COMPANY: [
        (gettext_noop("Company name"), (schema.COMPANY_NAME.name, schema.COMPANY_COUNTRY.name))
    ],
    EntityKind.BANK_ACCOUNT: [
        (gettext_noop("IBAN"), (schema.BANK_ACCOUNT_IBAN.name,)),
        (gettext_noop("Account number"), (schema.BANK_ACCOUNT_NUMBER.name,)),
    ],
}


def may_search(officer: Officer) -> bool:
    """Whether the officer may run a hit/no-hit search (decided in exchanges.policy)."""
    agency = officer.agency
    party_status = agency.party.status if agency is not None else None
    return officer.is_active and policy.may_search_hits(
        role=officer.role, party_status=party_status
    )


def _searched_tokens(
    kind: str, attributes: Mapping[str, Any]
) -> list[tuple[str, list[_TokenPair], bool]]:
    """(label, tokens, weaker) per identifying attribute given. With a date of birth a name is
    looked up with it; without one, by the name alone, which is weaker."""
    asked = []
    for label, keys in _SEARCHED[EntityKind(kind)]:
        given = {key: attributes[key] for key in keys if attributes.get(key)}
        if not given or set(given) == {"date_of_birth"}:
            continue
        tokens = entity_tokens(kind, given)
        with_birth = any(k == TokenKind.PERSON for k, _ in tokens)
        weaker = any(k == TokenKind.PERSON_NAME for k, _ in tokens) and not with_birth
        if with_birth:
            tokens = [(k, t) for k, t in tokens if k != TokenKind.PERSON_NAME]
        if tokens:
            asked.append((label, tokens, weaker))
    return asked


@transaction.atomic
def hit_search(
    *, officer: Officer, justification: str, kind: EntityKind | str, attributes: Mapping[str, Any]
) -> list[SearchAnswer]:
    """Hit or no hit, per identifying attribute, for what the officer typed: whether another
    provider (not the officer's own agency) holds it. Audited as a combination with the
    justification (encrypted, see ``selec.core.audit``) and the number of hits; never the typed
    values."""
    if not may_search(officer):
        raise PermissionDenied(
            _("Only officers of a party that may hold personal data search for hits.")
        )
    if not justification.strip():
        raise ValidationError({"justification": [_("Say why you search.")]})
    try:
        asked = _searched_tokens(kind, attributes)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"attributes": [str(exc)]}) from exc
    if not asked:
        raise ValidationError(
            {"attributes": [_("Give at least one identifying attribute to search for.")]}
        )
    held = set(
        _held_by_others((pair for _, tokens, _ in asked for pair in tokens), officer.agency_id)
        .values_list("kind", "token")
        .distinct()
    )
    answers = [
        SearchAnswer(attribute=_(label), hit=any(t in held for t in tokens), weaker=weaker)
        for label, tokens, weaker in asked
    ]
    audit_record(
        actor=officer,
        action=AuditAction.COMBINATION,
        event=HitAuditEvent.SEARCHED,
        object_type=HIT_SEARCH_OBJECT_TYPE,
        reason="hit search",
        details={
            "entity_kind": str(EntityKind(kind)),
            "attributes": [label for label, _tokens, _weaker in asked],
            "hits": sum(a.hit for a in answers),
        },
        # Why the officer searches may name the person searched for: stored encrypted.
        justification=justification,
    )
    return answers
