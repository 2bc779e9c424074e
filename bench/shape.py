"""The shape of the generated data: how many of what, when, from whom to whom.

Shares are of all exchanges unless said otherwise; weights are relative. The traffic is that of a
large exchange system: years 2015 to now, growing; one heavy agency; most exchanges to one or two
agencies; about 15 % replies; about 29 % with entities.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from exchanges.models import EntityKind, ExchangeKind, Priority
from partners.models import AgencyKind


class Weighted:
    """Values drawn with their weights (the running totals searched, not summed each draw)."""

    def __init__(self, choices: Iterable[tuple[Any, float]]) -> None:
        self.values: list[Any] = []
        self._totals: list[float] = []
        total = 0.0
        for value, weight in choices:
            if weight > 0:
                total += weight
                self.values.append(value)
                self._totals.append(total)
        if not self.values:
            raise ValueError("Nothing to draw from.")

    def draw(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect_right(self._totals, rng.random() * self._totals[-1])]


FIRST_DAY = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
# Exchanges per year grow (the dip is 2020); a year without a weight weighs as the last one.
YEAR_WEIGHTS = {
    2015: 6,
    2016: 7,
    2017: 8,
    2018: 9,
    2019: 10,
    2020: 8,
    2021: 10,
    2022: 11,
    2023: 12,
    2024: 13,
    2025: 14,
    2026: 15,
}
# The heavy agency sends a fifth and is addressed by a third of the others: it sees about 45 %.
HEAVY_SENDER_SHARE = 0.20
HEAVY_ADDRESSED_SHARE = 0.33
RECIPIENT_COUNTS = Weighted(((1, 0.55), (2, 0.25), (3, 0.12), (4, 0.08)))
REQUEST_SHARE = 0.6
PRIORITIES = Weighted(
    ((Priority.ROUTINE, 0.70), (Priority.URGENT, 0.22), (Priority.IMMEDIATE, 0.08))
)
# Of the exchanges whose sender may hold personal data (not the observers'): about 29 % of all.
ENTITY_SHARE = 0.30
ENTITY_COUNTS = Weighted(((1, 0.6), (2, 0.3), (3, 0.1)))
ENTITY_KINDS = Weighted(
    (
        (EntityKind.PERSON, 0.45),
        (EntityKind.VEHICLE, 0.15),
        (EntityKind.PHONE, 0.15),
        (EntityKind.DOCUMENT, 0.10),
        (EntityKind.COMPANY, 0.08),
        (EntityKind.BANK_ACCOUNT, 0.07),
    )
)
PERSONAL_WITHOUT_ENTITIES = 0.06
H1_SHARE, H2_SHARE, H3_SHARE = 0.20, 0.25, 0.08
TASK_FORCE_SHARE = 0.7
# The chance that a message is answered in its thread (about 15 % of all are replies).
REPLY_CHANCE = {
    ExchangeKind.REQUEST: 0.22,
    ExchangeKind.INFORMATION: 0.07,
    ExchangeKind.REPLY: 0.10,
}
CASE_SHARE = 0.05
EXCHANGES_PER_CASE = 300
# Receipts older than this are read and acknowledged (all but a few); newer ones partly open.
SETTLED_AFTER = dt.timedelta(days=30)
# The thread generated on purpose for the thread page's figure: a root and this many replies.
THREAD_REPLIES = 10
THREAD_STEP = dt.timedelta(minutes=20)

# How much each kind of desk sends and receives, besides the heavy agency.
# By agency kind (an AgencyKind value).
MEMBER_WEIGHTS: dict[str, float] = {AgencyKind.POLICE: 4.0, AgencyKind.CUSTOMS: 2.0}
NFP_WEIGHT = 1.5
PARTNER_WEIGHT = 1.5
OBSERVER_SENDS, OBSERVER_RECEIVES = 0.15, 0.4


class Timeline:
    """When the i-th of n exchanges was sent: from FIRST_DAY to ``end``, in order, each year
    taking its weight's share (a year partly covered, its part)."""

    def __init__(self, n: int, *, end: dt.datetime, rng: random.Random) -> None:
        self.n, self.rng = n, rng
        segments: list[tuple[float, float, float]] = []
        for year in range(FIRST_DAY.year, end.year + 1):
            year_start = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
            year_end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
            low, high = max(FIRST_DAY, year_start), min(end, year_end)
            if high <= low:
                continue
            weight = YEAR_WEIGHTS.get(year, YEAR_WEIGHTS[max(YEAR_WEIGHTS)])
            covered = (high - low) / (year_end - year_start)
            segments.append((low.timestamp(), high.timestamp(), weight * covered))
        total = sum(w for _, _, w in segments)
        self._starts: list[float] = []
        share = 0.0
        for _, _, part in segments:
            self._starts.append(share)
            share += part / total
        self._segments = segments
        self._total = total

    def at(self, index: int) -> dt.datetime:
        # Within the index's own slot of [0, 1): strictly increasing with the index.
        position = (index + self.rng.random()) / self.n
        segment = bisect.bisect_right(self._starts, position) - 1
        low, high, weight = self._segments[segment]
        within = (position - self._starts[segment]) / (weight / self._total)
        return dt.datetime.fromtimestamp(low + min(within, 1.0) * (high - low), dt.UTC)
