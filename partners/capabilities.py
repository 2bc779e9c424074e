"""What a party may do follows from its status alone, and is decided here only.

Members and operational partners exchange personal data and take part in operations;
observers receive strategic information only; former members no longer exchange anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from partners.models import PartyStatus


@dataclass(frozen=True)
class Capabilities:
    may_exchange: bool
    may_exchange_personal_data: bool
    may_take_part_in_operations: bool
    receives_strategic_information_only: bool


_BY_STATUS: dict[str, Capabilities] = {
    PartyStatus.MEMBER: Capabilities(
        may_exchange=True,
        may_exchange_personal_data=True,
        may_take_part_in_operations=True,
        receives_strategic_information_only=False,
    ),
    PartyStatus.OPERATIONAL_PARTNER: Capabilities(
        may_exchange=True,
        may_exchange_personal_data=True,
        may_take_part_in_operations=True,
        receives_strategic_information_only=False,
    ),
    PartyStatus.OBSERVER: Capabilities(
        may_exchange=True,
        may_exchange_personal_data=False,
        may_take_part_in_operations=False,
        receives_strategic_information_only=True,
    ),
    PartyStatus.FORMER: Capabilities(
        may_exchange=False,
        may_exchange_personal_data=False,
        may_take_part_in_operations=False,
        receives_strategic_information_only=False,
    ),
}


def capabilities_for(status: str) -> Capabilities:
    return _BY_STATUS[PartyStatus(status)]


def status_may_hold(status: str, *, personal_data: bool) -> bool:
    """Whether a party of this status may hold an exchange or a case, with personal data or
    without: the one answer every app's policy and scoped reads ask for."""
    caps = capabilities_for(status)
    return caps.may_exchange and (caps.may_exchange_personal_data or not personal_data)


def statuses_that_may_hold(*, personal_data: bool) -> list[PartyStatus]:
    """The statuses of the parties that may hold it (``status_may_hold``), for a scoped read."""
    return [
        status for status in PartyStatus if status_may_hold(status, personal_data=personal_data)
    ]
