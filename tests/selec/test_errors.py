"""A database outage answers 503 with Retry-After; any other failure 500; both name the request
id, as JSON under /api/ and as a page elsewhere, rendered without the database
(``selec.core.errors``, ``selec.core.api_errors``)."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from selec.core.errors import RETRY_AFTER_SECONDS, is_database_outage, server_error
from selec.core.request_context import (
    RequestContext,
    enter_request_context,
    leave_request_context,
)
from tests.selec import servers
from tests.selec.error_urls import query_an_unreachable_database

REQUEST_ID = "0123456789abcdef0123456789abcdef"


def _outage() -> OperationalError:
    with pytest.raises(OperationalError) as raised:
        query_an_unreachable_database()
    return raised.value


def _answer(path: str, error: BaseException):
    """What handler500 answers for ``path`` while ``error`` is in flight."""
    token = enter_request_context(RequestContext(request_id=REQUEST_ID))
    try:
        try:
            raise error
        except BaseException:
            return server_error(RequestFactory().get(path))
    finally:
        leave_request_context(token)


# --- handler500 ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_database_outage_is_a_503_page_naming_the_request_id_rendered_without_queries(
    django_assert_num_queries,
) -> None:
    error = _outage()
    with django_assert_num_queries(0):
        response = _answer("/exchanges/", error)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert b"Temporarily unavailable" in response.content
    assert REQUEST_ID.encode() in response.content


@pytest.mark.django_db
def test_a_database_outage_under_the_api_is_503_json() -> None:
    response = _answer("/api/v1/exchanges/", _outage())
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json.loads(response.content) == {
        "detail": "The service is temporarily unavailable; please try again shortly.",
        "request_id": REQUEST_ID,
    }


@pytest.mark.django_db
def test_any_other_failure_is_a_500_page_naming_the_request_id(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        response = _answer("/exchanges/", ValueError("a defect"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert b"Something went wrong" in response.content
    assert REQUEST_ID.encode() in response.content


def test_any_other_failure_under_the_api_is_500_json() -> None:
    response = _answer("/api/v1/exchanges/", KeyError("x"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "detail": "Internal error: it has been logged.",
        "request_id": REQUEST_ID,
    }


@pytest.mark.django_db
def test_an_outage_is_recognised_behind_the_error_it_caused() -> None:
    wrapped = RuntimeError("while rendering")
    wrapped.__cause__ = _outage()
    assert is_database_outage(wrapped)
    assert not is_database_outage(ValueError("a defect"))
    assert not is_database_outage(None)


# --- Through the middleware, in-process ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls("tests.selec.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/test/outage/", 503, "text/html; charset=utf-8"),
        ("/api/test/outage/", 503, "application/json"),
        ("/test/failing/", 500, "text/html; charset=utf-8"),
        ("/api/test/failing/", 500, "application/json"),
    ],
)
def test_a_failing_view_is_answered_with_the_id_its_response_carries(
    path: str, status: int, content_type: str
) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    assert response["Content-Type"] == content_type
    assert response["X-Request-ID"].encode() in response.content
    assert response.has_header("Retry-After") == (status == 503)


# --- A real outage: the application started against a database that is not there -----------


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": "localhost", **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_with_its_database_down_the_application_answers_503_and_logs_the_request_id(
    tmp_path: Path,
) -> None:
    log = tmp_path / "server.log"
    environment = {
        "SELEC_ENV": "test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/selec",  # nothing listens there
        "CELERY_BROKER_URL": "",
        "LOG_FORMAT": "json",
        "ALLOWED_HOSTS": "localhost",
    }
    with servers.application(environment, log) as port:
        # A session cookie: the session is read from the database.
        status, headers, page = _get(port, "/exchanges/", {"Cookie": "sessionid=abcdefgh"})
        # A token: the API looks it up in the database.
        api_status, api_headers, api_body = _get(
            port, "/api/v1/exchanges/", {"Authorization": "Token selec_abcdefgh"}
        )
        ready_status, _, ready_body = _get(port, "/readyz", {})
        live_status, _, _ = _get(port, "/healthz", {})

    assert status == 503, page
    assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert headers["X-Request-ID"].encode() in page
    assert api_status == 503, api_body
    assert api_headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert json.loads(api_body)["request_id"] == api_headers["X-Request-ID"]
    assert ready_status == 503
    assert json.loads(ready_body)["checks"]["database"]["status"] == "unreachable"
    assert live_status == 200
    # The id the page asks the officer to quote finds the failure in the log.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    about_page = [line for line in lines if line.get("request_id") == headers["X-Request-ID"]]
    assert {line["level"] for line in about_page} >= {"ERROR"}
    assert any("OperationalError" in line.get("exc_info", "") for line in about_page)
