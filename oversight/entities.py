"""An entity for the log: the blind-index tokens of what the DPO typed, and the exchanges whose
entities carry them now.

What the DPO types (a name and a date of birth, a document number, a plate...) is turned into
the tokens hit/no-hit matching uses (``hits.blind_index.entity_tokens``: the same normalisation,
so a name written in Cyrillic and in Latin letters gives the same tokens) and then forgotten:
pages and the API carry the tokens only (``person:<64 hex>``, comma-separated), which name
nobody without the blind-index key, and the audit log records neither the identifier nor the
tokens, only their kinds and the exchanges found.

The exchanges are found through the (kind, token) index of ``hits.models.EntityToken``. An
entity erased or corrected since no longer carries its old tokens: the exchanges that held it
are then found by their references only (see docs/oversight.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q
from django.utils.translation import gettext_lazy as _

from exchanges.models import Exchange
from hits.blind_index import TokenKind, current_scheme, entity_tokens
from hits.models import HIT_OBJECT_TYPE, EntityToken, Hit
from hits.selectors import matched_labels

TokenPair = tuple[str, str]

# Between the tokens of an entity, and between a token's kind and its value.
ENTITY_SEPARATOR = ","
KIND_SEPARATOR = ":"
# An entity typed on the page gives a few tokens; the API's may carry a name, 20 aliases and
# 10 documents.
MAX_TOKENS = 40
MAX_TOKENS_TEXT = MAX_TOKENS * (24 + len(KIND_SEPARATOR) + 64 + len(ENTITY_SEPARATOR))
# The exchanges an entity narrows the log to at most (the report says when it holds more).
ENTITY_EXCHANGE_LIMIT = 200
# The entities read at most to find them (an exchange may carry several of one person).
ENTITY_ROW_LIMIT = 1000

_TOKEN = re.compile(r"[0-9a-f]{64}")
_KINDS = frozenset(kind.value for kind in TokenKind)
EXCHANGE_OBJECT_TYPE = Exchange._meta.label_lower

NOT_TOKENS = _(
    "The entity was not understood: type its identifiers again on the entity page (or ask "
    "POST /api/v1/audit/entity-tokens/ for its tokens)."
)
NO_IDENTIFIER = _("Give at least one identifying attribute: a name, a number, a plate...")


class EntityTokensError(ValueError):
    pass


def typed_entity(kind: str, attributes: Mapping[str, Any]) -> tuple[TokenPair, ...]:
    """The tokens of what was typed, as a hit search reads them: a name with a date of birth is
    looked up with it (the person), a name alone by the name (weaker: see ``by_name_alone``).
    EntityTokensError when nothing identifying was given, or what was given is not of the
    entity's kind."""
    try:
        pairs = entity_tokens(kind, attributes)
    except (TypeError, ValueError) as exc:
        raise EntityTokensError(str(exc)) from None
    if any(token_kind == TokenKind.PERSON for token_kind, _value in pairs):
        pairs = [pair for pair in pairs if pair[0] != TokenKind.PERSON_NAME]
    if not pairs:
        raise EntityTokensError(str(NO_IDENTIFIER))
    if len(pairs) > MAX_TOKENS:
        raise EntityTokensError(
            _("At most %(max_tokens)d identifiers at once.") % {"max_tokens": MAX_TOKENS}
        )
    return tuple(pairs)


def by_name_alone(pairs: tuple[TokenPair, ...]) -> bool:
    """Whether a name is looked up without a date of birth (``typed_entity`` keeps a name's
    own token only then): different people of the same name are found too."""
    return any(kind == TokenKind.PERSON_NAME for kind, _token in pairs)


def tokens_text(pairs: tuple[TokenPair, ...]) -> str:
    """``person:<hex>,document_number:<hex>``: what a link or the API carries."""
    return ENTITY_SEPARATOR.join(f"{kind}{KIND_SEPARATOR}{token}" for kind, token in pairs)


