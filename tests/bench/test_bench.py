"""The benchmark command on a small database: every figure is reported as a number, and the data
it generated is what the services would have stored. No timing is asserted: the machine
decides those."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef

from bench.database import Server, bench_name, default_connection_on
from exchanges.models import (
    Exchange,
    ExchangeGroupObjectPermission,
    ExchangeKind,
    Recipient,
    ReferenceCounter,
)
from exchanges.permissions import permissions_sync
from hits.blind_index import current_scheme
from hits.models import EntityToken
from selec.core.audit_verification import first_broken_event

EXCHANGES = 2_000
TIMED = ("p50_ms", "p95_ms", "queries")
# The figures with a bare-SQL counterpart (the others report none: null).
WITH_BARE_SQL = {
    "inbox_heavy",
    "inbox_nfp",
    "inbox_observer",
    "inbox_deep",
    "inbox_filter_overdue",
    "inbox_filter_direction",
    "inbox_filter_crime_area",
    "inbox_filter_task_force",
    "inbox_filter_due",
    "inbox_filters",
    "statistics_year",
    "statistics_all",
}
WITHOUT_BARE_SQL = {
    "dashboard_nfp",
    "dashboard_heavy",
    "thread",
    "access_report",
    "send",
    "hit_lookup",
}
HTTP = {"http_inbox", "http_send", "http_mixed"}
HTTP_FIELDS = ("requests_per_s", "p50_ms", "p95_ms", "errors")
SIZES = (
    "bytes",
    "exchanges_bytes_per_exchange",
    "receipts_bytes_per_exchange",
    "permissions_bytes_per_exchange",
)
HTTP_LOAD_PRESENT = importlib.util.find_spec("bench.http_load") is not None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.fixture
def bench_database() -> Iterator[str]:
    """The bench database of the test database, dropped after the test (it is kept to be
    inspected)."""
    name = bench_name(connection.settings_dict["NAME"])
    yield name
    Server().drop(name)


def _run_bench(report: Path) -> None:
    # A short HTTP run when the load generator is there; without it, the keys say why.
    http = ["--http-seconds", "2", "--http-clients", "2"] if HTTP_LOAD_PRESENT else []
    call_command(
        "bench",
        "--exchanges",
        str(EXCHANGES),
        "--json",
        str(report),
        "--repeat",
        "2",
        "--keep",
        *(http or ["--http-seconds", "0"]),
    )


def _assert_every_figure_is_a_number(figures: dict[str, Any]) -> None:
    assert WITH_BARE_SQL | WITHOUT_BARE_SQL | HTTP | {"bytes_per_exchange"} <= set(figures)
    for key in WITH_BARE_SQL | WITHOUT_BARE_SQL:
        figure = figures[key]
        assert "error" not in figure, (key, figure)
        assert all(_number(figure[field]) for field in TIMED), (key, figure)
    for key in WITH_BARE_SQL:
        assert _number(figures[key]["bare_p50_ms"]), key
        assert _number(figures[key]["ratio"]), key
    for limit in (10, 50, 200):
        assert _number(figures["inbox_heavy"][f"queries_{limit}"])
    assert all(_number(figures["bytes_per_exchange"][field]) for field in SIZES)
    for key in HTTP:
        if HTTP_LOAD_PRESENT:
            assert all(_number(figures[key][field]) for field in HTTP_FIELDS), (key, figures[key])
        else:
            assert "error" in figures[key]
    assert figures["generation"]["exchanges"] == EXCHANGES
    # The search is for a person another provider holds: it finds them (tokens written in
    # another scheme than the current one would be ignored as stale, and it would not).
    assert figures["hit_lookup"]["hits"] >= 1


def _assert_stored_as_the_services_store_it() -> None:
    # The permissions are exactly what the policy grants: syncing them changes nothing.
    ids = list(Exchange.objects.values_list("pk", flat=True))
    stored = set(ExchangeGroupObjectPermission.objects.values_list("pk", flat=True))
    permissions_sync(ids)
    assert set(ExchangeGroupObjectPermission.objects.values_list("pk", flat=True)) == stored
    # The audit log's chain holds through the generated events and the measured ones.
    assert first_broken_event() is None
    # Each year's counter is its last reference number.
    for year, last in ReferenceCounter.objects.values_list("year", "last"):
        assert Exchange.objects.filter(reference=f"SELEC-{year}-{last:06d}").exists()
        assert not Exchange.objects.filter(reference=f"SELEC-{year}-{last + 1:06d}").exists()
    # A reply is sent by an agency the message it answers was addressed to.
    replies = Exchange.objects.filter(kind=ExchangeKind.REPLY)
    assert replies.exists()
    addressed = Recipient.objects.filter(
        exchange=OuterRef("in_reply_to"), agency=OuterRef("sender_agency")
    )
    assert not replies.exclude(Exists(addressed)).exists()
    # The blind-index tokens are in the scheme matching reads.
    assert set(EntityToken.objects.values_list("scheme", flat=True).distinct()) == {
        current_scheme()
    }


@pytest.mark.django_db(transaction=True)
def test_the_bench_measures_every_figure_on_data_stored_as_the_services_store_it(
    tmp_path: Path, bench_database: str
) -> None:
    test_database = connection.settings_dict["NAME"]
    report = tmp_path / "bench.json"

    _run_bench(report)

    assert connection.settings_dict["NAME"] == test_database
    _assert_every_figure_is_a_number(json.loads(report.read_text()))
    with default_connection_on(bench_database):
        _assert_stored_as_the_services_store_it()
    assert connection.settings_dict["NAME"] == test_database
