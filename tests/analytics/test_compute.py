"""The yearly computation: ExchangeStatistic holds exactly what the counting rules give, for
imported logs and live exchanges alike, however often and however concurrently it runs."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zoneinfo
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from analytics import queries
from analytics.models import ExchangeStatistic, RunState, StatisticsRun
from analytics.services import (
    COMPUTATION_SETTINGS,
    statistics_compute,
    statistics_compute_years,
    statistics_years,
)
from cases.models import CaseKind, CaseStatus
from cases.services import CaseDetails, case_create
from exchanges.models import Exchange, ExchangeKind, Priority
from exchanges.services.sending import exchange_reply, exchange_send
from partners.models import Officer, Party
from partners.services.party_status import party_change_status
from selec.reference import load_reference_data
from taskforces.models import CrimeArea
from tests.analytics.logs import (
    LogRow,
    Metadata,
    StatusHistory,
    expected_statistics,
    generate_log,
    import_rows,
    imported_metadata,
    stored_statistics,
)
from tests.exchanges.scenario import agency_ids, message, send

pytestmark = pytest.mark.django_db

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")
# Either side of the SELEC Convention's entry into force (7 October 2011), when HR and SI left,
# IT became an operational partner and the SECI-only observers lost their status.
LOG_YEARS = range(2009, 2014)


@pytest.fixture
def generated_log():
    history = StatusHistory()
    rows = generate_log(history, rows=3000, years=LOG_YEARS, seed=7)
    import_rows(rows, "generated.csv")
    return history, rows


def _compute(years) -> None:
    for year in years:
        statistics_compute(year=year)


def _per(counts: Counter, *positions: int, grain_once: bool = True, **where: object) -> Counter:
    """Sum the counts by the key columns at ``positions``, over one grain."""
    names = ("year", "area", "kind", "channel", "sender", "member", "recipient", "task_force")
    out: Counter = Counter()
    for key, n in counts.items():
        if (key[6] is None) != grain_once:
            continue
        fields = dict(zip(names, key, strict=True))
        if all(fields[k] == v for k, v in where.items()):
            out[tuple(key[p] for p in positions)] += n
    return out


# --- Imported logs ----------------------------------------------------------------------------


def test_a_generated_log_gives_exactly_the_counts_of_the_rules(generated_log) -> None:
    history, rows = generated_log
    _compute(LOG_YEARS)
    expected = expected_statistics(history, imported_metadata(rows))
    stored = stored_statistics(LOG_YEARS)

    # The published tables, one by one, then every row of both grains.
    assert _per(stored, 0, 3) == _per(expected, 0, 3)  # totals per year and channel
    assert _per(stored, 0, 1, 2, member=True) == _per(expected, 0, 1, 2, member=True)
    assert _per(stored, 0, 4, 2) == _per(expected, 0, 4, 2)  # sent per party
    assert _per(stored, 0, 6, 2, grain_once=False) == _per(expected, 0, 6, 2, grain_once=False)
    assert _per(stored, 0, 7) == _per(expected, 0, 7)  # per task force
    assert stored == expected
    assert sum(_per(stored, 0).values()) == len(rows)
    # The log spans the Convention: both statuses of Croatia show, and all three channels.
    assert {key[3] for key in stored} == {
        "members_daily",
        "members_observers",
        "regional_operations",
    }


def test_the_run_records_rows_exchanges_and_the_time_of_the_computation(generated_log) -> None:
    _history, rows = generated_log
    year = 2010
    before = dt.datetime.now(dt.UTC)
    run = statistics_compute(year=year)
    assert run.state == RunState.DONE
    assert run.exchanges == sum(1 for row in rows if row.day.year == year)
    assert run.rows == ExchangeStatistic.objects.filter(year=year).count()
    assert run.computed_at == run.finished_at
    assert run.started_at is not None
    assert run.computed_at is not None
    assert before <= run.started_at <= run.computed_at
    assert run.error == ""


def test_recomputing_gives_identical_rows(generated_log) -> None:
    columns = [f.attname for f in ExchangeStatistic._meta.fields if f.attname != "id"]

    def content() -> list[tuple]:
        return sorted(ExchangeStatistic.objects.filter(year=2012).values_list(*columns), key=repr)

    statistics_compute(year=2012)
    first = content()
    statistics_compute(year=2012)
    assert content() == first
    assert first


def test_a_failed_computation_keeps_the_previous_rows_and_records_the_error(
    generated_log, monkeypatch
) -> None:
    statistics_compute(year=2011)
    previous = stored_statistics([2011])
    monkeypatch.setattr(queries, "YEARLY_STATISTICS", "SELECT 1 / 0")
    with pytest.raises(Exception, match="division by zero"):
        statistics_compute(year=2011)
    assert stored_statistics([2011]) == previous
    run = StatisticsRun.objects.get(year=2011)
    assert run.state == RunState.FAILED
    assert "division by zero" in run.error
    assert run.computed_at is not None
    assert run.finished_at is not None
    assert run.computed_at < run.finished_at


def test_a_year_without_exchanges_has_no_rows(generated_log) -> None:
    run = statistics_compute(year=2003)
    assert (run.state, run.rows, run.exchanges) == (RunState.DONE, 0, 0)
    assert not ExchangeStatistic.objects.filter(year=2003).exists()


def test_the_years_with_data_are_those_of_live_and_imported_exchanges(
    generated_log, lo_ro: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", attachments=())
    Exchange.objects.filter(pk=exchange.pk).update(sent_at=dt.datetime(2019, 5, 1, tzinfo=dt.UTC))
    assert statistics_years() == [*LOG_YEARS, 2019]


# --- Several years at once ---------------------------------------------------------------------

# The runs marked running; in the computation's transaction (a savepoint here) its settings,
# the years' locks, the statement and the runs marked done; the runs read back. The same for
# one year as for twenty.
QUERIES_OF_A_COMPUTATION = 8


def _queries_to_compute(years) -> int:
    with CaptureQueriesContext(connection) as captured:
        statistics_compute_years(years=years)
    return len(captured)


def test_computing_one_year_or_five_costs_the_same_few_queries(generated_log) -> None:
    assert _queries_to_compute([2011]) == QUERIES_OF_A_COMPUTATION
    assert _queries_to_compute(LOG_YEARS) == QUERIES_OF_A_COMPUTATION
    with CaptureQueriesContext(connection) as captured:
        statistics_compute(year=2012)
    assert len(captured) == QUERIES_OF_A_COMPUTATION


def test_the_combinations_are_hashed_however_many_the_planner_expects(generated_log) -> None:
    # The planner expects a combination per exchange, and ten rows for each set-returning
    # function: for every year of a large database, more than any room to hash, and it sorted
    # them on disk. With so little room that the test's few look as many, they hash still.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COMPUTATION_SETTINGS)
        cursor.execute("SET LOCAL work_mem = '64kB'; SET LOCAL hash_mem_multiplier = 1")
        cursor.execute(
            f"EXPLAIN {queries.YEARLY_STATISTICS}",
            {"years": list(LOG_YEARS), "time_zone": settings.TIME_ZONE},
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    grouping = plan.split("CTE compared", 1)[1].split("CTE ", 1)[0]
    assert "HashAggregate" in grouping, grouping
    assert "GroupAggregate" not in grouping, grouping


def test_years_computed_together_give_the_counts_of_years_computed_one_by_one(
    generated_log, lo_ro: Officer
) -> None:
    _history, rows = generated_log
    # A live exchange in a year of the log, and one in a year of its own.
    _sent_at(send(lo_ro, "Bulgarian Police", attachments=()), dt.date(2010, 6, 1))
    _sent_at(send(lo_ro, "Police of Austria", attachments=()), dt.date(2016, 6, 1))
    years = [*LOG_YEARS, 2016]
    _compute(years)
    one_by_one = stored_statistics(years)
    ExchangeStatistic.objects.all().delete()

    runs = statistics_compute_years(years=reversed(years))
    assert stored_statistics(years) == one_by_one
    assert [(run.year, run.state) for run in runs] == [(year, RunState.DONE) for year in years]
    expected = Counter({year: sum(1 for row in rows if row.day.year == year) for year in years})
    expected.update([2010, 2016])
    assert {run.year: run.exchanges for run in runs} == expected


def test_a_recomputation_writes_only_the_rows_whose_counts_changed(generated_log) -> None:
    history, rows = generated_log
    statistics_compute(year=2012)
    before = dict(ExchangeStatistic.objects.filter(year=2012).values_list("pk", "exchanges"))

    statistics_compute(year=2012)
    assert dict(ExchangeStatistic.objects.filter(year=2012).values_list("pk", "exchanges")) == (
        before
    )

    # Another log of the year: some counts grow, some combinations are new.
    more = generate_log(history, rows=300, years=range(2012, 2013), seed=8)
    import_rows(more, "more.csv")
    statistics_compute(year=2012)
    after = dict(ExchangeStatistic.objects.filter(year=2012).values_list("pk", "exchanges"))
    of_2012 = [row for row in [*rows, *more] if row.day.year == 2012]
    assert stored_statistics([2012]) == expected_statistics(history, imported_metadata(of_2012))
    kept = before.keys() & after.keys()
    assert kept
    assert any(after[pk] != before[pk] for pk in kept)
    assert after.keys() - before.keys()


def test_a_combination_no_longer_counted_loses_its_row(lo_ro: Officer) -> None:
    exchange = _sent_at(send(lo_ro, "Hungarian Police", attachments=()), dt.date(2024, 3, 1))
    statistics_compute(year=2024)
    assert _channels(2024) == Counter({"members_daily": 1})
    Exchange.objects.filter(pk=exchange.pk).update(crime_area=CrimeArea.objects.get(code="thb"))
    statistics_compute(year=2024)
    assert set(
        ExchangeStatistic.objects.filter(year=2024).values_list("crime_area__code", flat=True)
    ) == {"thb"}


# --- Party status at the exchange's date ------------------------------------------------------


def test_croatia_counts_as_a_member_in_2008_and_as_a_former_member_in_2015() -> None:
    import_rows(
        [
            LogRow(dt.date(2008, 4, 1), "RO", ("HR",), "request", "drugs", "daily"),
            LogRow(dt.date(2008, 4, 2), "HR", ("BG",), "information", "drugs", "daily"),
            LogRow(dt.date(2015, 4, 1), "RO", ("HR",), "request", "drugs", "daily"),
            LogRow(dt.date(2015, 4, 2), "HR", ("BG",), "information", "drugs", "daily"),
        ]
    )
    _compute([2008, 2015])
    once = ExchangeStatistic.objects.filter(recipient_party__isnull=True)
    assert set(once.filter(year=2008).values_list("channel", "sender_is_member")) == {
        ("members_daily", True)
    }
    assert set(once.filter(year=2015).values_list("sender_party__code", "sender_is_member")) == {
        ("RO", True),
        ("HR", False),
    }
    assert set(once.filter(year=2015).values_list("channel", flat=True)) == {"members_observers"}


def test_a_status_change_an_admin_records_changes_the_channel_from_its_date(
    lo_ro: Officer, directory_admin: Officer
) -> None:
    _sent_at(send(lo_ro, "Hungarian Police", attachments=()), dt.date(2025, 3, 1))
    _sent_at(send(lo_ro, "Hungarian Police", attachments=()), dt.date(2025, 9, 1))
    statistics_compute(year=2025)
    assert _channels(2025) == Counter({"members_daily": 2})

    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="HU"),
        status="observer",
        effective_from=dt.date(2025, 6, 1),
        note="Left the Convention",
    )
    statistics_compute(year=2025)
    assert _channels(2025) == Counter({"members_daily": 1, "members_observers": 1})
    # The exchange of September: Hungary, an observer by then, was its recipient.
    after_the_change = ExchangeStatistic.objects.get(
        year=2025, recipient_party__code="HU", channel="members_observers"
    )
    assert after_the_change.exchanges == 1


def test_of_two_changes_effective_the_same_day_the_last_recorded_counts(
    lo_ro: Officer, directory_admin: Officer
) -> None:
    _sent_at(send(lo_ro, "Hungarian Police", attachments=()), dt.date(2025, 9, 1))
    hungary = Party.objects.get(code="HU")
    for status in ("observer", "member"):
        party_change_status(
            actor=directory_admin, party=hungary, status=status, effective_from=dt.date(2025, 6, 1)
        )
    statistics_compute(year=2025)
    assert _channels(2025) == Counter({"members_daily": 1})


# --- Live exchanges ---------------------------------------------------------------------------


def _sent_at(exchange: Exchange, day: dt.date, hour: int = 12) -> Exchange:
    """Date a live exchange (sent now by the services) on a day of the test's choosing."""
    moment = dt.datetime.combine(day, dt.time(hour), tzinfo=BUCHAREST)
    Exchange.objects.filter(pk=exchange.pk).update(sent_at=moment)
    return exchange


