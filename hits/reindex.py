"""Recomputing the entities' blind-index tokens under the current scheme
(``hits.blind_index.current_scheme``): after a change of the normalisation or a new
``BLIND_INDEX_KEY``, the tokens made before are stale and matching ignores them; this brings
every entity back to one scheme, so that old and new entities match again.

Batch by batch, each in its own transaction with its audit event: an interrupted run keeps
what it finished and the next run carries on. An entity whose tokens changed is matched
again by the periodic sweep (``hits.matching.unmatched_entities_match``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from exchanges.models import Entity
from hits.blind_index import current_scheme, entity_tokens
from hits.models import EntityToken, HitAuditEvent
from selec.core.audit import audit_record
from selec.core.models import AuditAction

BATCH = 500


@dataclass(frozen=True)
class Reindexed:
    entities: int  # entities whose tokens were recomputed
    changed: int  # of those, entities whose tokens are not what they were


def entities_to_reindex(*, everything: bool = False) -> QuerySet[Entity]:
    """The entities holding a token of another scheme (every entity with ``everything``)."""
    entities = Entity.objects.all()
    if not everything:
        stale = EntityToken.objects.filter(entity=OuterRef("pk")).exclude(scheme=current_scheme())
        entities = entities.filter(Exists(stale))
    return entities.order_by("pk")


def entities_reindex(
    *, everything: bool = False, progress: Callable[[Reindexed], None] | None = None
) -> Reindexed:
    """Recompute the tokens of ``entities_to_reindex``; ``progress`` hears after each batch."""
    done = Reindexed(entities=0, changed=0)
    after = 0
    while True:
        ids = list(
            entities_to_reindex(everything=everything)
            .filter(pk__gt=after)
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return done
        changed = _reindex_batch(ids)
        done = Reindexed(entities=done.entities + len(ids), changed=done.changed + changed)
        after = ids[-1]
        if progress is not None:
            progress(done)


@transaction.atomic
def _reindex_batch(ids: list[int]) -> int:
    scheme = current_scheme()
    entities = list(Entity.objects.filter(pk__in=ids).select_for_update())
    before: dict[int, set[tuple[str, str]]] = {entity.pk: set() for entity in entities}
    for entity_id, kind, token in EntityToken.objects.filter(entity_id__in=ids).values_list(
        "entity_id", "kind", "token"
    ):
        before[entity_id].add((kind, token))
    now = {entity.pk: set(entity_tokens(entity.kind, entity.attributes)) for entity in entities}
    changed = [pk for pk in now if now[pk] != before[pk]]
    EntityToken.objects.filter(entity_id__in=ids).delete()
    EntityToken.objects.bulk_create(
        EntityToken(entity_id=pk, kind=kind, token=token, scheme=scheme)
        for pk, pairs in now.items()
        for kind, token in sorted(pairs)
    )
    # Matched again by the sweep: their tokens may now meet others'.
    Entity.objects.filter(pk__in=changed).update(matched_at=None)
    audit_record(
        actor=None,
        action=AuditAction.ALTERATION,
        event=HitAuditEvent.ENTITIES_REINDEXED,
        object_type="exchanges.entity",
        reason="blind-index tokens recomputed",
        details={"scheme": scheme, "entities": len(entities), "changed": len(changed)},
    )
    return len(changed)
