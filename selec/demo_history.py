"""Demo history: a generated exchange log of the SECI Center, 2006 to 2008, that reproduces the
tables of seed 001 (total exchanges per year and channel; the 2008 requests and information
exchanges initiated by member countries per type of crime).

The individual exchanges are invented (seeded random: the same file every time, so importing
it twice is refused and the load is idempotent); their counts are the published ones. Senders
and recipients are parties with a SECI status at the exchange's date (``selec.reference``).

The two published tables cannot both be met within the ten crime types of the second one:
among members, daily exchanges alone were 8,323 in 2008, more than the 8,268 requests and
information exchanges the crime table attributes to member countries. The log therefore puts
the exchanges initiated by members that the crime table leaves out under the crime area
``other``, as few as the totals allow: regional operations are exchanges among members (so
initiated by members), and the exchanges between members and observers of 2008 are the ones
observers initiated. The crime table's ten rows come out exactly, with an eleventh, "Other".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from analytics.importer import COLUMNS, LogAlreadyImported, exchange_log_import
from analytics.models import Channel, StatisticKind
from analytics.services import statistics_compute
from analytics.tables import KINDS, crime_types_table, totals_table
from selec.reference import SECI_MEMBERS, SECI_OBSERVERS

FILE_NAME = "seci-exchange-log-2006-2008.csv"
_SEED = 2008

# Seed 001, "Total Exchanges": year -> (among members: daily, among members: regional
# operations, between members and observers: daily).
TOTALS: dict[int, dict[str, int]] = {
    2006: {
        Channel.MEMBERS_DAILY: 4334,
        Channel.REGIONAL_OPERATIONS: 1069,
        Channel.MEMBERS_OBSERVERS: 550,
    },
    2007: {
        Channel.MEMBERS_DAILY: 6561,
        Channel.REGIONAL_OPERATIONS: 532,
        Channel.MEMBERS_OBSERVERS: 490,
    },
    2008: {
        Channel.MEMBERS_DAILY: 8323,
        Channel.REGIONAL_OPERATIONS: 495,
        Channel.MEMBERS_OBSERVERS: 378,
    },
}
# Seed 001, "Requests and Information Exchanges (initiated by SECI countries / 2008)".
CRIME_TYPES_YEAR = 2008
CRIME_TYPES: dict[str, tuple[int, int]] = {
    "thb": (58, 8),
    "migrant_smuggling": (92, 87),
    "drugs": (112, 1352),
    "smuggling_fraud": (274, 6061),
    "counterfeit_currency": (11, 39),
    "money_laundering": (29, 26),
    "stolen_vehicles": (40, 13),
    "terrorism": (5, 1),
    "container_security": (3, 1),
    "economic_crime": (52, 4),
}
REMAINDER_AREA = "other"
# Before 2008, the share of the exchanges between members and observers that members began.
_MEMBER_SHARE_WITH_OBSERVERS = 0.5
_REQUEST_SHARE_OF_REMAINDER = 0.3


@dataclass(frozen=True)
class _Line:
    day: dt.date
    sender: str
    recipients: tuple[str, ...]
    kind: str
    crime_area: str
    channel: str  # the log's: daily or regional_operation


@dataclass(frozen=True)
class DemoHistoryResult:
    imported: bool  # False: the log was there already
    exchanges: int
    mismatches: list[str]  # differences from the seed's tables (empty: reproduced)


def demo_history_csv() -> bytes:
    rng = random.Random(_SEED)  # noqa: S311 - invented demo data, the same every time
    lines: list[_Line] = []
    for year, totals in TOTALS.items():
        lines += _year(rng, year, totals)
    lines.sort(key=lambda line: line.day)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.day.isoformat(),
                line.sender,
                ";".join(line.recipients),
                line.kind,
                line.crime_area,
                line.channel,
            ]
        )
    return out.getvalue().encode()


def _year(rng: random.Random, year: int, totals: dict[str, int]) -> list[_Line]:
    daily = totals[Channel.MEMBERS_DAILY]
    regional = totals[Channel.REGIONAL_OPERATIONS]
    with_observers = totals[Channel.MEMBERS_OBSERVERS]
    if year == CRIME_TYPES_YEAR:
        by_members_with_observers = 0
    else:
        by_members_with_observers = round(with_observers * _MEMBER_SHARE_WITH_OBSERVERS)
    by_members = daily + regional + by_members_with_observers
    subjects = _member_subjects(rng, year, by_members)
    lines = []
    for index, (kind, area) in enumerate(subjects):
        day = _day(rng, year)
        members = _members(day)
        sender = rng.choice(members)
        others = [m for m in members if m != sender]
        if index < daily:
            lines.append(_Line(day, sender, _some(rng, others, 3), kind, area, "daily"))
        elif index < daily + regional:
            recipients = _some(rng, others, 4)
            # Regional operations reached observers too (Austria in operation "Tara").
            if rng.random() < 0.1:
                recipients += (rng.choice(_observers(day)),)
            lines.append(_Line(day, sender, recipients, kind, area, "regional_operation"))
        else:
            recipients = (rng.choice(_observers(day)), *_some(rng, others, 2, at_least=0))
            lines.append(_Line(day, sender, recipients, kind, area, "daily"))
    for _ in range(with_observers - by_members_with_observers):
        day = _day(rng, year)
        kind, area = _any_subject(rng)
        sender = rng.choice(_observers(day))
        lines.append(_Line(day, sender, _some(rng, _members(day), 2), kind, area, "daily"))
    return lines


def _member_subjects(rng: random.Random, year: int, count: int) -> list[tuple[str, str]]:
    """(kind, crime area) of each exchange members began: in the crime table's year exactly
    its counts, and the rest under REMAINDER_AREA; other years in the same proportions."""
    if year != CRIME_TYPES_YEAR:
        return [_any_subject(rng) for _ in range(count)]
    subjects = [
        (kind, area)
        for area, counts in CRIME_TYPES.items()
        for kind, times in zip(KINDS, counts, strict=True)
        for _ in range(times)
    ]
    remainder = count - len(subjects)
    subjects += [
        (
            StatisticKind.REQUEST
            if rng.random() < _REQUEST_SHARE_OF_REMAINDER
            else StatisticKind.INFORMATION,
            REMAINDER_AREA,
        )
        for _ in range(remainder)
    ]
    rng.shuffle(subjects)
    return [(str(kind), area) for kind, area in subjects]


def _any_subject(rng: random.Random) -> tuple[str, str]:
    weights = [
        (area, kind, n)
        for area, counts in CRIME_TYPES.items()
        for kind, n in zip(KINDS, counts, strict=True)
    ]
    area, kind, _ = rng.choices(weights, weights=[n for *_, n in weights])[0]
    return str(kind), area


def _day(rng: random.Random, year: int) -> dt.date:
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=rng.randrange((dt.date(year + 1, 1, 1) - first).days))


def _members(day: dt.date) -> list[str]:
    return [code for code, since in SECI_MEMBERS.items() if since <= day]


def _observers(day: dt.date) -> list[str]:
    return [code for code, since in SECI_OBSERVERS.items() if since <= day]


def _some(rng: random.Random, codes: list[str], most: int, *, at_least: int = 1) -> tuple[str, ...]:
    return tuple(rng.sample(codes, rng.randint(at_least, most)))


def demo_history_load() -> DemoHistoryResult:
    """Import the demo log (unless it is there) and compute its years; compare the result
    with the seed's tables."""
    content = demo_history_csv()
    try:
        batch = exchange_log_import(
            source=io.BytesIO(content), file_name=FILE_NAME, recompute=False
        )
        imported = True
    except LogAlreadyImported as exc:
        batch, imported = exc.batch, False
    for year in TOTALS:
        statistics_compute(year=year)
    return DemoHistoryResult(imported=imported, exchanges=batch.rows, mismatches=_mismatches())


def _mismatches() -> list[str]:
    """Where the published tables, as computed, differ from the seed's."""
    found = []
    years = tuple(TOTALS)
    totals = {row.key: row.counts for row in totals_table(years).data_rows}
    for index, (year, expected) in enumerate(TOTALS.items()):
        for channel, count in expected.items():
            computed = totals[channel][index]
            if computed != count:
                found.append(f"{year} {channel}: {computed}, seed {count}")
    by_area = {row.key: row.counts for row in crime_types_table(CRIME_TYPES_YEAR).data_rows}
    for area, counts in CRIME_TYPES.items():
        for kind, count, computed in zip(KINDS, counts, by_area.get(area, (0, 0)), strict=True):
            if computed != count:
                found.append(f"{CRIME_TYPES_YEAR} {area} {kind}: {computed}, seed {count}")
    return found
