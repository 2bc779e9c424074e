"""Who changes a party's status, and to what: the one place this is decided.

A status change reaches every exchange and case the party's agencies hold, so it is the
directory administrators' alone (their pages answer 404 to everyone else); any status other
than the current one may be chosen (observer and operational partner both ways, member to
former and back, a member downgraded to observer): the preview shows what each one does.
Pure functions, like ``partners.policy``.
"""

from __future__ import annotations

from partners.models import PartyStatus
from partners.policy import administers_directory


def changes_party_status(*, role: str, is_superuser: bool) -> bool:
    """Directory administrators (and superusers) change parties' statuses."""
    return administers_directory(role=role, is_superuser=is_superuser)


def statuses_offered(current: str) -> list[PartyStatus]:
    """The statuses a party may move to: every one but its own."""
    return [status for status in PartyStatus if status != current]
