"""The statistics page: who sees it and which tables, the downloads, the recomputation and its
progress, the audit of every view and export, and a constant number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.models import Channel, RunState, StatisticsRun
from analytics.policy import Table
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from tests.analytics.statistics_rows import exchange, no_statistics, store  # noqa: F401
from tests.helpers import verified_client

pytestmark = pytest.mark.usefixtures("no_statistics")

PAGE = "/analytics/"
SEES_EVERY_TABLE = ["analyst"]
SEES_STRATEGIC_TABLES = ["obs_at"]
SEES_NOTHING = ["lo_ro", "nfp_bg", "op_it", "dpo", "directory_admin", "outsider"]


def _export(table: str, export_format: str, query: str = "from=2008&to=2009") -> str:
    return f"/analytics/export/{table}/{export_format}/?{query}"


@pytest.fixture
def sample(no_statistics: None) -> None:  # noqa: F811
    store(
        exchange(2008, "RO", ["BG", "TR"], 5),
        exchange(2009, "BG", ["RO"], 2, kind="information", area="thb", task_force="drugs"),
        exchange(2009, "AT", ["RO"], 1, member=False, channel=Channel.MEMBERS_OBSERVERS),
    )


@pytest.fixture
def client_factory(db):
    """A verified client of its own for each officer, for tests that compare several."""
    return lambda officer: verified_client(Client(), officer)


def _officer(request, name: str) -> Officer:
    return request.getfixturevalue(name)


# --- Who sees what --------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
def test_an_analyst_sees_every_table_of_the_chosen_years(login, analyst: Officer) -> None:
    response = login(analyst).get(PAGE, {"from": "2008", "to": "2009"})
    assert response.status_code == 200
    content = response.content.decode()
    for heading in [
        "Exchanges per channel, 2008\N{EN DASH}2009",
        "Exchanges initiated by member countries per type of crime, 2009",
        "Exchanges per party, 2009",
        "Exchanges per task force, 2008\N{EN DASH}2009",
    ]:
        assert heading in content
    tables = response.context["tables"]
    assert [table.name for table in tables] == [t.value for t in Table]
    assert tables[0].rows[-1].counts == (5, 3)
    assert 'id="counting-rules"' in content
    assert _export("parties", "csv") in content.replace("&amp;", "&")


@pytest.mark.usefixtures("sample")
def test_an_observer_sees_the_strategic_tables_but_not_the_parties(login, obs_at: Officer) -> None:
    response = login(obs_at).get(PAGE, {"from": "2008", "to": "2009"})
    assert response.status_code == 200
    assert [table.name for table in response.context["tables"]] == [
        "totals",
        "crime-types",
        "task-forces",
    ]
    content = response.content.decode()
    assert "Exchanges per party" not in content
    assert "/analytics/export/parties/" not in content
    assert "Recompute" not in content


@pytest.mark.parametrize("persona", SEES_NOTHING)
def test_everybody_else_gets_404_for_the_page_and_its_parts(request, login, persona: str) -> None:
    client = login(_officer(request, persona))
    assert client.get(PAGE).status_code == 404
    assert client.get("/analytics/progress/").status_code == 404
    assert client.post("/analytics/recompute/", {"from": "2008", "to": "2008"}).status_code == 404
    for table in ["totals", "parties", "all"]:
        assert client.get(_export(table, "xlsx")).status_code == 404
    assert client.get(_export("totals", "csv")).status_code == 404


@pytest.mark.parametrize(
    ("persona", "shown"),
    [(name, True) for name in SEES_EVERY_TABLE + SEES_STRATEGIC_TABLES]
    + [(name, False) for name in SEES_NOTHING],
)
def test_the_navigation_offers_statistics_to_those_who_see_them(
    request, login, persona: str, shown: bool
) -> None:
    content = login(_officer(request, persona)).get("/").content.decode()
    assert (f'href="{PAGE}"' in content) is shown


# --- Downloads ------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("table", [t.value for t in Table])
def test_an_analyst_downloads_each_table_as_csv_and_xlsx(
    login, analyst: Officer, table: str
) -> None:
    client = login(analyst)
    response = client.get(_export(table, "csv"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    header = b"".join(response.streaming_content).decode().splitlines()[0]
    assert header.split(",")[0] in {"channel", "crime_area", "party", "year"}
    xlsx = client.get(_export(table, "xlsx"))
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert len(book.worksheets) == 1
    assert len(book.active._charts) == 1


@pytest.mark.usefixtures("sample")
def test_the_workbook_of_all_tables_holds_the_tables_the_officer_sees(
    analyst: Officer, obs_at: Officer, client_factory
) -> None:
    everything = client_factory(analyst).get(_export("all", "xlsx"))
    assert openpyxl.load_workbook(io.BytesIO(everything.content)).sheetnames == [
        "Totals 2008-2009",
        "Crime types 2009",
        "Parties 2009",
        "Task forces 2008-2009",
    ]
    strategic = client_factory(obs_at).get(_export("all", "xlsx"))
    assert openpyxl.load_workbook(io.BytesIO(strategic.content)).sheetnames == [
        "Totals 2008-2009",
        "Crime types 2009",
        "Task forces 2008-2009",
    ]


def test_an_observer_cannot_download_the_parties_table(login, obs_at: Officer) -> None:
    client = login(obs_at)
    assert client.get(_export("parties", "csv")).status_code == 404
    assert client.get(_export("parties", "xlsx")).status_code == 404
    assert client.get(_export("totals", "csv")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        _export("money", "csv"),
        _export("totals", "pdf"),
        _export("all", "csv"),  # several tables make a workbook, not one CSV
    ],
)
def test_an_unknown_download_is_404(login, analyst: Officer, path: str) -> None:
    assert login(analyst).get(path).status_code == 404


def test_a_download_of_a_wrong_range_is_400_with_the_reason(login, analyst: Officer) -> None:
    response = login(analyst).get(_export("totals", "csv", "from=2010&to=2008"))
    assert response.status_code == 400
    assert "before it starts" in response.content.decode()


# --- Audit ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
def test_a_view_of_the_page_is_audited_as_a_consultation(login, obs_at: Officer) -> None:
    login(obs_at).get(PAGE, {"from": "2008", "to": "2009"})
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor_id, event.reason) == (
        AuditAction.CONSULTATION,
        obs_at.pk,
        "statistics page",
    )
    assert event.details == {
        "tables": ["totals", "crime-types", "task-forces"],
        "years": [2008, 2009],
        "format": "html",
    }


@pytest.mark.usefixtures("sample")
def test_a_download_is_audited_as_an_export(login, analyst: Officer) -> None:
    login(analyst).get(_export("parties", "xlsx", "year=2008"))
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor_id) == (AuditAction.EXPORT, analyst.pk)
    assert event.details == {"tables": ["parties"], "years": [2008], "format": "xlsx"}


def test_refused_requests_leave_no_consultation_in_the_log(login, outsider: Officer) -> None:
    before = AuditEvent.objects.count()
    login(outsider).get(PAGE)
    assert AuditEvent.objects.count() == before


# --- Years ----------------------------------------------------------------------------------


def test_the_page_shows_the_last_five_years_with_statistics_by_default(
    login, analyst: Officer
) -> None:
    store(*(exchange(year, "RO", ["BG"]) for year in (2001, 2010, 2012, 2013, 2014, 2016)))
    response = login(analyst).get(PAGE)
    assert response.context["years"] == tuple(range(2010, 2017))


def test_a_wrong_range_on_the_page_is_explained_and_the_defaults_shown(
    login, analyst: Officer
) -> None:
    store(exchange(2015, "RO", ["BG"]))
    response = login(analyst).get(PAGE, {"from": "2012", "to": "2008"})
    assert response.status_code == 200
    assert "The range ends (2008) before it starts (2012)." in response.content.decode()
    assert response.context["years"] == (2015,)


# --- Recompute and progress -----------------------------------------------------------------


def test_an_analyst_asks_for_the_years_on_the_page_to_be_recomputed(
    login, analyst: Officer
) -> None:
    response = login(analyst).post("/analytics/recompute/", {"from": "2008", "to": "2010"})
    assert response.status_code == 302
    assert response["Location"] == "/analytics/?from=2008&to=2010"
    runs = StatisticsRun.objects.order_by("year")
    assert [(run.year, run.state, run.requested_by_id) for run in runs] == [
        (year, RunState.QUEUED, analyst.pk) for year in (2008, 2009, 2010)
    ]


def test_an_observer_may_not_recompute(login, obs_at: Officer) -> None:
    response = login(obs_at).post("/analytics/recompute/", {"from": "2008", "to": "2008"})
    assert response.status_code == 403
    assert not StatisticsRun.objects.exists()


def test_recompute_takes_a_post_only(login, analyst: Officer) -> None:
    assert login(analyst).get("/analytics/recompute/").status_code == 405


def test_a_wrong_range_to_recompute_is_refused_with_its_reason(login, analyst: Officer) -> None:
    client = login(analyst)
    response = client.post("/analytics/recompute/", {"from": "2010", "to": "2008"}, follow=True)
    assert "before it starts" in response.content.decode()
    future = timezone.localdate().year + 1
    response = client.post(
        "/analytics/recompute/", {"from": str(future), "to": str(future)}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1
    assert str(future) in shown[0]
    assert "being computed" not in shown[0]
    assert not StatisticsRun.objects.exists()


def test_the_recompute_button_is_for_analysts(login, analyst: Officer) -> None:
    content = login(analyst).get(PAGE, {"from": "2008", "to": "2009"}).content.decode()
    assert 'action="/analytics/recompute/"' in content
    assert "Recompute 2008\N{EN DASH}2009" in content


def _run(year: int, state: str, computed: bool = True) -> StatisticsRun:
    now = timezone.now()
    return StatisticsRun.objects.create(
        year=year,
        state=state,
        requested_at=now,
        computed_at=now - dt.timedelta(hours=3) if computed else None,
        exchanges=42,
    )


def test_the_progress_is_polled_while_a_year_is_queued_or_running(login, analyst: Officer) -> None:
    _run(2008, RunState.DONE)
    _run(2009, RunState.RUNNING, computed=False)
    client = login(analyst)
    page = client.get(PAGE, {"from": "2008", "to": "2009"}).content.decode()
    assert 'hx-get="/analytics/progress/?from=2008&amp;to=2009"' in page
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get("/analytics/progress/?from=2008&to=2009", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    content = fragment.content.decode()
    assert content.lstrip().startswith('<section id="statistics-runs"')
    assert 'hx-trigger="every 2s"' in content
    assert "Running" in content
    # The time of the last computation, in the officer's zone with its UTC value.
    assert re.search(r'<time datetime="[0-9TZ:-]+" title="[^"]+ UTC">', content)


def test_the_polling_stops_when_every_year_is_computed(login, obs_at: Officer) -> None:
    _run(2008, RunState.DONE)
    _run(2009, RunState.FAILED)
    content = login(obs_at).get("/analytics/progress/?from=2008&to=2009").content.decode()
    assert "hx-trigger" not in content
    assert "The computation has finished." in content
    assert 'href="/analytics/?from=2008&amp;to=2009"' in content
    assert "Failed" in content


# --- The page itself ------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
def test_the_page_passes_chart_data_as_json_and_runs_no_inline_script_or_style(
    login, analyst: Officer
) -> None:
    content = login(analyst).get(PAGE, {"from": "2008", "to": "2009"}).content.decode()
    scripts = re.findall(r"<script([^>]*)>", content)
    assert scripts
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert " style=" not in content
    assert "<style" not in content
    assert '<script id="chart-totals" type="application/json">' in content
    assert '<script id="chart-crime-areas" type="application/json">' in content
    assert "/static/vendor/chartjs/chart.umd.min.js" in content
    assert "/static/js/analytics.js" in content


@pytest.mark.usefixtures("sample")
def test_the_chart_data_are_the_tables_numbers(login, analyst: Officer) -> None:
    charts = login(analyst).get(PAGE, {"from": "2008", "to": "2009"}).context["charts"]
    assert charts["totals"]["labels"] == ["2008", "2009"]
    assert charts["totals"]["datasets"] == [
        {"label": "Among members: daily exchanges", "data": [5, 2]},
        {"label": "Among members: regional operations", "data": [0, 0]},
        {"label": "Between members and observers: daily exchanges", "data": [0, 1]},
    ]
    assert charts["crime_areas"]["datasets"] == [
        {"label": "Trafficking in human beings", "data": [0, 2]},
        {"label": "Drug trafficking", "data": [5, 1]},
    ]


@pytest.mark.parametrize("persona", ["analyst", "obs_at"])
def test_the_page_costs_the_same_queries_for_one_year_as_for_ten(
    request, login, persona: str, django_assert_num_queries
) -> None:
    store(
        *(
            exchange(year, sender, [recipient], year - 2000, task_force=tf, area=area)
            for year in range(2001, 2011)
            for sender, recipient, tf, area in [
                ("RO", "BG", "drugs", "drugs"),
                ("BG", "TR", None, "thb"),
                ("TR", "GR", "terrorism", "terrorism"),
            ]
        )
    )
    for year in range(2001, 2011):
        _run(year, RunState.DONE)
    client = login(_officer(request, persona))
    client.get(PAGE, {"from": "2010", "to": "2010"})  # warm up: session, content types
    with CaptureQueriesContext(connection) as one_year:
        assert client.get(PAGE, {"from": "2010", "to": "2010"}).status_code == 200
    with django_assert_num_queries(len(one_year.captured_queries)):
        response = client.get(PAGE, {"from": "2001", "to": "2010"})
    assert response.status_code == 200
    assert len(response.context["tables"][0].columns) == 11
