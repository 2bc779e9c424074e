"""The figures: the code the pages and services run, timed, its queries counted, and, where
one SELECT can return the same rows, the bare SQL beside it.

Each figure is measured after a warm-up, repeated, and reported as its median and 95th
percentile in milliseconds. Queries are counted in one more run of its own
(``CaptureQueriesContext``), so that recording them costs the timed runs nothing. Whatever the
page does before calling its selector (loading the signed-in officer) is done outside the
timer, afresh for every run, so that the per-request queries (the officer's groups, their
agency) are counted as a request pays them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_backends
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.services import statistics_compute, statistics_compute_years, statistics_years
from bench.http_load import recipient_agency_ids
from bench.load_client import ATTACHMENT_BYTES, padded_pdf, percentile
from exchanges.matching import hit_search
from exchanges.models import (
    Entity,
    Exchange,
    ExchangeGroupObjectPermission,
    Priority,
    Recipient,
)
from exchanges.permissions import exchange_permission_ids
from exchanges.policy import Perm
from exchanges.selectors import (
    Direction,
    InboxQuery,
    InboxSort,
    Position,
    agency_work,
    exchange_get_for_officer,
    inbox_search,
    officer_perms_by_exchange,
    thread_messages,
)
from exchanges.services import (
    AttachmentInput,
    EntityInput,
    Evaluation,
    Message,
    acknowledges_for,
    exchange_consult,
    exchange_send,
)
from partners.capabilities import capabilities_for
from partners.models import Agency, Officer, PartyStatus
from partners.selectors import officer_group_ids, officer_profile
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce
from taskforces.selectors import memberships_of

T = TypeVar("T")

PAGE = 50
DEEP_PAGE = 100


@dataclass
class Figure:
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    bare_p50_ms: float | None = None
    ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "queries": self.queries,
            "bare_p50_ms": self.bare_p50_ms,
            "ratio": self.ratio,
            **self.extra,
        }


@dataclass(frozen=True)
class Plan:
    """How often each figure runs: ``repeat`` for the quick ones, fewer for the slow ones."""

    repeat: int
    warmup: int = 3

    @property
    def slow(self) -> int:
        return max(3, self.repeat // 6)


def _rounded(value: float) -> float:
    return round(value, 3)


def count_queries(run: Callable[[], object]) -> int:
    # The log is a bounded deque: once full (DEBUG logs every query), its length stops
    # growing and the context would count nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def timed(run: Callable[[T], object], fresh: Callable[[], T], *, times: int) -> list[float]:
    """Milliseconds of each run; ``fresh`` makes its argument beforehand, untimed."""
    samples = []
    for _ in range(times):
        argument = fresh()
        start = time.perf_counter()
        run(argument)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def measure(
    run: Callable[[T], object],
    fresh: Callable[[], T],
    *,
    times: int,
    warmup: int,
    bare: Callable[[], object] | None = None,
) -> Figure:
    """Warm up, count the queries of one run, time ``times`` runs, and the bare SQL's."""
    for _ in range(warmup):
        run(fresh())
    argument = fresh()
    queries = count_queries(lambda: run(argument))
    samples = timed(run, fresh, times=times)
    figure = Figure(
        p50_ms=_rounded(percentile(samples, 0.5)),
        p95_ms=_rounded(percentile(samples, 0.95)),
        queries=queries,
    )
    if bare is not None:
        for _ in range(warmup):
            bare()
        bare_samples = timed(lambda _: bare(), lambda: None, times=times)
        figure.bare_p50_ms = _rounded(percentile(bare_samples, 0.5))
        figure.ratio = round(figure.p50_ms / figure.bare_p50_ms, 2) if figure.bare_p50_ms else None
    return figure


def _nothing() -> None:
    return None


def fresh_officer(username: str) -> Callable[[], Officer]:
    """The officer as the authentication middleware loads them for each request: by the
    first configured backend that loads users (the one a login records in the session)."""
    pk = Officer.objects.values_list("pk", flat=True).get(username=username)

    def load() -> Officer:
        for backend in get_backends():
            # Not every backend loads users (axes' only refuses logins).
            get_user = getattr(backend, "get_user", None)
            officer = get_user(pk) if get_user else None
            if officer is not None:
                return officer
        raise LookupError(f"No authentication backend loads {username}.")

    return load


# --- Bare SQL -------------------------------------------------------------------------------


def _listed_columns() -> str:
    # The columns the inbox loads: all but the content it defers (subject, body).
    return ", ".join(
        f'e."{f.column}"'
        for f in Exchange._meta.concrete_fields
        if f.name not in ("subject", "body")
    )


