"""Refused attempts to reach an object are audited (who, which route, which object), and a
sweep through many addresses does not flood the log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from partners.models import Officer
from selec.core import refusals
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.scenario import send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _refusals(officer: Officer) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.REFUSAL, actor=officer).order_by("id"))


def test_a_page_answering_404_for_another_partys_exchange_is_recorded(
    login, lo_ro: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(outsider).get(f"/exchanges/{exchange.reference}/")
    assert response.status_code == 404
    (event,) = _refusals(outsider)
    assert event.reason == "access refused"
    assert event.object_type == "exchanges:thread"
    assert event.object_id == exchange.reference
    assert event.details["status"] == 404
    assert event.details["arguments"] == {"reference": exchange.reference}
    assert event.actor_party == "GR"


def test_an_api_refusal_is_recorded_and_a_success_is_not(lo_ro: Officer, outsider: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/exchanges/{exchange.reference}/").status_code == 404
    assert api.get("/api/v1/exchanges/SELEC-2026-999999/").status_code == 404
    assert [e.object_id for e in _refusals(outsider)] == [exchange.reference, "SELEC-2026-999999"]
    owner = APIClient()
    owner.force_authenticate(lo_ro)
    assert owner.get(f"/api/v1/exchanges/{exchange.reference}/").status_code == 200
    assert _refusals(lo_ro) == []


def _within_one_window(monkeypatch) -> dt.datetime:
    """Hold the clock at the start of a window: a loop crossing a minute boundary on a busy
    machine would start a new window half-way."""
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(refusals.timezone, "now", lambda: start)
    return start


def test_a_sweep_records_the_first_refusals_and_then_only_counts(
    login, outsider: Officer, monkeypatch
) -> None:
    _within_one_window(monkeypatch)
    client = login(outsider)
    limit = refusals.REFUSALS_RECORDED_PER_WINDOW
    for number in range(1, limit + 30):
        assert client.get(f"/exchanges/SELEC-2026-{number:06d}/").status_code == 404
    recorded = _refusals(outsider)
    assert len(recorded) == limit + 1
    assert recorded[-1].reason == "access refused: sweep suspected"
    assert "counted, not recorded" in recorded[-1].details["sweep"]


def test_the_next_window_reports_how_many_refusals_the_last_one_counted(
    login, outsider: Officer, monkeypatch
) -> None:
    start = _within_one_window(monkeypatch)
    client = login(outsider)
    limit = refusals.REFUSALS_RECORDED_PER_WINDOW
    for number in range(limit + 5):
        client.get(f"/exchanges/SELEC-2026-{number:06d}/")
    later = start + dt.timedelta(seconds=refusals.WINDOW_SECONDS)
    monkeypatch.setattr(refusals.timezone, "now", lambda: later)
    client.get("/exchanges/SELEC-2026-000999/")
    assert _refusals(outsider)[-1].details["refusals_in_previous_window"] == limit + 5


def test_an_anonymous_caller_is_not_recorded(client) -> None:
    assert APIClient().get("/api/v1/exchanges/SELEC-2026-000001/").status_code == 401
    assert client.get("/exchanges/SELEC-2026-000001/").status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.REFUSAL).exists()


def test_a_probe_with_control_characters_is_recorded_escaped(outsider: Officer) -> None:
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get("/api/v1/exchanges/SELEC%00%1b[31m/").status_code == 404
    (event,) = _refusals(outsider)
    assert event.object_id == "SELEC\\x00\\x1b[31m"
    assert "\x00" not in event.details["path"]
