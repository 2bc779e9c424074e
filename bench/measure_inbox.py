"""The inbox's figures: its first page, a deep page reached by its cursor, and its filters,
each beside the one SELECT that returns the same rows."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.measure import Figure, Plan, count_queries, fresh_officer, measure
from exchanges.models import Exchange, ExchangeGroupObjectPermission, Recipient
from exchanges.permissions import exchange_permission_ids
from exchanges.policy import Perm
from exchanges.selectors_inbox import (
    Direction,
    InboxPage,
    InboxQuery,
    InboxSort,
    Position,
    inbox_search,
)
from partners.models import Officer
from partners.selectors import officer_group_ids
from taskforces.models import CrimeArea, TaskForce

PAGE = 50
DEEP_PAGE = 100


# --- Bare SQL --------------------------------------------------------------------------------


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


# --- The inbox -------------------------------------------------------------------------------


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

    def page(
        self, query: InboxQuery, *, after: Position | None = None, limit: int = PAGE
    ) -> Callable[[Officer], InboxPage]:
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
                functools.partial(inbox_search, query=query, now=now),
                self.fresh,
                times=self.plan.repeat,
                warmup=self.plan.warmup,
                bare=_bare_rows(where, order, params),
            )
        return figures