def _bare_rows(where: str, order: str, params: dict[str, Any]) -> Callable[[], object]:
    """One SELECT of a page of the officer's visible exchanges: the permission join on the
    officer's groups and the view permission's id, the filter, the order, the limit."""
    # Tables and columns are the models' own; the values are parameters.
    sql = (
        f"SELECT {_listed_columns()} FROM {Exchange._meta.db_table} e "  # noqa: S608
        f"WHERE e.id IN (SELECT p.content_object_id FROM "
        f"{ExchangeGroupObjectPermission._meta.db_table} p "
        f"WHERE p.group_id = ANY(%(groups)s) AND p.permission_id = %(view)s) "
        f"{where} ORDER BY {order} LIMIT {PAGE}"
    )

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


_NEWEST = "e.sent_at DESC, e.id DESC"


def _receipt_exists(condition: str, *, agency: bool) -> str:
    scoped = "AND r.agency_id = %(agency)s " if agency else ""
    return (
        f"EXISTS (SELECT 1 FROM {Recipient._meta.db_table} r WHERE r.exchange_id = e.id "  # noqa: S608
        f"{scoped}{condition})"
    )


# --- The inbox ------------------------------------------------------------------------------


class Inbox:
    """The inbox of one officer, as the inbox view calls its selector (no filter: the query
    an empty query string parses to)."""

    def __init__(self, username: str, plan: Plan) -> None:
        self.fresh = fresh_officer(username)
        self.plan = plan
        officer = self.fresh()
        self.params: dict[str, Any] = {
            "groups": officer_group_ids(officer),
            "view": exchange_permission_ids()[Perm.VIEW],
            "agency": officer.agency_id,
        }

    def page(self, query: InboxQuery, *, after: Position | None = None, limit: int = PAGE):
        return lambda officer: inbox_search(officer, query, after=after, limit=limit)

    def first_page(self) -> Figure:
        query = InboxQuery()
        figure = measure(
            self.page(query),
            self.fresh,
            times=self.plan.repeat,
            warmup=self.plan.warmup,
            bare=_bare_rows("", _NEWEST, self.params),
        )

        def queries_for(limit: int) -> int:
            officer = self.fresh()
            return count_queries(lambda: inbox_search(officer, query, limit=limit))

        # The page of PAGE (50) rows is the one measured: its queries are counted already.
        figure.extra.update(
            queries_10=queries_for(10), queries_50=figure.queries, queries_200=queries_for(200)
        )
        figure.extra["rows"] = len(inbox_search(self.fresh(), query).rows)
        return figure

    def deep(self) -> Figure:
        """Page 100 (or the last page, for a smaller inbox), reached by its cursor."""
        query = InboxQuery()
        officer = self.fresh()
        page = inbox_search(officer, query)
        cursors: list[Position | None] = [None]
        while page.has_next and len(cursors) < DEEP_PAGE:
            cursors.append(page.last)
            page = inbox_search(officer, query, after=page.last)
        after = cursors[-1]
        params = dict(self.params)
        where = ""
        if after is not None:
            params.update(cursor_at=after.at, cursor_id=after.id)
            where = "AND (e.sent_at, e.id) < (%(cursor_at)s, %(cursor_id)s)"
        figure = measure(
            self.page(query, after=after),
            self.fresh,
            times=self.plan.repeat,
            warmup=self.plan.warmup,
            bare=_bare_rows(where, _NEWEST, params),
        )
        figure.extra["page"] = len(cursors)
        return figure

    def filters(self) -> dict[str, Figure]:
        now = timezone.now()
        crime_area = CrimeArea.objects.order_by("position", "pk").first()
        task_force = TaskForce.objects.order_by("position", "pk").first()
        assert crime_area is not None
        assert task_force is not None
        params = {
            **self.params,
            "now": now,
            "crime_area": crime_area.pk,
            "task_force": task_force.pk,
        }
        unanswered = "AND r.answered_at IS NULL"
        cases: dict[str, tuple[InboxQuery, str, str]] = {
            "inbox_filter_overdue": (
                InboxQuery(overdue=True),
                "AND e.kind = 'request' AND e.due_at < %(now)s AND ("
                + _receipt_exists(unanswered, agency=True)
                + " OR (e.sender_agency_id = %(agency)s AND "
                + _receipt_exists(unanswered, agency=False)
                + "))",
                _NEWEST,
            ),
            "inbox_filter_direction": (
                InboxQuery(direction=Direction.INCOMING),
                "AND " + _receipt_exists("", agency=True),
                _NEWEST,
            ),
            "inbox_filter_crime_area": (
                InboxQuery(crime_area=crime_area.code),
                "AND e.crime_area_id = %(crime_area)s",
                _NEWEST,
            ),
            "inbox_filter_task_force": (
                InboxQuery(task_force=task_force.code),
                "AND e.task_force_id = %(task_force)s",
                _NEWEST,
            ),
            "inbox_filter_due": (InboxQuery(sort=InboxSort.DUE), "", "e.due_at ASC, e.id ASC"),
        }
        figures = {}
        for key, (query, where, order) in cases.items():
            figures[key] = measure(
                lambda officer, q=query: inbox_search(officer, q, now=now),
                self.fresh,
                times=self.plan.repeat,
                warmup=self.plan.warmup,
                bare=_bare_rows(where, order, params),
            )
        return figures


