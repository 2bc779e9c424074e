"""Generating the entities of the exchanges, their blind-index tokens
(``entity_tokens``), and the hits ``exchange_match`` would find between providers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bench.directory import Directory
from bench.draws import Draws
from bench.records import Holder, Message, Report, handling_codes
from bench.tables import Tables
from hits import policy
from hits.blind_index import current_scheme, entity_tokens
from hits.matching import NEVER_ALONE, hit_notice_title
from hits.models import HIT_OBJECT_TYPE, HitAuditEvent, HitNotificationKind
from hits.selectors import HitSide
from selec.core.models import AuditAction


class HitMaker:
    """Stores a message's entities and tokens, and the hits its recurring subjects make with
    the entities stored before (their holders kept by token)."""

    def __init__(
        self,
        directory: Directory,
        draws: Draws,
        tables: Tables,
        report: Report,
        *,
        end: dt.datetime,
    ) -> None:
        self.d, self.draw, self.t, self.report = directory, draws, tables, report
        self.end = end
        self.held: dict[tuple[str, str], list[Holder]] = defaultdict(list)
        self.scheme = current_scheme()

    def store_entities(self, message: Message, kinds: tuple[str, ...]) -> None:
        matched_at = min(message.sent_at + dt.timedelta(minutes=1), self.end)
        mine: list[tuple[int, list[tuple[str, str]], bool]] = []
        for kind in kinds:
            attributes, recurring = self.draw.write.entity(kind)
            entity_id = next(self.t.entity_ids)
            row_key = self.draw.uuid()
            self.t.entities.add(
                entity_id,
                row_key,
                message.id,
                kind,
                self.t.seal_attributes(attributes, row_key),
                matched_at,
            )
            tokens = entity_tokens(kind, attributes)
            for token_kind, token in tokens:
                # The scheme the tokens are made in: the column's default is the first scheme,
                # whose tokens matching ignores as stale.
                self.t.tokens.add(entity_id, token_kind, token, self.scheme)
            mine.append((entity_id, tokens, recurring))
        if mine and policy.may_be_matched(message.sender.facts.party_status):
            self._match(message, mine, matched_at)

    def _match(
        self, message: Message, mine: list[tuple[int, list[tuple[str, str]], bool]], at: dt.datetime
    ) -> None:
        """The hits ``hits.matching.exchange_match`` would find: a token shared with
        another provider's entity, outside the thread, names alone excepted. Only recurring
        subjects can match (the others are drawn fresh), so only their tokens are kept."""
        if not any(recurring for _, _, recurring in mine):
            return
        side = HitSide(
            reference=message.reference,
            agency_id=message.sender.id,
            agency_name=message.sender.facts.name,
            party_id=message.sender.party_id,
            party_code=message.sender.facts.party_code,
            handling_codes=handling_codes(message.restrictions),
            under_h2=message.restrictions.dissemination,
        )
        thread = message.thread_root_id or message.id
        # Pairs by entity ids, the earlier (lower) one first, as Hit stores them.
        found: dict[tuple[int, int], set[str]] = defaultdict(set)
        holders: dict[int, Holder] = {}
        for entity_id, tokens, recurring in mine:
            if not recurring:
                continue
            me = holders[entity_id] = Holder(entity_id, message.id, thread, side)
            for kind, token in tokens:
                if kind in NEVER_ALONE:
                    continue
                for other in self.held[(kind, token)]:
                    if other.side.agency_id != side.agency_id and other.thread_id != thread:
                        holders[other.entity_id] = other
                        found[(other.entity_id, entity_id)].add(kind)
                self.held[(kind, token)].append(me)
        for (a, b), kinds in found.items():
            self._store_hit(holders[a], holders[b], sorted(kinds), at)

    def _store_hit(self, a: Holder, b: Holder, kinds: list[str], at: dt.datetime) -> None:
        hit_id = next(self.t.hit_ids)
        self.t.hits.add(
            hit_id,
            a.entity_id,
            b.entity_id,
            a.exchange_id,
            b.exchange_id,
            a.side.agency_id,
            b.side.agency_id,
            kinds,
            at,
        )
        self.report.hits += 1
        self.t.audit.append(
            at=at,
            actor=None,
            action=AuditAction.COMBINATION,
            event=HitAuditEvent.FOUND,
            object_type=HIT_OBJECT_TYPE,
            object_id=hit_id,
            reason="hit between two providers' entities",
            details={
                "references": [a.side.reference, b.side.reference],
                "providers": [a.side.provider, b.side.provider],
                "token_kinds": kinds,
            },
        )
        for mine, other in ((a, b), (b, a)):
            title = hit_notice_title(mine=mine.side, other=other.side, token_kinds=kinds, at=at)
            for officer in self.d.by_id[mine.side.agency_id].notified:
                self.t.notifications.add(
                    officer,
                    HitNotificationKind.HIT,
                    title,
                    f"/hits/{hit_id}/",
                    HIT_OBJECT_TYPE,
                    str(hit_id),
                    f"hit:{hit_id}:{mine.side.reference}",
                    at,
                    None,
                )
