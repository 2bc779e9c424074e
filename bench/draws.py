"""The random draws of the generation, from the one seeded generator every part shares (so
that a run makes the same data every time): ids, chances and delays, who sends to whom, the
restrictions, entities and areas of an exchange."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict

from bench.content import Writer
from bench.directory import Desk, Directory
from bench.shape import (
    ENTITY_COUNTS,
    ENTITY_KINDS,
    ENTITY_SHARE,
    H1_SHARE,
    H2_SHARE,
    H3_SHARE,
    HEAVY_ADDRESSED_SHARE,
    HEAVY_SENDER_SHARE,
    MEMBER_WEIGHTS,
    NFP_WEIGHT,
    OBSERVER_RECEIVES,
    OBSERVER_SENDS,
    PARTNER_WEIGHT,
    RECIPIENT_COUNTS,
    TASK_FORCE_SHARE,
    Weighted,
)
from partners.models import PartyStatus
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce


class Draws:
    """Draws from ``rng``, weighting agencies by their party's status (the heavy agency apart:
    it sends and is addressed by its own shares)."""

    def __init__(self, rng: random.Random, write: Writer, directory: Directory) -> None:
        self.rng = rng
        self.write = write
        self.d = directory
        self.task_forces_of_area: dict[int, list[int]] = defaultdict(list)
        for task_force in TaskForce.objects.prefetch_related("crime_areas"):
            for area in task_force.crime_areas.all():
                self.task_forces_of_area[area.pk].append(task_force.pk)
        self.crime_area_ids = list(CrimeArea.objects.order_by("pk").values_list("pk", flat=True))
        # The weighted lists senders and recipients are drawn from.
        senders, receivers, personal_receivers = [], [], []
        for desk in self.d.desks:
            if desk is self.d.heavy:
                continue
            status = desk.facts.party_status
            if status == PartyStatus.MEMBER:
                weight = NFP_WEIGHT if desk.is_nfp else MEMBER_WEIGHTS.get(desk.kind, 1.0)
                sends = receives = weight
            elif status == PartyStatus.OPERATIONAL_PARTNER:
                sends = receives = PARTNER_WEIGHT
            else:
                sends, receives = OBSERVER_SENDS, OBSERVER_RECEIVES
            senders.append((desk, sends))
            receivers.append((desk, receives))
            if desk.may_hold(personal_data=True):
                personal_receivers.append((desk, receives))
        self.senders = Weighted(senders)
        self.receivers = Weighted(receivers)
        self.personal_receivers = Weighted(personal_receivers)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def later(self, at: dt.datetime, low: dt.timedelta, high: dt.timedelta) -> dt.datetime:
        return at + dt.timedelta(
            seconds=self.rng.uniform(low.total_seconds(), high.total_seconds())
        )

    def sender(self) -> Desk:
        if self.chance(HEAVY_SENDER_SHARE):
            return self.d.heavy
        return self.senders.draw(self.rng)

    def recipients(self, sender: Desk, *, personal: bool) -> tuple[Desk, ...]:
        count = RECIPIENT_COUNTS.draw(self.rng)
        chosen: dict[int, Desk] = {}
        if sender is not self.d.heavy and self.chance(HEAVY_ADDRESSED_SHARE):
            chosen[self.d.heavy.id] = self.d.heavy
        pool = self.personal_receivers if personal else self.receivers
        for _ in range(count * 4):
            if len(chosen) >= count:
                break
            desk = pool.draw(self.rng)
            if desk is not sender:
                chosen.setdefault(desk.id, desk)
        return tuple(chosen.values())

    def restrictions(self) -> Restrictions:
        return Restrictions(
            evidence=self.chance(H1_SHARE),
            dissemination=self.chance(H2_SHARE),
            text=self.write.restriction_text() if self.chance(H3_SHARE) else "",
        )

    def entity_kinds(self, sender: Desk) -> tuple[str, ...]:
        if not sender.may_hold(personal_data=True) or not self.chance(ENTITY_SHARE):
            return ()
        count = ENTITY_COUNTS.draw(self.rng)
        return tuple(ENTITY_KINDS.draw(self.rng) for _ in range(count))

    def areas(self) -> tuple[int, int | None]:
        crime_area = self.rng.choice(self.crime_area_ids)
        task_forces = self.task_forces_of_area.get(crime_area)
        if task_forces and self.chance(TASK_FORCE_SHARE):
            return crime_area, self.rng.choice(task_forces)
        return crime_area, None