def worst_of(figures: dict[str, Figure]) -> Figure:
    """The summary of several figures: the slowest median (and its key), the most queries."""
    slowest = max(figures, key=lambda k: figures[k].p50_ms or 0.0)
    figure = figures[slowest]
    return Figure(
        p50_ms=figure.p50_ms,
        p95_ms=max(f.p95_ms or 0.0 for f in figures.values()),
        queries=max(f.queries or 0 for f in figures.values()),
        bare_p50_ms=figure.bare_p50_ms,
        ratio=max(f.ratio or 0.0 for f in figures.values()),
        extra={"slowest": slowest},
    )


# --- The home page --------------------------------------------------------------------------


def dashboard_data(officer_id: int) -> object:
    """What the dashboard view computes, in its order (rendering aside)."""
    officer = officer_profile(officer_id)
    party = officer.party
    work = agency_work(officer)
    memberships = memberships_of(officer)
    capabilities = capabilities_for(party.status) if party else None
    return work, memberships, capabilities


def dashboard(username: str, plan: Plan) -> Figure:
    pk = Officer.objects.values_list("pk", flat=True).get(username=username)
    figure = measure(lambda _: dashboard_data(pk), _nothing, times=plan.repeat, warmup=plan.warmup)
    work = agency_work(officer_profile(pk))
    if work is not None:
        figure.extra["overdue_shown"] = len(work.overdue.receipts)
        figure.extra["unread_shown"] = len(work.unread.receipts)
    return figure


# --- The thread page ------------------------------------------------------------------------


def _longest_thread_root() -> Exchange:
    root_id = (
        Exchange.objects.filter(thread_root__isnull=False)
        .values("thread_root_id")
        .annotate(replies=Count("id"))
        .order_by("-replies", "-thread_root_id")
        .values_list("thread_root_id", flat=True)
        .first()
    )
    return Exchange.objects.select_related("author").get(pk=root_id)


def thread_page(officer: Officer, reference: str) -> int:
    """What the thread view loads for a thread: the message by its reference, the thread's
    messages with their receipts and requests, the officer's permissions on each, whether
    they acknowledge a receipt, and the content of the message named (its audited read)."""
    exchange = exchange_get_for_officer(officer, reference=reference)
    thread = thread_messages(officer, exchange)
    perms = officer_perms_by_exchange(officer, [m.pk for m in thread])
    for message in thread:
        receipts = list(message.recipients.all())
        list(message.dissemination_requests.all())
        if Perm.VIEW in perms[message.pk]:
            [acknowledges_for(officer, r) for r in receipts if r.acknowledged_at is None]
    exchange_consult(officer=officer, exchange=exchange)
    return len(thread)


def thread(plan: Plan) -> Figure:
    root = _longest_thread_root()
    # Its author, who reads it as the provider (no H3 confirmation asked of them).
    fresh = fresh_officer(root.author.username)
    figure = measure(
        lambda officer: thread_page(officer, root.reference),
        fresh,
        times=plan.repeat,
        warmup=plan.warmup,
    )
    figure.extra["messages"] = thread_page(fresh(), root.reference)
    return figure


# --- Sending --------------------------------------------------------------------------------

# The 100 KB PDF the HTTP benchmark's officers attach.
ATTACHMENT = padded_pdf(ATTACHMENT_BYTES)


def _send_message() -> Message:
    return Message(
        subject="Request for checks on a truck crossing at Kapitan Andreevo",
        body="According to information received from our national unit " * 12,
        restrictions=Restrictions(dissemination=True),
        personal_data=True,
        evaluation=Evaluation(source_reliability="B", information_accuracy="2"),
        entities=(
            EntityInput(
                "person",
                {"names": "Marko Petrović", "date_of_birth": "1984-02-03", "nationality": "RS"},
            ),
            EntityInput("phone", {"number": "+40 721 234 567"}),
        ),
        attachments=(AttachmentInput("report.pdf", "application/pdf", ATTACHMENT),),
    )


