"""Statistics rows for the tests of the tables, exports, page and API: written straight into
``ExchangeStatistic`` (both grains), as the computation would leave them."""

from __future__ import annotations

from typing import TypedDict, Unpack

import pytest

from analytics.models import Channel, ExchangeStatistic, StatisticsRun
from partners.models import Party
from taskforces.models import CrimeArea, TaskForce


class StatRow(TypedDict):
    """One row of ``ExchangeStatistic``, its parties, area and task force named by code."""

    year: int
    exchanges: int
    kind: str
    channel: str
    sender: str
    sender_is_member: bool
    recipient: str | None
    area: str
    task_force: str | None


class RowKeys(TypedDict, total=False):
    """The keys that ``exchange`` passes on to each of its rows."""

    kind: str
    channel: str
    member: bool
    area: str
    task_force: str | None


@pytest.fixture
def no_statistics(db) -> None:
    """Start from an empty statistics table (inside the test's transaction), whatever the
    demo data computed."""
    ExchangeStatistic.objects.all().delete()
    StatisticsRun.objects.all().delete()


def stat(
    year: int,
    n: int = 1,
    *,
    kind: str = "request",
    channel: str = Channel.MEMBERS_DAILY,
    sender: str = "RO",
    member: bool = True,
    recipient: str | None = None,
    area: str = "drugs",
    task_force: str | None = None,
) -> StatRow:
    """One row: ``recipient`` None is the once-per-exchange grain, a party code the
    once-per-receiving-party grain."""
    return {
        "year": year,
        "exchanges": n,
        "kind": kind,
        "channel": channel,
        "sender": sender,
        "sender_is_member": member,
        "recipient": recipient,
        "area": area,
        "task_force": task_force,
    }


def exchange(
    year: int,
    sender: str,
    recipients: list[str],
    n: int = 1,
    **keys: Unpack[RowKeys],
) -> list[StatRow]:
    """``n`` exchanges with the same keys, as both grains hold them: once, and once per
    receiving party."""
    return [
        stat(year, n, sender=sender, **keys),
        *(stat(year, n, sender=sender, recipient=code, **keys) for code in recipients),
    ]


def store(*groups: StatRow | list[StatRow]) -> list[ExchangeStatistic]:
    rows: list[StatRow] = []
    for group in groups:
        rows.extend(group if isinstance(group, list) else [group])
    parties = dict(Party.objects.values_list("code", "pk"))
    areas = dict(CrimeArea.objects.values_list("code", "pk"))
    task_forces = dict(TaskForce.objects.values_list("code", "pk"))
    return ExchangeStatistic.objects.bulk_create(
        ExchangeStatistic(
            year=row["year"],
            exchanges=row["exchanges"],
            kind=row["kind"],
            channel=row["channel"],
            sender_party_id=parties[row["sender"]],
            sender_is_member=row["sender_is_member"],
            recipient_party_id=parties[row["recipient"]] if row["recipient"] else None,
            crime_area_id=areas[row["area"]],
            task_force_id=task_forces[row["task_force"]] if row["task_force"] else None,
        )
        for row in rows
    )
