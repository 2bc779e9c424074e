"""What an officer's offboarding sets off in the apps above partners.

An offboarded officer leaves the task forces and cases they sat in; those memberships are kept
by apps partners does not know. Each such app registers a function here, from its
``AppConfig.ready``; ``partners.services.offboarding`` runs them all, in the order the apps are
installed, inside the offboarding's transaction, and records what each removed in the
offboarding's audit event. Partners knows no app above it: they come to it (as
``partners.status_sync``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Takes the ids of the officers offboarded; returns what it removed, by name ("task force
# memberships": 2), for the audit event.
MembershipsRemove = Callable[[Sequence[int]], dict[str, int]]

# By name: registering again (a second ``ready``) replaces, never runs a removal twice.
_REMOVALS: dict[str, MembershipsRemove] = {}


def register_offboarding(name: str, remove: MembershipsRemove) -> None:
    """Have ``remove(officer_ids)`` run whenever officers are offboarded."""
    _REMOVALS[name] = remove


def memberships_remove(officer_ids: Sequence[int]) -> dict[str, int]:
    """Run every registered removal; the counts of all, by name."""
    removed: dict[str, int] = {}
    for remove in _REMOVALS.values():
        removed.update(remove(officer_ids))
    return removed
