"""The actions the apps above exchanges offer on a message of a thread page.

The thread page (``exchanges.views.thread``) draws the actions exchanges knows (reply,
forward, change restrictions...) and, after them, those another app registers here from its
``AppConfig.ready``: the provider's correction and erasure, a recipient's inaccuracy flag
(``records``). Exchanges imports no app above it: each action says from plain facts whether
the officer is offered it (the target page decides again), and where it leads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from exchanges.policy import Perm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class MessageFacts:
    """What an action is decided from: no query."""

    perms: frozenset[Perm]
    officer_agency_id: int | None
    sender_agency_id: int
    erased: bool


@dataclass(frozen=True)
class MessageAction:
    # Lazy: translated in the language of the page that draws it.
    label: StrOrPromise
    # A route taking the exchange's ``reference``.
    url_name: str
    offered: Callable[[MessageFacts], bool]


@dataclass(frozen=True)
class OfferedAction:
    label: StrOrPromise
    url: str


# By name: registering again (a second ``ready``) replaces, never draws an action twice.
_ACTIONS: dict[str, MessageAction] = {}


def register_message_action(name: str, action: MessageAction) -> None:
    _ACTIONS[name] = action


def offered_actions(facts: MessageFacts, reference: str) -> list[OfferedAction]:
    """The registered actions the officer is offered on one message, in registration order."""
    return [
        OfferedAction(
            label=action.label, url=reverse(action.url_name, kwargs={"reference": reference})
        )
        for action in _ACTIONS.values()
        if action.offered(facts)
    ]
