"""GET /api/v1/statistics/{table}/: the same tables, access and audit as the page, as JSON,
CSV or XLSX (by format or Accept); clear 400s; and a schemathesis run of the operation for each kind of caller."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from analytics.models import Channel
from analytics.policy import Table
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from selec.wsgi import application
from tests.analytics.statistics_rows import exchange, no_statistics, store  # noqa: F401
from tests.helpers import issued_token

pytestmark = pytest.mark.usefixtures("no_statistics")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVERYBODY_ELSE = ["lo_ro", "nfp_bg", "op_it", "dpo", "directory_admin", "outsider"]


def _url(table: str) -> str:
    return f"/api/v1/statistics/{table}/"


def _token(officer: Officer) -> str:
    return issued_token(officer)[1]


@pytest.fixture
def api(db):
    """``api(officer)``: a client calling with the officer's API token."""

    def _client(officer: Officer) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {_token(officer)}")
        return client

    return _client


@pytest.fixture
def sample(no_statistics: None) -> None:  # noqa: F811
    store(
        exchange(2008, "RO", ["BG", "TR"], 5),
        exchange(2009, "BG", ["RO"], 2, kind="information", area="thb", task_force="drugs"),
        exchange(2009, "AT", ["RO"], 1, member=False, channel=Channel.MEMBERS_OBSERVERS),
    )


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("table", [t.value for t in Table])
def test_an_analyst_reads_every_table(api, analyst: Officer, table: str) -> None:
    response = api(analyst).get(_url(table), {"year": "2009"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["table"] == table


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(
    ("table", "status"),
    [("totals", 200), ("crime-types", 200), ("task-forces", 200), ("parties", 404)],
)
def test_an_observer_reads_the_strategic_tables_only(
    api, obs_at: Officer, table: str, status: int
) -> None:
    client = api(obs_at)
    for export_format in ("json", "csv", "xlsx"):
        response = client.get(_url(table), {"year": "2009", "format": export_format})
        assert response.status_code == status, export_format


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("persona", EVERYBODY_ELSE)
def test_everybody_else_gets_404_whatever_they_ask(request, api, persona: str) -> None:
    client = api(request.getfixturevalue(persona))
    for table in [*(t.value for t in Table), "money"]:
        for query in ({}, {"format": "csv"}, {"year": "20x8"}):
            response = client.get(_url(table), query)
            assert response.status_code == 404, (table, query)
            assert response.json() == {"detail": "Not found."}


def test_an_anonymous_call_is_401(db) -> None:
    response = APIClient().get(_url("totals"))
    assert response.status_code == 401


# --- Answers --------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
def test_the_json_answer_carries_codes_names_and_counts(api, analyst: Officer) -> None:
    body = api(analyst).get(_url("totals"), {"from": "2008", "to": "2009"}).json()
    assert body["years"] == [2008, 2009]
    assert [column["key"] for column in body["columns"]] == ["channel", "2008", "2009"]
    assert body["rows"][0] == {
        "key": "members_daily",
        "label": "Among members: daily exchanges",
        "year": None,
        "total": False,
        "counts": {"2008": 5, "2009": 2},
    }
    assert body["rows"][-1]["counts"] == {"2008": 5, "2009": 3}
    task_forces = api(analyst).get(_url("task-forces"), {"year": "2009"}).json()
    assert [(r["year"], r["key"], r["counts"]) for r in task_forces["rows"]] == [
        (2009, "drugs", {"requests": 0, "information_exchanges": 2}),
        (2009, None, {"requests": 1, "information_exchanges": 0}),
        (None, "total", {"requests": 1, "information_exchanges": 2}),
    ]


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({"year": "2008", "format": "csv"}, {}),
        ({"year": "2008"}, {"HTTP_ACCEPT": "text/csv"}),
    ],
    ids=["format", "accept"],
)
def test_csv_is_an_attachment_with_the_published_header(
    api, obs_at: Officer, query: dict[str, str], headers: dict[str, str]
) -> None:
    response = api(obs_at).get(_url("crime-types"), query, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="selec-statistics-crime-types-2008.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode().splitlines() == [
        "crime_area,requests,information_exchanges",
        "drugs,5,0",
        "total,5,0",
    ]


