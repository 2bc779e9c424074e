"""Generating exchanges at scale, in the shape the services store them.

Rows are made in memory and written with COPY (``bench.bulk``), a batch per transaction, but
every decision the services take is asked of the product's own code, never restated here:

- who receives and sends what: ``exchanges.policy.check_audience``, ``check_case`` and
  ``check_personal_data_in_case`` admit each exchange before it is stored (a refusal is a bug
  of the generator and stops it), and the object permissions stored are exactly what
  ``exchanges.policy.grants_for`` grants, on the groups ``exchanges.permissions`` names;
- the cases' participants pass ``cases.policy`` and their permissions are its ``grants_for``;
- encrypted columns are sealed by the fields' own code, entity attributes pass the entity
  rules and their blind-index tokens are ``hits.blind_index.entity_tokens``;
- due dates are ``exchanges.services.inputs.due_date``, retention review dates
  ``exchanges.policy.review_due_on`` (a reply's from its thread root's); audit events are
  chained with ``selec.core.audit.chain_hash_of`` after the log's current head, so
  ``verify_audit`` holds.

The shape: exchanges from 2015 to now, more each year; a fifth sent by the heavy agency (the
Romanian Police, lo.ro's) and a third of the others addressed to it, so that it sees more than
40 % of them; replies (about 15 %) in threads, sent by a recipient of what they answer, which
their receipt then records as answered; 29 % with entities, a few of which recur across
providers and make hits; some exchanges in joint investigations and regional operations.

The generator makes the exchanges and their threads; the random draws are ``bench.draws``, the
cases ``bench.generate_cases``, the entities and hits ``bench.generate_hits``, and what follows
a sending (receipts, audit events, notices) ``bench.generate_delivery``.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection

from bench.bulk import BackgroundWriter
from bench.content import Writer
from bench.directory import Desk, Directory
from bench.draws import Draws
from bench.generate_cases import CaseMaker
from bench.generate_delivery import Delivery
from bench.generate_hits import HitMaker
from bench.records import Draft, Message, Report
from bench.shape import (
    PERSONAL_WITHOUT_ENTITIES,
    PRIORITIES,
    REPLY_CHANCE,
    REQUEST_SHARE,
    THREAD_REPLIES,
    THREAD_STEP,
    Timeline,
)
from bench.tables import Tables
from exchanges import policy
from exchanges.models import (
    ExchangeKind,
    InformationAccuracy,
    Priority,
    ReferenceCounter,
    SourceReliability,
)
from exchanges.policy import Perm, Principal, review_due_on
from exchanges.services.inputs import due_date
from partners.models import AgencyKind
from selec.core.policy_values import PolicyError, Restrictions
from taskforces.models import CrimeArea

# Exchanges per transaction (a smaller run writes in tenths, so that its progress shows).
BATCH = 20_000
SEED = 20_151_001


class GenerationError(Exception):
    """The generator made something the product's rules refuse: a bug of the generator."""


