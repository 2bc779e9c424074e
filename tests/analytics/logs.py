"""Historical exchange logs for the statistics tests: generated (seeded) rows, the CSV they
make, and the statistics counted from them in Python, independently of the SQL."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analytics.importer import exchange_log_import
from analytics.models import ExchangeImport, ExchangeStatistic
from partners.models import PartyStatusChange
from selec.reference import TASK_FORCES

HEADER = "date,sender,recipients,kind,crime_area,channel"


@dataclass(frozen=True)
class LogRow:
    day: dt.date
    sender: str
    recipients: tuple[str, ...]
    kind: str  # request, information
    crime_area: str
    channel: str  # daily, regional_operation

    def csv(self) -> str:
        return ",".join(
            [
                self.day.isoformat(),
                self.sender,
                ";".join(self.recipients),
                self.kind,
                self.crime_area,
                self.channel,
            ]
        )


@dataclass(frozen=True)
class Metadata:
    """What the statistics read of one exchange, live or imported."""

    day: dt.date
    sender: str
    recipients: frozenset[str]
    kind: str  # request, information, reply, warning, feedback, seizure
    crime_area: str
    task_force: str | None
    regional: bool


# (year, crime area, kind, channel, sender, sender is member, recipient or None, task force)
Key = tuple[int, str, str, str, str, bool, str | None, str | None]

TASK_FORCE_OF_AREA = {area: code for code, _name, areas in TASK_FORCES for area in areas}


def log_csv(rows: Iterable[LogRow], *, newline: str = "\n") -> bytes:
    return newline.join([HEADER, *(row.csv() for row in rows)]).encode() + newline.encode()


def import_rows(rows: Sequence[LogRow], name: str = "log.csv") -> ExchangeImport:
    return exchange_log_import(source=io.BytesIO(log_csv(rows)), file_name=name, recompute=False)


class StatusHistory:
    """Each party's status at a date, read from PartyStatusChange and decided in Python: the
    latest change effective on or before the date, the last recorded among those of one day."""

    def __init__(self) -> None:
        self._changes: dict[str, list[tuple[dt.date, dt.datetime, int, str]]] = {}
        for code, effective, recorded, pk, status in PartyStatusChange.objects.values_list(
            "party__code", "effective_from", "recorded_at", "pk", "status"
        ):
            self._changes.setdefault(code, []).append((effective, recorded, pk, status))
        for changes in self._changes.values():
            changes.sort()

    def status(self, code: str, day: dt.date) -> str | None:
        held = [change for change in self._changes.get(code, []) if change[0] <= day]
        return held[-1][3] if held else None

    def is_member(self, code: str, day: dt.date) -> bool:
        return self.status(code, day) == "member"

    def parties_with_status(self, day: dt.date, *statuses: str) -> list[str]:
        return sorted(code for code in self._changes if self.status(code, day) in statuses)

    def parties_without_status(self, day: dt.date) -> list[str]:
        return sorted(code for code in self._changes if self.status(code, day) is None)


def generate_log(history: StatusHistory, *, rows: int, years: range, seed: int) -> list[LogRow]:
    """Members, partners and observers of each date sending to one to four others; now and
    then a party with no status at that date among the recipients."""
    rng = random.Random(seed)
    areas = [area for _code, _name, areas in TASK_FORCES for area in areas] + ["other"]
    generated = []
    for _ in range(rows):
        first = dt.date(years.start, 1, 1)
        day = first + dt.timedelta(days=rng.randrange((dt.date(years.stop, 1, 1) - first).days))
        members = history.parties_with_status(day, "member")
        others = history.parties_with_status(day, "observer", "operational_partner")
        sender = rng.choice(members) if rng.random() < 0.75 else rng.choice(others)
        pool = [code for code in members + others if code != sender]
        recipients = rng.sample(pool, rng.randint(1, 4))
        unknown = history.parties_without_status(day)
        if unknown and rng.random() < 0.03:
            recipients.append(rng.choice(unknown))
        generated.append(
            LogRow(
                day=day,
                sender=sender,
                recipients=tuple(recipients),
                kind=rng.choice(["request", "information"]),
                crime_area=rng.choice(areas),
                channel="regional_operation" if rng.random() < 0.15 else "daily",
            )
        )
    return generated


def imported_metadata(rows: Iterable[LogRow]) -> list[Metadata]:
    return [
        Metadata(
            day=row.day,
            sender=row.sender,
            recipients=frozenset(row.recipients),
            kind=row.kind,
            crime_area=row.crime_area,
            task_force=TASK_FORCE_OF_AREA.get(row.crime_area),
            regional=row.channel == "regional_operation",
        )
        for row in rows
    ]


def expected_statistics(history: StatusHistory, exchanges: Iterable[Metadata]) -> Counter[Key]:
    """The counting rules of docs/statistics.md, one exchange at a time."""
    counts: Counter[Key] = Counter()
    for x in exchanges:
        sender_is_member = history.is_member(x.sender, x.day)
        if x.regional:
            channel = "regional_operations"
        elif sender_is_member and all(history.is_member(r, x.day) for r in x.recipients):
            channel = "members_daily"
        else:
            channel = "members_observers"
        kind = "request" if x.kind == "request" else "information"
        base = (x.day.year, x.crime_area, kind, channel, x.sender, sender_is_member)
        counts[(*base, None, x.task_force)] += 1
        for recipient in x.recipients:
            counts[(*base, recipient, x.task_force)] += 1
    return counts


def stored_statistics(years: Iterable[int] | None = None) -> Counter[Key]:
    rows = ExchangeStatistic.objects.all()
    if years is not None:
        rows = rows.filter(year__in=list(years))
    stored: Counter[Key] = Counter()
    for *columns, exchanges in rows.values_list(
        "year",
        "crime_area__code",
        "kind",
        "channel",
        "sender_party__code",
        "sender_is_member",
        "recipient_party__code",
        "task_force__code",
        "exchanges",
    ):
        key: Key = tuple(columns)  # type: ignore[assignment]
        assert key not in stored, f"two rows for {key}"
        stored[key] = exchanges
    return stored
