"""The thread page draws the actions the policy refuses as disabled buttons with its reason,
never as live links that lead to a refusal."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from exchanges.models import Exchange
from exchanges.policy_offers import H1_HOLDS_BACK, H2_HOLDS_BACK
from exchanges.services import dissemination_requests
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send
from tests.exchanges.thread_pages import _url
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


def _page(client: Client, exchange: Exchange) -> str:
    response = client.get(_url(exchange))
    assert response.status_code == 200
    return response.content.decode()


def _refused(page: str, name: str, exchange: Exchange) -> str:
    """The disabled action ``name`` of the message, with its reason."""
    match = re.search(
        rf'<li class="action-refused">\s*<button type="button"[^>]*aria-disabled="true"'
        rf'[^>]*aria-describedby="why-{name}-{exchange.pk}"[^>]*>.*?</li>',
        page,
        re.S,
    )
    assert match, f"no disabled {name} action"
    return match.group(0)


def test_under_h2_a_recipient_sees_forward_disabled_with_the_reason_and_a_way_to_ask(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    purpose_given(lo_bg, exchange)

    page = _page(login(lo_bg), exchange)

    assert f'href="{_url(exchange, "forward")}"' not in page
    forward = _refused(page, "forward", exchange)
    assert ">Forward</button>" in forward
    assert H2_HOLDS_BACK in forward
    assert f'<a href="{_url(exchange, "dissemination")}">Ask the provider</a>' in forward


def test_once_the_provider_grants_the_forward_is_live(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    filed = dissemination_requests.dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Hellenic Police"),
        intended_use="Joint investigation",
        justification="The courier lives in Thessaloniki.",
    )
    dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=filed, grant=True, note=""
    )

    page = _page(login(lo_bg), exchange)

    assert f'href="{_url(exchange, "forward")}"' in page
    assert 'aria-describedby="why-forward-' not in page


def test_the_provider_forwards_its_own_h2_exchange(login, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")

    page = _page(login(lo_ro), exchange)

    assert f'href="{_url(exchange, "forward")}"' in page
    assert 'aria-disabled="true"' not in page


def test_under_h1_a_recipient_sees_the_export_disabled_and_may_forward(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")

    page = _page(login(lo_bg), exchange)

    evidence = _refused(page, "evidence", exchange)
    assert ">Export as evidence</button>" in evidence
    assert H1_HOLDS_BACK in evidence
    assert f'action="{_url(exchange, "evidence")}"' not in page
    assert f'href="{_url(exchange, "forward")}"' in page


def test_without_restrictions_nothing_is_disabled(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")

    page = _page(login(lo_bg), exchange)

    assert 'aria-disabled="true"' not in page
    assert f'href="{_url(exchange, "forward")}"' in page
    assert f'action="{_url(exchange, "evidence")}"' in page


@pytest.mark.parametrize("persona", ["nfp_bg", "nfp_ro"])
def test_an_nfp_reading_its_countrys_traffic_is_offered_no_forward(
    request, login, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")

    page = _page(login(request.getfixturevalue(persona)), exchange)

    assert ">Forward<" not in page
    assert 'aria-disabled="true"' not in page


def test_the_outsider_gets_no_page(login, lo_ro: Officer, outsider: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")

    assert login(outsider).get(_url(exchange)).status_code == 404
