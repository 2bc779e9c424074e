"""An officer's own sessions: recorded at login, kept fresh at most once a minute, listed
(the current one marked), ended from the list (the ended session's next request is signed
out) or by logging out; another officer's session is not theirs to end (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Officer, PartnerAuditEvent
from partners.models_lifecycle import OfficerSession
from selec.core import session_refresh
from tests.partners.account_helpers import events, second_browser, signed_out

pytestmark = pytest.mark.django_db


def _row(client: Client) -> OfficerSession:
    return OfficerSession.objects.get(session_key=client.session.session_key)


def test_a_login_records_the_session(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    row = _row(client)
    assert row.officer == lo_ro
    assert row.ended_at is None
    assert row.started_at == row.last_seen_at


def test_the_list_marks_this_session_and_offers_to_end_the_others(login, lo_ro: Officer) -> None:
    other = second_browser(lo_ro)
    client = login(lo_ro)
    response = client.get("/account/sessions/")
    assert response.status_code == 200
    assert b"This session" in response.content
    assert f"/account/sessions/{_row(other).pk}/end/".encode() in response.content
    assert f"/account/sessions/{_row(client).pk}/end/".encode() not in response.content


def test_ending_a_session_signs_it_out_at_its_next_request(login, lo_ro: Officer) -> None:
    other = second_browser(lo_ro)
    other_row = _row(other)
    client = login(lo_ro)
    response = client.post(f"/account/sessions/{other_row.pk}/end/")
    assert response.status_code == 302
    assert signed_out(other)
    other_row.refresh_from_db()
    assert other_row.ended_at is not None
    assert client.get("/account/").status_code == 200
    [event] = events(lo_ro, PartnerAuditEvent.SESSION_ENDED)
    assert event.object_id == str(other_row.pk)
    # Gone from the list.
    listed = client.get("/account/sessions/").content
    assert f"/account/sessions/{other_row.pk}/end/".encode() not in listed


def test_the_current_session_is_not_ended_from_the_list(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    response = client.post(f"/account/sessions/{_row(client).pk}/end/", follow=True)
    assert b"log out instead" in response.content
    assert _row(client).ended_at is None
    assert client.get("/account/").status_code == 200


def test_another_officers_session_is_not_found(login, lo_ro: Officer, outsider: Officer) -> None:
    theirs = second_browser(outsider)
    response = login(lo_ro).post(f"/account/sessions/{_row(theirs).pk}/end/")
    assert response.status_code == 404
    assert not signed_out(theirs)


def test_logging_out_ends_the_session(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    row = _row(client)
    client.post("/account/logout/")
    row.refresh_from_db()
    assert row.ended_at is not None


def test_last_seen_moves_at_most_once_a_minute(login, lo_ro: Officer, monkeypatch) -> None:
    client = login(lo_ro)
    row = _row(client)
    with CaptureQueriesContext(connection) as queries:
        client.get("/account/")
    assert not [q for q in queries.captured_queries if "partners_officersession" in q["sql"]]
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)
    monkeypatch.setattr(session_refresh.timezone, "now", lambda: later)
    client.get("/account/")
    row.refresh_from_db()
    assert row.last_seen_at == later
    with CaptureQueriesContext(connection) as queries:
        client.get("/account/")
    assert not [q for q in queries.captured_queries if "partners_officersession" in q["sql"]]


def test_a_session_idle_past_the_timeout_is_not_listed(login, lo_ro: Officer) -> None:
    other = second_browser(lo_ro)
    idle = timezone.now() - dt.timedelta(
        seconds=settings.SESSION_COOKIE_AGE + settings.SESSION_REFRESH_SECONDS + 1
    )
    OfficerSession.objects.filter(pk=_row(other).pk).update(last_seen_at=idle)
    listed = login(lo_ro).get("/account/sessions/").content
    assert f"/account/sessions/{_row(other).pk}/end/".encode() not in listed


def test_the_list_costs_the_same_queries_for_one_session_or_five(
    login, lo_ro: Officer, django_assert_num_queries
) -> None:
    client = login(lo_ro)
    with CaptureQueriesContext(connection) as one:
        client.get("/account/sessions/")
    for _ in range(4):
        second_browser(lo_ro)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/account/sessions/")
    assert response.content.count(b"/end/") == 4
