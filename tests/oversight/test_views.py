"""The DPO's pages: the audit search with its download, and the access report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import ExchangeAuditEvent
from oversight.events import OversightAuditEvent
from oversight.exports import audit_csv
from oversight.selectors import AuditRow
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from tests.oversight.scenario import FORWARD_WHY, Logged, events_since

pytestmark = pytest.mark.django_db

SEARCH = "/dpo/audit/"
Login = Callable[[Officer], Client]


def _row_ids(html: str, ids: list[int]) -> list[int]:
    """The ids among ``ids`` whose rows the page shows, in the page's order."""
    positions = {pk: html.find(f'id="event-{pk}"') for pk in ids}
    return sorted((pk for pk, at in positions.items() if at >= 0), key=positions.__getitem__)


def test_the_search_shows_each_row_with_its_justification(
    login: Login, dpo: Officer, logged: Logged
) -> None:
    scenario = [e.pk for e in events_since(logged.baseline)]
    response = login(dpo).get(SEARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert _row_ids(html, scenario) == scenario
    assert FORWARD_WHY in html
    assert logged.romanian.reference in html
    assert f'href="/dpo/access/{logged.romanian.reference}/"' in html
    assert "127.0.0.1" in html


def test_the_filters_narrow_the_page(login: Login, dpo: Officer, logged: Logged) -> None:
    scenario = events_since(logged.baseline)
    response = login(dpo).get(SEARCH, {"officer": "lo.tr", "event": ExchangeAuditEvent.CONSULTED})
    expected = [
        e.pk
        for e in scenario
        if e.actor_username == "lo.tr" and e.event == ExchangeAuditEvent.CONSULTED
    ]
    assert len(expected) == 2
    assert _row_ids(response.content.decode(), [e.pk for e in scenario]) == expected


def test_filters_that_do_not_parse_are_shown_and_left_out(login: Login, dpo: Officer) -> None:
    response = login(dpo).get(SEARCH, {"reference": "Marinescu"})
    assert response.status_code == 200
    assert 'id="filter-errors"' in response.content.decode()
    assert "SELEC-2026-000123" in response.content.decode()


def _query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_page_links_walk_the_search_at_a_constant_query_count(
    login: Login, dpo: Officer, logged: Logged, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login(dpo)
    filters = "?action=consultation&party=TR"
    consulted = [
        e.pk for e in events_since(logged.baseline) if e.action == AuditAction.CONSULTATION
    ]
    # The same count for a page of every unjustified row as for a page of one, first or not.
    whole = _query_count(client, SEARCH + filters)
    monkeypatch.setattr("oversight.views.ROWS_PER_PAGE", 1)
    first = client.get(SEARCH + filters)
    assert first.context["newer_link"] is None
    older = first.context["older_link"]
    assert _query_count(client, SEARCH + older) == _query_count(client, SEARCH + filters) == whole
    second = client.get(SEARCH + older)
    assert second.context["older_link"] is None
    shown = [row.event.pk for row in [*first.context["page"].rows, *second.context["page"].rows]]
    assert shown == consulted
    back = client.get(SEARCH + second.context["newer_link"])
    assert [row.event.pk for row in back.context["page"].rows] == consulted[:1]


def test_a_page_link_not_understood_shows_the_newest(login: Login, dpo: Officer) -> None:
    response = login(dpo).get(SEARCH, {"after": "yesterday|12"})
    assert response.status_code == 200
    assert response.context["paging_error"] is True


def test_the_download_is_the_search_as_csv_and_is_audited(
    login: Login, dpo: Officer, logged: Logged
) -> None:
    page = login(dpo).get(SEARCH, {"officer": "lo.tr"})
    response = login(dpo).get(page.context["export_link"])
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["username"] for row in rows} == {"lo.tr"}
    assert len(rows) == 3
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.event, event.action) == (OversightAuditEvent.EXPORTED, AuditAction.EXPORT)
    assert event.details["filters"] == {"username": "lo.tr"}


def test_a_download_of_filters_that_do_not_parse_is_refused(login: Login, dpo: Officer) -> None:
    response = login(dpo).get("/dpo/audit/export/", {"occurred_from": "soon"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event=OversightAuditEvent.EXPORTED).exists()


def test_a_cell_a_spreadsheet_would_take_for_a_formula_is_made_text() -> None:
    event = AuditEvent(
        pk=1,
        occurred_at=timezone.now(),
        actor_username='=HYPERLINK("http://x")',
        action=AuditAction.CONSULTATION,
        reason="+1",
        details={},
    )
    [_, line] = list(
        csv.reader(io.StringIO(audit_csv([AuditRow(event, None)], truncated=False).decode()))
    )
    assert line[2] == '\'=HYPERLINK("http://x")'
    assert line[11] == "'+1"


def test_the_access_report_lists_the_events_with_their_justification(
    login: Login, dpo: Officer, logged: Logged
) -> None:
    response = login(dpo).get(f"/dpo/access/{logged.romanian.reference}/")
    assert response.status_code == 200
    rows = response.context["report"].rows
    assert [row.event.event for row in rows][:2] == [
        ExchangeAuditEvent.SENT,
        "hit.found",
    ]
    html = response.content.decode()
    assert FORWARD_WHY in html
    assert "oversight/print.css" in html


def test_the_form_sends_a_reference_to_its_report(login: Login, dpo: Officer) -> None:
    response = login(dpo).get("/dpo/access/", {"reference": " selec-2026-000042 "})
    assert response.status_code == 302
    assert response["Location"] == "/dpo/access/SELEC-2026-000042/"


@pytest.mark.parametrize("url", ["/dpo/access/?reference=Marinescu", "/dpo/access/Marinescu/"])
def test_a_reference_not_of_the_shape_is_a_form_error(login: Login, dpo: Officer, url: str) -> None:
    response = login(dpo).get(url)
    assert response.status_code == 400
    assert 'id="reference-error"' in response.content.decode()


def test_a_reference_that_names_nothing_says_so(login: Login, dpo: Officer) -> None:
    response = login(dpo).get("/dpo/access/SELEC-1999-000001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No exchange or case has the reference SELEC-1999-000001" in html
    assert 'id="no-events"' in html


def test_the_menu_offers_the_audit_log_to_the_dpo(login: Login, dpo: Officer) -> None:
    assert 'href="/dpo/audit/"' in login(dpo).get("/").content.decode()


@pytest.mark.parametrize("persona", ["directory_admin", "analyst", "lo_ro", "nfp_bg", "obs_at"])
def test_the_menu_offers_it_to_nobody_else(
    login: Login, persona: str, request: pytest.FixtureRequest
) -> None:
    page = login(request.getfixturevalue(persona)).get("/").content.decode()
    assert 'href="/dpo/' not in page