def _channels(year: int) -> Counter:
    counts: Counter = Counter()
    for channel, n in ExchangeStatistic.objects.filter(
        year=year, recipient_party__isnull=True
    ).values_list("channel", "exchanges"):
        counts[channel] += n
    return counts


def _regional_operation(lead: Officer, *partners: str):
    return case_create(
        officer=lead,
        kind=CaseKind.REGIONAL_OPERATION,
        details=CaseDetails(name="Operation Tara", started_on=dt.date(2020, 1, 1)),
        status=CaseStatus.ACTIVE,
        agency_ids=agency_ids(*partners),
    )


def test_live_exchanges_are_counted_by_the_rules(
    lo_ro: Officer, lo_bg: Officer, op_it: Officer, outsider: Officer
) -> None:
    day = dt.date(2020, 5, 4)
    drugs = CrimeArea.objects.get(code="drugs").pk
    to_bulgaria_and_turkey = send(
        lo_ro, "Bulgarian Police", "Bulgarian Customs Agency", "Turkish Customs", attachments=()
    )
    reply = exchange_reply(
        officer=lo_bg, parent=to_bulgaria_and_turkey, message=message(attachments=())
    )
    to_an_observer = send(lo_ro, "Police of Austria", kind=ExchangeKind.INFORMATION, attachments=())
    operation = _regional_operation(lo_ro, "Bulgarian Police")
    seizure = exchange_send(
        officer=lo_ro,
        kind=ExchangeKind.SEIZURE,
        recipient_agency_ids=agency_ids("Bulgarian Police"),
        crime_area_id=drugs,
        priority=Priority.ROUTINE,
        message=message(attachments=()),
        case_id=operation.pk,
    )
    from_a_partner = send(op_it, "Romanian Police", attachments=())
    # Counted whatever its permissions: nobody above may read it.
    unseen = send(outsider, "Albanian State Police", attachments=())
    live = [to_bulgaria_and_turkey, reply, to_an_observer, seizure, from_a_partner, unseen]
    for exchange in live:
        _sent_at(exchange, day)

    statistics_compute(year=2020)

    history = StatusHistory()
    expected = expected_statistics(
        history,
        [
            Metadata(day, "RO", frozenset({"BG", "TR"}), "request", "drugs", None, False),
            Metadata(day, "BG", frozenset({"RO"}), "reply", "drugs", None, False),
            Metadata(day, "RO", frozenset({"AT"}), "information", "drugs", None, False),
            Metadata(day, "RO", frozenset({"BG"}), "seizure", "drugs", None, True),
            Metadata(day, "IT", frozenset({"RO"}), "request", "drugs", None, False),
            Metadata(day, "GR", frozenset({"AL"}), "request", "drugs", None, False),
        ],
    )
    assert stored_statistics([2020]) == expected
    assert _channels(2020) == Counter(
        {"members_daily": 3, "members_observers": 2, "regional_operations": 1}
    )
    # Two agencies of Bulgaria are one receiving party.
    received = ExchangeStatistic.objects.filter(year=2020, recipient_party__code="BG")
    assert sum(received.values_list("exchanges", flat=True)) == 2
    kinds: Counter[str] = Counter()
    for kind, n in ExchangeStatistic.objects.filter(
        year=2020, recipient_party__isnull=True
    ).values_list("kind", "exchanges"):
        kinds[kind] += n
    assert kinds == Counter({"request": 3, "information": 3})


