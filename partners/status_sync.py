"""What a party's status change sets off in the apps above partners, and what it would.

A party's status decides what its agencies may see in other apps (an observer sees no personal
data). Each app whose object permissions depend on it registers a re-sync here, from its
``AppConfig.ready``. A re-sync is one function with two uses: given the party and a status, it
computes the grants the app's policy decides for every object the party's agencies touch, as if
the party had that status, and diffs them against the stored permissions; with ``write=False``
it only counts what the party's agencies and NFP would gain and lose (the preview), with
``write=True`` it also stores the grants (the change). The preview is therefore the very diff
the change applies. ``partners.services.party_status`` runs them all, in the order the apps are
installed, inside the change's transaction. Partners knows no app above it: they come to it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from partners.models import Agency, Party
from selec.core.policy_values import AgencyFacts


@dataclass(frozen=True)
class AccessImpact:
    """One app's objects whose access by the party's agencies (or its NFP) the change turns on
    or off: any permission at all before and none after is a loss, and the other way a gain.
    ``open_left`` names the open objects lost (cases the party leaves)."""

    app: str
    gained: int = 0
    gained_personal: int = 0
    lost: int = 0
    lost_personal: int = 0
    open_left: tuple[str, ...] = ()

    def as_details(self) -> dict[str, Any]:
        return {
            "gained": self.gained,
            "gained_personal": self.gained_personal,
            "lost": self.lost,
            "lost_personal": self.lost_personal,
            "open_left": list(self.open_left),
        }


@dataclass
class AccessTally:
    """Counts, object by object, an app's change of access for the party's groups."""

    app: str
    holders: frozenset[int]
    gained: int = 0
    gained_personal: int = 0
    lost: int = 0
    lost_personal: int = 0
    open_left: list[str] = field(default_factory=list)

    def record(
        self,
        *,
        before: Collection[int],
        after: Collection[int],
        personal: bool,
        open_reference: str = "",
    ) -> None:
        """``before`` and ``after``: the holders (group ids) of any permission on one object
        as stored and as the policy decides; ``open_reference`` when the object is open."""
        had = any(h in self.holders for h in before)
        has = any(h in self.holders for h in after)
        if has and not had:
            self.gained += 1
            self.gained_personal += personal
        elif had and not has:
            self.lost += 1
            self.lost_personal += personal
            if open_reference:
                self.open_left.append(open_reference)

    def impact(self) -> AccessImpact:
        return AccessImpact(
            app=self.app,
            gained=self.gained,
            gained_personal=self.gained_personal,
            lost=self.lost,
            lost_personal=self.lost_personal,
            open_left=tuple(sorted(self.open_left)),
        )


class PartyResync(Protocol):
    def __call__(self, party: Party, status: str, *, write: bool) -> AccessImpact: ...


# By name: registering again (a second ``ready``) replaces, never runs a re-sync twice.
_RESYNCS: dict[str, PartyResync] = {}


def register_party_resync(name: str, resync: PartyResync) -> None:
    """Have ``resync(party, status, write=True)`` run after every change of a party's status,
    and ``write=False`` for every preview of one."""
    _RESYNCS[name] = resync


def resync_after_status_change(party: Party, status: str, *, write: bool) -> list[AccessImpact]:
    """Every app's impact of the party taking ``status``; stored when ``write``."""
    return [resync(party, status, write=write) for resync in _RESYNCS.values()]


def party_holders(party: Party) -> frozenset[int]:
    """The groups through which the party's officers hold objects: each agency's, and its NFP's
    (one query, on the agencies' party index)."""
    groups = set(Agency.objects.filter(party=party).order_by().values_list("group_id", flat=True))
    if party.nfp_group_id:
        groups.add(party.nfp_group_id)
    return frozenset(groups)


def restated(agency: AgencyFacts, party_id: int, status: str) -> AgencyFacts:
    """The agency as the policy sees it once its party has ``status`` (unchanged if another
    party's): how a preview asks the policy without writing the status first."""
    if agency.party_id != party_id:
        return agency
    return dataclasses.replace(agency, party_status=status)


def holders_by_object(rows: Iterable[tuple[int, int]]) -> defaultdict[int, set[int]]:
    """(object id, holder id) rows as each object's holders."""
    holders: defaultdict[int, set[int]] = defaultdict(set)
    for object_id, holder_id in rows:
        holders[object_id].add(holder_id)
    return holders