def tokens_parse(text: str) -> tuple[TokenPair, ...]:
    """The tokens a link or a query carries, sorted and once each; EntityTokensError when it is
    not a list of them."""
    items = [item.strip() for item in text.split(ENTITY_SEPARATOR) if item.strip()]
    if not items or len(items) > MAX_TOKENS:
        raise EntityTokensError(str(NOT_TOKENS))
    pairs = set()
    for item in items:
        kind, _sep, token = item.partition(KIND_SEPARATOR)
        if kind not in _KINDS or not _TOKEN.fullmatch(token):
            raise EntityTokensError(str(NOT_TOKENS))
        pairs.add((kind, token))
    return tuple(sorted(pairs))


def token_kinds(pairs: tuple[TokenPair, ...]) -> list[str]:
    return sorted({kind for kind, _token in pairs})


@dataclass(frozen=True)
class HeldIn:
    """An exchange whose entities carry the tokens: its id and reference, never its content."""

    pk: int
    reference: str


@dataclass(frozen=True)
class EntityHolders:
    tokens: tuple[TokenPair, ...]
    exchanges: tuple[HeldIn, ...]
    # The hits on its entities in those exchanges.
    hit_ids: tuple[int, ...]
    # More exchanges hold it than ENTITY_EXCHANGE_LIMIT (or their entities are more than
    # ENTITY_ROW_LIMIT): the first ones, by id, are used.
    truncated: bool

    @property
    def kinds(self) -> list[str]:
        return token_kinds(self.tokens)

    @property
    def labels(self) -> list[str]:
        return matched_labels(self.kinds)

    @property
    def weaker(self) -> bool:
        return by_name_alone(self.tokens)

    @property
    def references(self) -> list[str]:
        return [held.reference for held in self.exchanges]


def entity_holders(tokens: tuple[TokenPair, ...]) -> EntityHolders:
    """The exchanges whose entities carry any of the tokens, oldest first, and the hits on
    those entities (one query, on the (kind, token) index)."""
    wanted = reduce(or_, (Q(kind=kind, token=token) for kind, token in tokens))
    hits = Hit.objects.filter(
        Q(entity_a_id=OuterRef("entity_id")) | Q(entity_b_id=OuterRef("entity_id"))
    ).values("pk")
    rows = list(
        EntityToken.objects.filter(wanted, scheme=current_scheme())
        .annotate(hits=ArraySubquery(hits))
        .order_by("entity__exchange_id", "entity_id")
        .values_list("entity__exchange_id", "entity__exchange__reference", "entity_id", "hits")
        .distinct()[: ENTITY_ROW_LIMIT + 1]
    )
    truncated = len(rows) > ENTITY_ROW_LIMIT
    exchanges: dict[int, str] = {}
    hit_ids: set[int] = set()
    for exchange_id, reference, _entity_id, entity_hits in rows[:ENTITY_ROW_LIMIT]:
        if exchange_id not in exchanges and len(exchanges) == ENTITY_EXCHANGE_LIMIT:
            truncated = True
            break
        exchanges[exchange_id] = reference
        hit_ids.update(entity_hits)
    return EntityHolders(
        tokens=tokens,
        exchanges=tuple(HeldIn(pk, reference) for pk, reference in exchanges.items()),
        hit_ids=tuple(sorted(hit_ids)),
        truncated=truncated,
    )


def reference_named(reference: str) -> Q:
    """The events whose details name the reference: an attachment's download, a dissemination
    request, a hit between it and another, a refused attempt on one of its addresses (found
    through the GIN index on the details, by containment)."""
    return (
        Q(details__contains={"reference": reference})
        | Q(details__contains={"references": [reference]})
        | Q(details__contains={"arguments": {"reference": reference}})
    )


def naming_entity(holders: EntityHolders) -> Q | None:
    """The events about the exchanges holding the entity (as their access reports find them)
    and about the hits on its entities; None when no exchange holds it. Every part is an index
    condition on literal values ((object_type, object_id), the GIN index of the details), so
    the planner may OR the index scans rather than walk the log."""
    if not holders.exchanges:
        return None
    naming = Q(
        object_type=EXCHANGE_OBJECT_TYPE,
        object_id__in=[str(held.pk) for held in holders.exchanges],
    )
    if holders.hit_ids:
        naming |= Q(object_type=HIT_OBJECT_TYPE, object_id__in=[str(pk) for pk in holders.hit_ids])
    return reduce(or_, (reference_named(ref) for ref in holders.references), naming)
