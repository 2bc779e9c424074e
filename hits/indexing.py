"""Indexing the entities of a new exchange for hit/no-hit matching.

Registered with ``exchanges.entity_listeners`` (``hits.apps``): the send service calls it in its
transaction, so the blind-index tokens are committed with the exchange and a search made right
after the send already finds it. The matching itself runs after the commit, in the background
(``hits.tasks.match_new_entities``, which matches every entity not matched yet, so one run
serves the sends of a moment); a lost task is caught by the periodic sweep, which does the
same for entities older than a minute.
"""

from __future__ import annotations

from collections.abc import Sequence

from exchanges.models import Entity
from hits.blind_index import current_scheme, entity_tokens
from hits.models import EntityToken
from hits.tasks import match_new_entities


def entities_index(entities: Sequence[Entity]) -> None:
    scheme = current_scheme()
    EntityToken.objects.bulk_create(
        [
            EntityToken(entity=entity, kind=kind, token=token, scheme=scheme)
            for entity in entities
            for kind, token in entity_tokens(entity.kind, entity.attributes)
        ]
    )
    if entities:
        match_new_entities.delay_once_on_commit()