class Generator:
    """Makes ``exchanges`` exchanges with everything the services store around them (see the
    module's text), from the directory's agencies, and writes them batch by batch."""

    def __init__(
        self,
        directory: Directory,
        *,
        exchanges: int,
        now: dt.datetime,
        progress: Callable[[str], None],
    ) -> None:
        self.d = directory
        self.n = exchanges
        self.progress = progress
        self.rng = random.Random(SEED)  # noqa: S311 - invented bench data, the same every run
        self.end = now - dt.timedelta(minutes=5)
        self.timeline = Timeline(exchanges, end=self.end, rng=self.rng)
        self.write = Writer(self.rng, recurring=max(20, exchanges // 400))
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.batch = min(BATCH, max(1_000, exchanges // 10))
        self.t = Tables(self.rng)
        self.draw = Draws(self.rng, self.write, directory)
        # The partner of the thread of the thread page's figure.
        self.thread_partner = next(
            d
            for d in self.d.desks
            if d.facts.party_code == "BG" and d.kind == AgencyKind.POLICE and not d.is_nfp
        )
        self.references: Counter[int] = Counter(
            dict(ReferenceCounter.objects.values_list("year", "last"))
        )
        self.case_maker = CaseMaker(directory, self.draw, self.t, zone=self.zone, end=self.end)
        self.replies: list[tuple[dt.datetime, int, Message, Desk]] = []
        self._sequence = itertools.count()
        self.report = Report(exchanges=exchanges, seconds=0.0)
        self.hit_maker = HitMaker(directory, self.draw, self.t, self.report, end=self.end)
        self.delivery = Delivery(self.draw, self.t, end=self.end)
        self._heavy_seen = self._with_entities = self._replies = 0
        self._writer: BackgroundWriter | None = None
        # The retention period of each crime area (None: the installation's), and the review
        # date of the thread of each message that may still be answered (its root's; None when
        # the root has none), kept only while the message waits for its answer.
        self.review_years: dict[int, int | None] = dict(
            CrimeArea.objects.values_list("pk", "personal_data_review_years")
        )
        self._thread_reviews: dict[int, dt.date | None] = {}

    # --- References ---------------------------------------------------------------------------

    def _reference(self, at: dt.datetime) -> str:
        # Numbered per year of the project's time zone, as allocate_reference numbers them.
        year = at.astimezone(self.zone).year
        self.references[year] += 1
        return f"SELEC-{year}-{self.references[year]:06d}"

    # --- Exchanges ----------------------------------------------------------------------------

    def _root_draft(self, at: dt.datetime) -> Draft:
        sender = self.draw.sender()
        kind = ExchangeKind.REQUEST if self.draw.chance(REQUEST_SHARE) else ExchangeKind.INFORMATION
        entity_kinds = self.draw.entity_kinds(sender)
        personal = bool(entity_kinds) or (
            sender.may_hold(personal_data=True) and self.draw.chance(PERSONAL_WITHOUT_ENTITIES)
        )
        crime_area, task_force = self.draw.areas()
        return Draft(
            kind=kind,
            sender=sender,
            author=self.rng.choice(sender.authors),
            recipients=self.draw.recipients(sender, personal=personal),
            restrictions=self.draw.restrictions(),
            personal=personal,
            entity_kinds=entity_kinds,
            case=self.case_maker.case_for(sender, at, kind, personal),
            crime_area_id=crime_area,
            task_force_id=task_force,
            priority=PRIORITIES.draw(self.rng),
        )

    def _reply_draft(self, parent: Message, replier: Desk) -> Draft:
        """As ``exchange_reply`` builds it: to the other side of the parent, with at least its
        restrictions, in its case; personal data if the parent carries it."""
        chosen = Restrictions(dissemination=self.draw.chance(0.05))
        draft = Draft(
            kind=ExchangeKind.REPLY,
            sender=replier,
            author=self.rng.choice(replier.authors),
            recipients=(parent.sender,),
            restrictions=policy.inherited(parent.restrictions, chosen),
            personal=parent.personal,
            entity_kinds=self.draw.entity_kinds(replier),
            case=parent.case,
            crime_area_id=parent.crime_area_id,
            task_force_id=parent.task_force_id,
            priority=parent.priority,
            parent=parent,
        )
        draft.personal = draft.personal or bool(draft.entity_kinds)
        if draft.entity_kinds and not self._admitted(draft):
            # Entities are personal data: a reply whose audience may not hold it has none.
            draft.entity_kinds, draft.personal = (), parent.personal
        return draft

    def _facts(self, draft: Draft) -> policy.ExchangeFacts:
        return policy.ExchangeFacts(
            sender=draft.sender.facts,
            recipients=tuple(d.facts for d in draft.recipients),
            restrictions=draft.restrictions,
            personal_data=draft.personal,
        )

    def _admit(self, draft: Draft) -> policy.ExchangeFacts:
        """The gate every send and reply passes (``exchanges.services.admission.admit``)."""
        facts = self._facts(draft)
        case = draft.case.link_facts() if draft.case else None
        try:
            policy.check_audience(facts, author=draft.sender.facts, added=facts.recipients)
            policy.check_personal_data_in_case(case, personal_data=draft.personal)
            if draft.parent is None:
                policy.check_case(
                    draft.sender.facts,
                    case,
                    kind=draft.kind,
                    personal_data=draft.personal,
                    requested=draft.case is not None,
                )
        except PolicyError as exc:
            raise GenerationError(f"{exc} ({draft})") from exc
        return facts

    def _admitted(self, draft: Draft) -> bool:
        try:
            self._admit(draft)
        except GenerationError:
            return False
        return True

    def _store(self, draft: Draft, at: dt.datetime) -> Message:
        facts = self._admit(draft)
        grants = policy.grants_for(facts)
        parent = draft.parent
        exchange_id = next(self.t.exchange_ids)
        reference = self._reference(at)
        row_key = self.draw.uuid()
        evaluation = (
            (
                self.rng.choice(SourceReliability.values),
                self.rng.choice(InformationAccuracy.values),
            )
            if draft.personal
            else ("", "")
        )
        restrictions = draft.restrictions
        thread_root_id = (parent.thread_root_id or parent.id) if parent else None
        due_at = due_date(at, draft.priority)
        review = self._review_date(draft, at)
        self.t.exchanges.add(
            exchange_id,
            row_key,
            reference,
            draft.kind,
            parent.id if parent else None,
            thread_root_id,
            draft.sender.id,
            draft.author.id,
            draft.crime_area_id,
            draft.task_force_id,
            draft.case.id if draft.case else None,
            draft.priority,
            at,
            due_at,
            self.t.seal_subject(self.write.subject(), row_key),
            self.t.seal_body(self.write.body(), row_key),
            restrictions.evidence,
            restrictions.dissemination,
            self.t.seal_restriction(restrictions.text, row_key),
            draft.personal,
            *evaluation,
            review,
        )
        # What a reply to this message takes: the thread root's date.
        self._thread_reviews[exchange_id] = self._thread_reviews_root(parent, review)
        self._store_grants(exchange_id, grants)
        message = Message(
            id=exchange_id,
            reference=reference,
            kind=draft.kind,
            sender=draft.sender,
            receipts=[self.delivery.receipt(desk, at) for desk in draft.recipients],
            restrictions=restrictions,
            personal=draft.personal,
            case=draft.case,
            crime_area_id=draft.crime_area_id,
            task_force_id=draft.task_force_id,
            priority=draft.priority,
            thread_root_id=thread_root_id,
            sent_at=at,
            due_at=due_at,
            grants=grants,
        )
        self.hit_maker.store_entities(message, draft.entity_kinds)
        self.delivery.audit_sent(message, draft, parent)
        self.delivery.notify(message, draft, parent)
        if draft.case and draft.personal:
            draft.case.linked_personal = True
        if self.d.heavy is draft.sender or self.d.heavy in draft.recipients:
            self._heavy_seen += 1
        if draft.entity_kinds:
            self._with_entities += 1
        if parent:
            self._replies += 1
        return message

    def _review_date(self, draft: Draft, at: dt.datetime) -> dt.date | None:
        """As ``exchanges.services.storing.review_date`` decides it at the send."""
        parent = draft.parent
        return review_due_on(
            personal_data=draft.personal,
            sent_on=at.astimezone(self.zone).date(),
            area_years=self.review_years[draft.crime_area_id],
            default_years=settings.PERSONAL_DATA_REVIEW_YEARS,
            root_review_due_on=self._thread_reviews.get(parent.id) if parent else None,
        )

    def _thread_reviews_root(
        self, parent: Message | None, review: dt.date | None
    ) -> dt.date | None:
        if parent is None:
            return review
        # The parent is answered once: its entry is no longer needed.
        return self._thread_reviews.pop(parent.id, None)

    def _store_grants(self, exchange_id: int, grants: dict[Principal, frozenset[Perm]]) -> None:
        # As exchanges.permissions.permissions_grant_new stores them: principals without a
        # group (an NFP nobody staffs) hold nothing.
        perm_ids = self.d.exchange_perm_ids
        for principal, perms in grants.items():
            group = self.d.groups.get(principal)
            if group is not None:
                for perm in perms:
                    self.t.grants.add(group, perm_ids[perm], exchange_id)

    # --- Threads ------------------------------------------------------------------------------

    def _reply_delay(self, message: Message) -> tuple[dt.timedelta, dt.timedelta]:
        if message.kind == ExchangeKind.REQUEST:
            return {
                Priority.IMMEDIATE: (dt.timedelta(hours=1), dt.timedelta(hours=10)),
                Priority.URGENT: (dt.timedelta(hours=3), dt.timedelta(days=4)),
                Priority.ROUTINE: (dt.timedelta(days=1), dt.timedelta(days=10)),
            }[Priority(message.priority)]
        return dt.timedelta(hours=6), dt.timedelta(days=6)

    def _follow_up(self, message: Message) -> None:
        """Decide whether the message will be answered. Its receipts wait until then (the
        answer marks one of them), or are written now."""
        repliers = [
            r.desk
            for r in message.receipts
            if Perm.REPLY in message.grants.get(Principal("agency", r.desk.id), frozenset())
        ]
        if repliers and self.draw.chance(REPLY_CHANCE[ExchangeKind(message.kind)]):
            due = self.draw.later(message.sent_at, *self._reply_delay(message))
            if due < self.end:
                entry = (due, next(self._sequence), message, self.rng.choice(repliers))
                heapq.heappush(self.replies, entry)
                return
        self._thread_reviews.pop(message.id, None)
        self.delivery.write_receipts(message)

    def _answer(self, parent: Message, replier: Desk, at: dt.datetime) -> Message:
        """The reply, and the parent's receipt of the replying agency answered by it (read and
        acknowledged before, if it was not yet)."""
        reply = self._store(self._reply_draft(parent, replier), at)
        for receipt in parent.receipts:
            if receipt.desk is replier:
                receipt.answered_at = at
                if receipt.read_at is None or receipt.read_at > at:
                    receipt.read_at = max(parent.sent_at, at - dt.timedelta(minutes=30))
                if receipt.acknowledged_at is None or receipt.acknowledged_at > at:
                    receipt.acknowledged_at = receipt.read_at
        self.delivery.write_receipts(parent)
        return reply

    def _the_thread(self, start: dt.datetime) -> Iterator[Message]:
        """A request of the heavy agency answered back and forth THREAD_REPLIES times."""
        crime_area, task_force = self.draw.areas()
        root = Draft(
            kind=ExchangeKind.REQUEST,
            sender=self.d.heavy,
            author=self.d.heavy.authors[0],
            recipients=(self.thread_partner,),
            restrictions=Restrictions(),
            personal=False,
            entity_kinds=(),
            case=None,
            crime_area_id=crime_area,
            task_force_id=task_force,
            priority=Priority.ROUTINE,
        )
        message = self._store(root, start)
        yield message
        for step in range(1, THREAD_REPLIES + 1):
            replier = message.receipts[0].desk
            message = self._answer(message, replier, start + step * THREAD_STEP)
            yield message
        self._thread_reviews.pop(message.id, None)
        self.delivery.write_receipts(message)

    # --- Writing ------------------------------------------------------------------------------

    def _flush(self) -> None:
        assert self._writer is not None
        self._writer.submit([table.take() for table in self.t.in_order])

    def _counters(self) -> None:
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(year=y, last=n) for y, n in self.references.items()],
            update_conflicts=True,
            unique_fields=["year"],
            update_fields=["last"],
        )
        self.case_maker.save_counters()

    def _show_progress(self, done: int, started: float) -> None:
        elapsed = time.monotonic() - started
        rate = done / elapsed if elapsed else 0.0
        left = (self.n - done) / rate if rate else 0.0
        self.progress(
            f"  exchanges {done:>10,} / {self.n:,} ({done * 100 // self.n:>3} %)  "
            f"{rate:>7,.0f}/s  ETA {int(left) // 60}m{int(left) % 60:02d}s"
        )

    # --- The run ------------------------------------------------------------------------------

    def run(self) -> Report:
        started = time.monotonic()
        cpu_started = time.process_time()
        # The database checks every row's foreign keys as it would the services' inserts.
        self._writer = BackgroundWriter(connection.get_connection_params())
        try:
            self._generate(started)
        finally:
            self._writer.close()
        self._show_progress(self.n, started)
        self.report.rows = self._writer.rows
        self.report.writing_seconds = self._writer.writing_seconds
        self.report.waiting_seconds = self._writer.waiting_seconds
        self._counters()
        self._summarise(started)
        # This process's own work (both threads), whatever else the machine runs meanwhile.
        self.report.cpu_seconds = time.process_time() - cpu_started
        return self.report

    def _generate(self, started: float) -> None:
        self.case_maker.generate(self.n)
        thread_start = self.n - THREAD_REPLIES - 1
        for index in range(thread_start):
            at = self.timeline.at(index)
            if self.replies and self.replies[0][0] <= at:
                due, _, parent, replier = heapq.heappop(self.replies)
                message = self._answer(parent, replier, due)
            else:
                message = self._store(self._root_draft(at), at)
            self._follow_up(message)
            if (index + 1) % self.batch == 0:
                self._flush()
                self._show_progress(index + 1, started)
        # The thread of the thread page's figure, ending just before now.
        last = list(self._the_thread(self.end - (THREAD_REPLIES + 1) * THREAD_STEP))
        assert len(last) == THREAD_REPLIES + 1
        # Answers that would come after now never came: their receipts stay open.
        while self.replies:
            self.delivery.write_receipts(heapq.heappop(self.replies)[2])
        self.case_maker.grants()
        self._flush()

    def _summarise(self, started: float) -> None:
        self.report.seconds = time.monotonic() - started
        self.report.cases = len(self.case_maker.cases)
        self.report.heavy_share = self._heavy_seen / self.n
        self.report.entity_share = self._with_entities / self.n
        self.report.reply_share = self._replies / self.n