def send(username: str, plan: Plan, *, transport: str) -> Figure:
    """``exchange_send`` of a request to three agencies (those the HTTP benchmark's sends
    address), with two entities and a 100 KB attachment: committed, its tasks queued on the bench's broker (``bench.queueing``)."""
    fresh = fresh_officer(username)
    recipients = recipient_agency_ids(fresh())
    crime_area = CrimeArea.objects.order_by("position", "pk").values_list("pk", flat=True)[0]
    message = _send_message()

    def run(officer: Officer) -> object:
        return exchange_send(
            officer=officer,
            kind="request",
            recipient_agency_ids=recipients,
            crime_area_id=crime_area,
            priority=Priority.ROUTINE,
            message=message,
        )

    figure = measure(run, fresh, times=plan.repeat, warmup=plan.warmup)
    figure.extra["broker"] = transport
    return figure


# --- Hit/no-hit -----------------------------------------------------------------------------


def hit_lookup(username: str, plan: Plan) -> Figure:
    """A hit/no-hit search for a person another provider holds (name and date of birth)."""
    fresh = fresh_officer(username)
    officer = fresh()
    held = (
        Entity.objects.filter(
            kind="person", exchange__sender_agency__party__status=PartyStatus.MEMBER
        )
        .exclude(exchange__sender_agency_id=officer.agency_id)
        .order_by("pk")
        .first()
    )
    assert held is not None
    attributes = {k: held.attributes[k] for k in ("names", "date_of_birth") if k in held.attributes}

    def run(officer: Officer) -> object:
        return hit_search(
            officer=officer,
            justification="Checking a suspect named in an incoming request.",
            kind="person",
            attributes=attributes,
        )

    figure = measure(run, fresh, times=plan.repeat, warmup=plan.warmup)
    figure.extra["hits"] = sum(a.hit for a in run(fresh()))
    return figure


# --- Statistics -----------------------------------------------------------------------------


def _bare_statistics(year: int | None) -> Callable[[], object]:
    """One GROUP BY over the same rows: the metadata the statistics count, per year (a year
    starts at midnight in the project's time zone)."""
    exchanges, agencies = Exchange._meta.db_table, Agency._meta.db_table
    params: dict[str, Any] = {"zone": settings.TIME_ZONE, "year": year}
    where = ""
    if year is not None:
        where = (
            "WHERE e.sent_at >= make_timestamptz(%(year)s, 1, 1, 0, 0, 0, %(zone)s) "
            "AND e.sent_at < make_timestamptz(%(year)s + 1, 1, 1, 0, 0, 0, %(zone)s)"
        )
    sql = (
        f"SELECT extract(year FROM e.sent_at AT TIME ZONE %(zone)s), e.crime_area_id, e.kind, "  # noqa: S608
        f"s.party_id, e.task_force_id, count(*) FROM {exchanges} e "
        f"JOIN {agencies} s ON s.id = e.sender_agency_id {where} GROUP BY 1, 2, 3, 4, 5"
    )

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def statistics_year(plan: Plan) -> Figure:
    """``statistics_compute`` of the last whole year (what a recomputation of it runs)."""
    years = statistics_years()
    this_year = timezone.localdate().year
    year = this_year - 1 if this_year - 1 in years else years[-1]
    figure = measure(
        lambda _: statistics_compute(year=year),
        _nothing,
        times=plan.slow,
        warmup=1,
        bare=_bare_statistics(year),
    )
    figure.extra["year"] = year
    return figure


def statistics_all(plan: Plan) -> Figure:
    """Every year that has exchanges, computed together (``statistics_compute_years``)."""
    years = statistics_years()
    figure = measure(
        lambda _: statistics_compute_years(years=years),
        _nothing,
        times=plan.slow,
        warmup=1,
        bare=_bare_statistics(None),
    )
    figure.extra["years"] = len(years)
    return figure


# --- Size -----------------------------------------------------------------------------------


def _bytes(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


def bytes_per_exchange() -> Figure:
    """The database's size per exchange, and the main tables' with their indexes."""
    count = Exchange.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
    tables = {
        "exchanges": Exchange._meta.db_table,
        "receipts": Recipient._meta.db_table,
        "permissions": ExchangeGroupObjectPermission._meta.db_table,
        "entities": Entity._meta.db_table,
        "audit": "selec_auditevent",
        "notifications": "selec_notification",
    }
    extra: dict[str, Any] = {
        "bytes": round(database / count),
        "database_bytes": database,
        "exchanges_counted": count,
    }
    for name, table in tables.items():
        extra[f"{name}_bytes_per_exchange"] = round(_bytes(table) / count)
    return Figure(extra=extra)