def test_a_party_counts_once_per_exchange_whichever_of_its_agencies_are_addressed(
    lo_ro: Officer,
) -> None:
    day = dt.date(2024, 3, 5)
    for agencies in (
        ("Bulgarian Customs Agency",),
        ("Bulgarian Police", "Bulgarian Customs Agency", "National Focal Point of Bulgaria"),
        ("National Focal Point of Bulgaria", "Hungarian Police"),
    ):
        _sent_at(send(lo_ro, *agencies, attachments=()), day)
    statistics_compute(year=2024)

    received: Counter = Counter()
    for party, n in ExchangeStatistic.objects.filter(
        year=2024, recipient_party__isnull=False
    ).values_list("recipient_party__code", "exchanges"):
        received[party] += n
    assert received == Counter({"BG": 3, "HU": 1})
    assert _channels(2024) == Counter({"members_daily": 3})


def test_an_exchange_with_no_addressed_recipient_counts_once_and_for_no_party(
    lo_ro: Officer,
) -> None:
    # Only the receipts the sender addressed count; a forwarded one makes no new recipient.
    exchange = _sent_at(send(lo_ro, "Police of Austria", attachments=()), dt.date(2023, 4, 2))
    exchange.recipients.update(via="forwarded")
    statistics_compute(year=2023)

    assert _channels(2023) == Counter({"members_daily": 1})
    assert not ExchangeStatistic.objects.filter(year=2023, recipient_party__isnull=False).exists()