@pytest.mark.usefixtures("sample")
def test_format_xlsx_is_a_workbook_with_a_chart(api, analyst: Officer) -> None:
    response = api(analyst).get(_url("parties"), {"year": "2008", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="selec-statistics-parties-2008.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Parties 2008"]
    assert len(book.active._charts) == 1
    rows = list(book.active.iter_rows(min_row=5, values_only=True))
    assert rows[-1] == ("Total", 5, 0, 10, 0)


def test_without_years_the_api_answers_the_last_years_with_statistics(
    api, analyst: Officer
) -> None:
    store(*(exchange(year, "RO", ["BG"]) for year in (2005, 2011, 2012)))
    client = api(analyst)
    assert client.get(_url("totals")).json()["years"] == list(range(2005, 2013))
    assert client.get(_url("parties")).json()["years"] == [2012]


@pytest.mark.parametrize(
    ("table", "query", "field", "words"),
    [
        ("money", {}, "table", "Unknown table 'money'"),
        ("totals", {"format": "pdf"}, "format", "Unknown format 'pdf'"),
        ("totals", {"format": ""}, "format", "Unknown format"),
        ("totals", {"year": "20x8"}, "year", "four digits"),
        ("totals", {"year": "1900"}, "year", "from 1990 to 2100"),
        ("totals", {"from": "2010", "to": "2008"}, "to", "before it starts"),
        ("totals", {"from": "2010"}, "to", "both from and to"),
        ("totals", {"year": "2010", "from": "2008", "to": "2010"}, "year", "not both"),
        ("crime-types", {"from": "2008", "to": "2010"}, "year", "covers one year"),
        # A wrong year with format=csv: the error is JSON all the same.
        ("parties", {"year": "x", "format": "csv"}, "year", "four digits"),
    ],
)
def test_a_wrong_table_year_or_format_is_400_naming_the_parameter(
    api, analyst: Officer, table: str, query: dict[str, str], field: str, words: str
) -> None:
    response = api(analyst).get(_url(table), query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert words in errors[field][0]


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(
    ("query", "accept", "content_type"),
    [
        ({}, XLSX, XLSX),
        ({}, "text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
        ({}, "text/csv;q=0.5, application/json", "application/json"),
        # The format parameter wins over Accept.
        ({"format": "json"}, "text/csv", "application/json"),
        ({"format": "csv"}, "application/json", "text/csv; charset=utf-8"),
    ],
)
def test_without_format_the_accept_header_chooses(
    api, analyst: Officer, query: dict[str, str], accept: str, content_type: str
) -> None:
    response = api(analyst).get(_url("totals"), {"year": "2008", **query}, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_an_accept_header_no_renderer_satisfies_is_406_in_json(api, analyst: Officer) -> None:
    response = api(analyst).get(_url("totals"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"format": ""}, {}])
@pytest.mark.parametrize("persona", ["outsider", "lo_ro"])
def test_a_caller_without_statistics_gets_404_before_any_format_or_accept_error(
    request, api, persona: str, query: dict[str, str]
) -> None:
    client = api(request.getfixturevalue(persona))
    response = client.get(_url("totals"), query, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_anonymous_call_with_an_unknown_format_is_401(db) -> None:
    response = APIClient().get(_url("totals"), {"format": "pdf"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_schema_describes_the_json_csv_and_xlsx_answers(api, analyst: Officer) -> None:
    schema = api(analyst).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/statistics/{table}/"]["get"]
    assert list(operation["responses"]["200"]["content"]) == [
        "application/json",
        "text/csv",
        XLSX,
    ]
    assert list(operation["responses"]["400"]["content"]) == ["application/json"]
    [format_parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert sorted(format_parameter["schema"]["enum"]) == ["csv", "json", "xlsx"]


# --- Audit ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(
    ("export_format", "action"),
    [
        ("json", AuditAction.CONSULTATION),
        ("csv", AuditAction.EXPORT),
        ("xlsx", AuditAction.EXPORT),
    ],
)
def test_every_answer_is_audited_with_its_table_years_and_format(
    api, obs_at: Officer, export_format: str, action: str
) -> None:
    api(obs_at).get(_url("task-forces"), {"from": "2008", "to": "2009", "format": export_format})
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor_id, event.reason) == (action, obs_at.pk, "statistics API")
    assert event.details == {
        "tables": ["task-forces"],
        "years": [2008, 2009],
        "format": export_format,
    }


@pytest.mark.usefixtures("sample")
def test_a_file_chosen_by_accept_is_audited_as_an_export_of_that_format(
    api, obs_at: Officer
) -> None:
    api(obs_at).get(_url("totals"), {"year": "2009"}, HTTP_ACCEPT=XLSX)
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert event.action == AuditAction.EXPORT
    assert event.details["format"] == "xlsx"


def test_a_refused_or_wrong_call_is_not_audited(api, analyst: Officer, outsider: Officer) -> None:
    before = AuditEvent.objects.filter(action__in=["consultation", "export"]).count()
    api(outsider).get(_url("totals"))
    api(analyst).get(_url("totals"), {"year": "nope"})
    assert AuditEvent.objects.filter(action__in=["consultation", "export"]).count() == before


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(
    ("query", "accept", "status"),
    [({"format": "pdf"}, "*/*", 400), ({"format": ""}, "*/*", 400), ({}, "application/pdf", 406)],
)
def test_an_unknown_format_is_refused_and_audits_nothing(
    api, analyst: Officer, query: dict[str, str], accept: str, status: int
) -> None:
    client = api(analyst)
    before = AuditEvent.objects.count()
    response = client.get(_url("totals"), {"year": "2009", **query}, HTTP_ACCEPT=accept)
    assert response.status_code == status
    assert AuditEvent.objects.count() == before


# --- Fuzzing --------------------------------------------------------------------------------

FUZZ_PERSONAS = ["analyst", "obs.at", "lo.ro", "lo.gr"]


@pytest.fixture
def wsgi_in_test_transaction(settings) -> Iterator[None]:
    """Call the WSGI application inside the test's transaction, as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/minute"},
    }
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("sample", "wsgi_in_test_transaction")
@pytest.mark.parametrize("username", FUZZ_PERSONAS)
def test_generated_requests_get_no_5xx_and_answers_that_match_the_schema(username: str) -> None:
    officer = Officer.objects.get(username=username)
    headers = {"Authorization": f"Token {_token(officer)}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    operation = schema["/api/v1/statistics/{table}/"]["GET"]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    statuses: set[int] = set()

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case) -> None:
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        statuses.add(response.status_code)

    run()
    if username in ("analyst", "obs.at"):
        assert 200 in statuses, statuses
        assert 400 in statuses, statuses
    else:
        assert statuses == {404}
