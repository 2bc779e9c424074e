"""What a party's status change sets off in the apps above partners.

A party's status decides what its agencies may see in other apps (an observer sees no personal
data). Each app whose object permissions depend on it registers a re-sync here, from its
``AppConfig.ready``; ``partners.services.party_status.party_change_status`` runs them all, in
the order the apps are installed, inside the change's transaction, so that the new status and the
permissions it implies are committed together. Partners knows no app above it: they come to it.
"""

from __future__ import annotations

from collections.abc import Callable

from partners.models import Party

PartyResync = Callable[[Party], None]

# By name: registering again (a second ``ready``) replaces, never runs a re-sync twice.
_RESYNCS: dict[str, PartyResync] = {}


def register_party_resync(name: str, resync: PartyResync) -> None:
    """Have ``resync(party)`` run after every change of a party's status."""
    _RESYNCS[name] = resync


def resync_after_status_change(party: Party) -> None:
    for resync in _RESYNCS.values():
        resync(party)