def test_a_sender_is_a_member_until_midnight_of_the_day_its_status_changes(
    lo_bg: Officer, directory_admin: Officer
) -> None:
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status="observer",
        effective_from=dt.date(2025, 6, 1),
        note="Left the Convention",
    )
    for moment in (dt.datetime(2025, 5, 31, 23, 30), dt.datetime(2025, 6, 1, 0, 30)):
        exchange = send(lo_bg, "Romanian Police", attachments=())
        Exchange.objects.filter(pk=exchange.pk).update(sent_at=moment.replace(tzinfo=BUCHAREST))
    statistics_compute(year=2025)

    once = ExchangeStatistic.objects.filter(year=2025, recipient_party__isnull=True)
    assert sorted(once.values_list("channel", "sender_is_member", "exchanges")) == [
        ("members_daily", True, 1),
        ("members_observers", False, 1),
    ]


def test_an_exchange_counts_in_the_year_of_its_date_at_headquarters(lo_ro: Officer) -> None:
    # 22:30 UTC on 31 December is already New Year's Day in Bucharest (UTC+2).
    new_year = send(lo_ro, "Bulgarian Police", attachments=())
    old_year = send(lo_ro, "Bulgarian Police", attachments=())
    Exchange.objects.filter(pk=new_year.pk).update(
        sent_at=dt.datetime(2021, 12, 31, 22, 30, tzinfo=dt.UTC)
    )
    Exchange.objects.filter(pk=old_year.pk).update(
        sent_at=dt.datetime(2021, 12, 31, 21, 30, tzinfo=dt.UTC)
    )
    _compute([2021, 2022])
    assert _channels(2021) == Counter({"members_daily": 1})
    assert _channels(2022) == Counter({"members_daily": 1})


