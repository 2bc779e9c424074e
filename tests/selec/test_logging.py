"""Log lines name the request (or task) that wrote them; one access line per request; JSON for
a collector (selec/logging_config.py, selec.core.log_context, selec.core.task_context)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.test import Client

from partners.models import Officer
from selec.core.request_context import (
    RequestContext,
    enter_request_context,
    leave_request_context,
)
from selec.logging_config import logging_config

pytestmark = pytest.mark.django_db

Lines = Callable[[], list[dict[str, Any]]]
SECRET = "Zk3v9Qm2LrT8xWc1"


def _handler(log_format: str, stream: io.StringIO) -> logging.Handler:
    """The console handler of the configuration, writing to ``stream``: its formatter and
    filters, built by the logging module from the configuration's own entries."""
    config = logging_config(log_format=log_format, level="INFO")
    configurator = logging.config.DictConfigurator(config)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"][log_format]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    return handler


@contextmanager
def _capture(log_format: str) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = _handler(log_format, stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _parsed(stream: io.StringIO) -> Lines:
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    with _capture("json") as stream:
        yield _parsed(stream)


@pytest.fixture
def text_output() -> Iterator[io.StringIO]:
    with _capture("text") as stream:
        yield stream


def _access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "selec.access"]


# --- Requests -----------------------------------------------------------------------------------


def test_each_request_writes_one_access_line_with_its_fields(
    login, lo_ro: Officer, json_lines: Lines
) -> None:
    response = login(lo_ro).get("/notifications/")
    assert response.status_code == 200
    [line] = _access_lines(json_lines())
    assert line["request_id"] == response["X-Request-ID"]
    assert line["officer_id"] == lo_ro.pk
    assert line["route"] == "notifications/"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "INFO"
    assert line["message"] == "GET /notifications/ 200"
    assert line["timestamp"].endswith("+00:00")


@pytest.mark.urls("tests.selec.error_urls")
def test_a_line_written_during_the_request_carries_the_same_fields(
    login, lo_ro: Officer, json_lines: Lines
) -> None:
    response = login(lo_ro).get("/test/logging/7/")
    assert response.status_code == 200
    [line] = [line for line in json_lines() if line["logger"] == "selec.test"]
    assert line["message"] == "a line written during the request"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["officer_id"] == lo_ro.pk
    assert line["route"] == "test/logging/<int:number>/"
    assert line["status"] is None  # not answered yet
    assert line["level"] == "WARNING"


@pytest.mark.urls("tests.selec.error_urls")
def test_the_traceback_of_a_failure_carries_the_id_its_page_quotes(json_lines: Lines) -> None:
    response = Client(raise_request_exception=False).get("/test/failing/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id.encode() in response.content
    lines = [line for line in json_lines() if line["request_id"] == request_id]
    [failure] = [line for line in lines if line["logger"] == "django.request"]
    assert failure["level"] == "ERROR"
    assert "ValueError: a defect" in failure["exc_info"]
    assert {line["logger"] for line in lines} == {"selec.test", "django.request", "selec.access"}


def test_django_s_line_about_a_refusal_names_the_request(
    login, lo_ro: Officer, json_lines: Lines
) -> None:
    # Django writes it once the middleware has returned: the request carries its context.
    response = login(lo_ro).get("/exchanges/SELEC-2026-999999/")
    assert response.status_code == 404
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["status"] == 404


def test_no_line_names_an_invitation_s_secret(client: Client, json_lines: Lines) -> None:
    client.get(f"/account/invitation/{SECRET}/")
    lines = json_lines()
    assert lines, "the request was logged"
    assert all(SECRET not in json.dumps(line) for line in lines)
    assert any("/account/invitation/[hidden]/" in line["message"] for line in lines)


def test_the_text_format_names_the_request_too(client: Client, text_output: io.StringIO) -> None:
    response = client.get("/healthz")
    assert f"selec.access [{response['X-Request-ID']}] GET /healthz 200" in text_output.getvalue()


def test_every_handler_of_the_settings_names_the_request_and_hides_secrets() -> None:
    for handler in django_settings.LOGGING["handlers"].values():
        assert handler["filters"] == ["hide_url_secrets", "request_context"]
    # The test run's console stays readable; production writes JSON (LOG_FORMAT).
    assert django_settings.LOG_FORMAT == "text"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")


# --- Celery tasks -------------------------------------------------------------------------------


def _wait_for(lines: Lines, message: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [line for line in lines() if line["message"] == message]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{message!r} was never logged")


def test_a_task_queued_for_a_request_logs_that_request_s_id(celery_app) -> None:
    @celery_app.task(name="tests.selec.log_a_line")
    def log_a_line(message: str) -> None:
        logging.getLogger("selec.test").warning(message)

    request_id = uuid.uuid4().hex
    # The handler is added once the worker has started: starting it sets Django up, which
    # applies the LOGGING of the settings again.
    with start_worker(celery_app, pool="solo", perform_ping_check=False), _capture("json") as out:
        json_lines = _parsed(out)
        token = enter_request_context(RequestContext(request_id=request_id))
        try:
            queued = log_a_line.delay("for the request")
        finally:
            leave_request_context(token)
        [line] = _wait_for(json_lines, "for the request")
        # Queued by no request (the beat, another task): the worker's context is empty again.
        unrelated = log_a_line.delay("for no request")
        [other] = _wait_for(json_lines, "for no request")
    assert line["request_id"] == request_id
    assert line["task_name"] == "tests.selec.log_a_line"
    assert line["task_id"] == queued.id
    assert other["request_id"] is None
    assert other["task_id"] == unrelated.id
