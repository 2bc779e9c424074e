"""The dissemination queue: the provider decides, the requester follows, nobody else sees."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import DisseminationRequest, DisseminationStatus, Exchange
from exchanges.selectors import exchanges_visible_to
from exchanges.services import dissemination_requests, sending
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import agency_of, verified_client

pytestmark = pytest.mark.django_db

QUEUE = "/exchanges/dissemination-requests/"


def _decide_url(filed: DisseminationRequest) -> str:
    return f"{QUEUE}{filed.pk}/decide/"


def _ask_to_share_with_greece(officer: Officer, exchange: Exchange) -> DisseminationRequest:
    return dissemination_requests.dissemination_request_file(
        officer=officer,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Hellenic Police"),
        intended_use="Joint investigation Aegean",
        justification="The courier was seen in Thessaloniki.",
    )


def _queue(client: Client) -> str:
    response = client.get(QUEUE)
    assert response.status_code == 200
    return response.content.decode()


def _section(content: str, heading_id: str) -> str:
    start = content.index(f'id="{heading_id}"')
    end = content.find("</section>", start)
    return content[start:end]


def test_the_provider_sees_the_pending_requests_on_its_exchanges_with_what_they_ask(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    to_decide = _section(_queue(login(lo_ro)), "to-decide")
    assert f'href="/exchanges/{exchange.reference}/"' in to_decide
    assert "Bulgarian Police" in to_decide
    assert "Share with further agencies (lift H2)" in to_decide
    assert "Hellenic Police" in to_decide
    assert "Joint investigation Aegean" in to_decide
    assert "The courier was seen in Thessaloniki." in to_decide
    assert f'action="{_decide_url(filed)}"' in to_decide
    # The queue shows references, never the exchange's content.
    assert "Cocaine shipment" not in to_decide


def test_the_requesting_agency_follows_its_requests_and_their_decisions(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    client = login(lo_bg)
    content = _queue(client)
    assert exchange.reference not in _section(content, "to-decide")
    assert "Pending" in _section(content, "filed")
    dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=filed, grant=False, note="Too early in the case"
    )
    mine = _section(_queue(client), "filed")
    assert exchange.reference in mine
    assert "Refused" in mine
    assert "Too early in the case" in mine


@pytest.mark.parametrize("persona", ["nfp_bg", "nfp_ro", "obs_at", "outsider", "lo_al", "analyst"])
def test_others_see_neither_list(
    request, login, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _ask_to_share_with_greece(lo_bg, exchange)
    assert exchange.reference not in _queue(login(request.getfixturevalue(persona)))


def test_the_provider_grants_from_the_queue_and_the_requester_may_then_forward(
    login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    client = login(lo_ro)
    assert client.get(_decide_url(filed)).status_code == 405
    response = client.post(
        _decide_url(filed), {"decision": "grant", "note": "Joint case only", "return_to": "queue"}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    filed.refresh_from_db()
    assert filed.status == DisseminationStatus.GRANTED
    assert filed.decided_by == lo_ro
    assert filed.decision_note == "Joint case only"
    assert "granted" in _queue(client)
    sending.exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Hellenic Police"),
        justification="x",
    )
    assert exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()


def test_the_provider_refuses_and_nothing_opens(
    login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    response = login(lo_ro).post(_decide_url(filed), {"decision": "refuse", "note": "No"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == DisseminationStatus.REFUSED
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()


def test_a_request_already_decided_is_not_decided_again(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    client = login(lo_ro)
    client.post(_decide_url(filed), {"decision": "grant"})
    response = client.post(_decide_url(filed), {"decision": "refuse"})
    assert response.status_code == 400
    assert "already granted" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == DisseminationStatus.GRANTED


def test_a_decision_that_is_neither_grant_nor_refuse_is_refused(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    assert login(lo_ro).post(_decide_url(filed), {"decision": "maybe"}).status_code == 400
    filed.refresh_from_db()
    assert filed.status == DisseminationStatus.PENDING


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lo_bg", 403),
        ("nfp_bg", 403),
        ("nfp_ro", 403),
        ("obs_at", 404),
        ("outsider", 404),
        ("lo_al", 404),
        ("analyst", 404),
    ],
)
def test_only_the_provider_decides(
    request, login, lo_ro: Officer, lo_bg: Officer, persona: str, status: int
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = _ask_to_share_with_greece(lo_bg, exchange)
    client = login(request.getfixturevalue(persona))
    response = client.post(_decide_url(filed), {"decision": "grant"})
    assert response.status_code == status
    if status == 403:
        assert "but not manage" in response.content.decode()
    assert client.post(f"{QUEUE}999999999/decide/", {"decision": "grant"}).status_code == 404
    filed.refresh_from_db()
    assert filed.status == DisseminationStatus.PENDING


def _queue_queries(client: Client) -> tuple[int, str]:
    client.get(QUEUE)  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        content = _queue(client)
    return len(queries.captured_queries), content


def test_the_queue_costs_the_same_queries_for_ten_and_for_two_hundred_requests(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    targets = agency_ids("Hellenic Police", "Albanian State Police")

    def file(count: int) -> None:
        for _ in range(count):
            DisseminationRequest.objects.create(
                exchange=exchange,
                kind="share",
                requesting_agency=agency_of(lo_bg),
                requested_by=lo_bg,
                intended_use="Joint investigation",
                justification="Courier seen abroad",
                requested_at=timezone.now(),
            ).target_agencies.set(targets)

    file(10)
    provider, requester = login(lo_ro), verified_client(Client(), lo_bg)
    provider_ten, content = _queue_queries(provider)
    assert content.count(f'action="{QUEUE}') == 10
    requester_ten, content = _queue_queries(requester)
    assert content.count("Courier seen abroad") == 0  # the requester's list shows no justification
    assert content.count('class="badge dissemination-pending"') == 10
    file(190)
    provider_two_hundred, content = _queue_queries(provider)
    assert content.count(f'action="{QUEUE}') == 200
    requester_two_hundred, content = _queue_queries(requester)
    assert content.count('class="badge dissemination-pending"') == 200
    assert provider_two_hundred == provider_ten
    assert requester_two_hundred == requester_ten
