"""To what a party's status may change.

A status change reaches every exchange and case the party's agencies hold, so it is the
directory administrators' alone (``partners.policy.administers_directory``; their pages answer
404 to everyone else, ``partners.auth.directory_admin_or_404``); any status other
than the current one may be chosen (observer and operational partner both ways, member to
former and back, a member downgraded to observer): the preview shows what each one does.
Pure functions, like ``partners.policy``.
"""

from __future__ import annotations

from partners.models import PartyStatus


def statuses_offered(current: str) -> list[PartyStatus]:
    """The statuses a party may move to: every one but its own."""
    return [status for status in PartyStatus if status != current]
