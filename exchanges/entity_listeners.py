"""What storing an exchange's entities sets off in the apps above exchanges.

An exchange carries entities (persons, vehicles, documents...); hit/no-hit matching, an app
above exchanges, indexes them. Exchanges knows no app above it: each registers a listener here
from its ``AppConfig.ready``, and the send service calls them all with the entities it has just
stored, inside the send's transaction, so that an exchange and what is derived from its entities
are committed together (or not at all). A listener that has work for after the commit queues it
with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exchanges.models import Entity

EntitiesListener = Callable[[Sequence["Entity"]], None]

# By name: registering again (a second ``ready``) replaces, never runs a listener twice.
_LISTENERS: dict[str, EntitiesListener] = {}


def register_entities_listener(name: str, listener: EntitiesListener) -> None:
    """Have ``listener(entities)`` run after every exchange whose entities are stored."""
    _LISTENERS[name] = listener


def entities_stored(entities: Sequence[Entity]) -> None:
    """Called by the send service, in its transaction, once the entities have primary keys."""
    if entities:
        for listener in _LISTENERS.values():
            listener(entities)