def test_live_and_imported_exchanges_of_one_year_add_up(lo_ro: Officer) -> None:
    _sent_at(send(lo_ro, "Bulgarian Police", attachments=()), dt.date(2019, 2, 1))
    import_rows([LogRow(dt.date(2019, 3, 1), "RO", ("BG",), "request", "drugs", "daily")])
    run = statistics_compute(year=2019)
    assert run.exchanges == 2
    # The log names no task force: the import takes the crime area's; the live one named none.
    rows = ExchangeStatistic.objects.filter(year=2019, recipient_party__isnull=True)
    assert sorted(rows.values_list("channel", "task_force__code", "exchanges"), key=repr) == [
        ("members_daily", "drugs", 1),
        ("members_daily", None, 1),
    ]


# --- Concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_computations_of_one_year_at_once_leave_one_correct_set() -> None:
    # Parallel transactions need committed data: the transactional database starts empty.
    load_reference_data()
    history = StatusHistory()
    rows = generate_log(history, rows=2000, years=range(2012, 2013), seed=11)
    import_rows(rows)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def compute() -> None:
        try:
            start.wait()
            statistics_compute(year=2012)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=compute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert stored_statistics([2012]) == expected_statistics(history, imported_metadata(rows))
    assert StatisticsRun.objects.get(year=2012).state == RunState.DONE


# --- Demo history -------------------------------------------------------------------------------

SEED_TOTALS = {
    2006: {"members_daily": 4334, "regional_operations": 1069, "members_observers": 550},
    2007: {"members_daily": 6561, "regional_operations": 532, "members_observers": 490},
    2008: {"members_daily": 8323, "regional_operations": 495, "members_observers": 378},
}
SEED_CRIME_TYPES_2008 = {
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


def test_the_demo_history_reproduces_the_tables_of_the_seci_center_idempotently() -> None:
    out = io.StringIO()
    call_command("load_demo_history", stdout=out, stderr=out)
    assert "imported (22,732 exchanges)" in out.getvalue()
    once = ExchangeStatistic.objects.filter(recipient_party__isnull=True)
    first = stored_statistics([2006, 2007, 2008])

    totals: dict[int, Counter] = {year: Counter() for year in SEED_TOTALS}
    for year, channel, n in once.values_list("year", "channel", "exchanges"):
        totals[year][channel] += n
    assert totals == SEED_TOTALS
    by_area: dict[str, list[int]] = {}
    for area, kind, n in once.filter(year=2008, sender_is_member=True).values_list(
        "crime_area__code", "kind", "exchanges"
    ):
        by_area.setdefault(area, [0, 0])[0 if kind == "request" else 1] += n
    # The seed's ten crime types exactly; what its totals count beyond them is "other".
    other = by_area.pop("other")
    assert {area: tuple(n) for area, n in by_area.items()} == SEED_CRIME_TYPES_2008
    assert sum(other) == 550

    again = io.StringIO()
    call_command("load_demo_history", stdout=again, stderr=again)
    assert "already imported" in again.getvalue()
    assert "Differs" not in again.getvalue()
    assert stored_statistics([2006, 2007, 2008]) == first
