"""The dissemination queue keeps what the provider decided: granted and refused requests stay
visible to it, with when and by whom, newest decision first, a page at a time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from exchanges.models import DisseminationRequest, DisseminationStatus, Exchange
from exchanges.services import dissemination_requests
from exchanges.views import dissemination as dissemination_views
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send
from tests.helpers import agency_of

pytestmark = pytest.mark.django_db

QUEUE = "/exchanges/dissemination-requests/"


def _ask(officer: Officer, exchange: Exchange, use: str) -> DisseminationRequest:
    return dissemination_requests.dissemination_request_file(
        officer=officer,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Hellenic Police"),
        intended_use=use,
        justification="The courier was seen in Thessaloniki.",
    )


def _section(content: str, heading_id: str) -> str:
    start = content.index(f'id="{heading_id}"')
    return content[start : content.find("</section>", start)]


def _decided(client: Client, query: str = "") -> str:
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return _section(response.content.decode(), "decided")


def test_the_provider_keeps_sight_of_what_it_granted_and_refused_with_who_and_when(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    granted_on = send(lo_ro, "Bulgarian Police", code="H2")
    refused_on = send(lo_ro, "Bulgarian Police", code="H2")
    granted = _ask(lo_bg, granted_on, "Operation Aegean")
    refused = _ask(lo_bg, refused_on, "Operation Danube")
    dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=granted, grant=True, note="Joint case only"
    )
    dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=refused, grant=False, note="Too early"
    )
    client = login(lo_ro)

    content = client.get(QUEUE).content.decode()
    decided = _section(content, "decided")

    assert granted_on.reference not in _section(content, "to-decide")
    assert granted_on.reference in decided
    assert refused_on.reference in decided
    assert 'class="badge dissemination-granted"' in decided
    assert 'class="badge dissemination-refused"' in decided
    assert "Joint case only" in decided
    assert "Too early" in decided
    assert (lo_ro.get_full_name() or lo_ro.username) in decided
    assert "Bulgarian Police" in decided
    # Newest decision first.
    assert decided.index(refused_on.reference) < decided.index(granted_on.reference)


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_ro", "nfp_bg", "outsider", "analyst"])
def test_only_the_provider_sees_its_decisions(
    request, login, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=_ask(lo_bg, exchange, "Operation Aegean"), grant=True, note=""
    )

    decided = _decided(login(request.getfixturevalue(persona)))

    assert exchange.reference not in decided
    assert "decided no request yet" in decided


def _decided_rows(provider: Officer, requester: Officer, exchange: Exchange, count: int) -> None:
    """Decided requests stored as the service leaves them, many at once."""
    now = timezone.now()
    targets = agency_ids("Hellenic Police", "Albanian State Police")
    for number in range(count):
        DisseminationRequest.objects.create(
            exchange=exchange,
            kind="share",
            requesting_agency=agency_of(requester),
            requested_by=requester,
            intended_use=f"Use {number}",
            justification="Courier seen abroad",
            requested_at=now - dt.timedelta(days=1),
            status=DisseminationStatus.GRANTED if number % 2 else DisseminationStatus.REFUSED,
            decided_by=provider,
            decided_at=now - dt.timedelta(minutes=number),
            decision_note=f"Decision {number:03d}",
        ).target_agencies.set(targets)


def test_the_decisions_are_paged_newest_first(
    login, lo_ro: Officer, lo_bg: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dissemination_views, "DECIDED_PER_PAGE", 2)
    _decided_rows(lo_ro, lo_bg, send(lo_ro, "Bulgarian Police", code="H2"), 3)
    client = login(lo_ro)

    first = _decided(client)
    second = _decided(client, "?decided_page=2")
    beyond = _decided(client, "?decided_page=9")

    assert "Decision 000" in first
    assert "Decision 001" in first
    assert "Decision 002" not in first
    assert 'href="?decided_page=2#decided"' in first
    assert "Newer decisions" not in first
    assert "Decision 002" in second
    assert "Decision 000" not in second
    assert 'href="?decided_page=1#decided"' in second
    assert "Older decisions" not in second
    assert "No more decisions." in beyond
    # A page that is not a number (nor one int reads, nor one whose offset PostgreSQL holds)
    # is the first.
    for page in ("x", "%C2%B2", "9" * 30):
        assert "Decision 000" in _decided(client, f"?decided_page={page}")


def test_the_decided_list_costs_the_same_queries_for_two_and_for_a_full_page(
    login, lo_ro: Officer, lo_bg: Officer, django_assert_max_num_queries
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _decided_rows(lo_ro, lo_bg, exchange, 2)
    client = login(lo_ro)
    client.get(QUEUE)  # warm the session and the caches
    with django_assert_max_num_queries(40) as small:
        assert "Decision 001" in _decided(client)

    _decided_rows(lo_ro, lo_bg, exchange, dissemination_views.DECIDED_PER_PAGE + 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert _decided(client).count('class="badge dissemination-') == (
            dissemination_views.DECIDED_PER_PAGE
        )
