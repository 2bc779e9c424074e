"""What the pages and notices of exchanges say with a count or a restriction code: one reads
singular, codes stay upper case ("lift H2")."""

from __future__ import annotations

import pytest

from exchanges.models import ExchangeNotificationKind
from exchanges.services import dissemination_requests
from partners.models import Officer
from selec.core.models import Notification
from tests.exchanges.scenario import agency_ids, send
from tests.exchanges.thread_pages import _url
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("agencies", "said"),
    [
        (("Hellenic Police",), "forwarded to 1 agency."),
        (("Hellenic Police", "Turkish Customs"), "forwarded to 2 agencies."),
    ],
)
def test_the_forward_says_how_many_agencies_in_the_right_number(
    login, lo_ro: Officer, lo_bg: Officer, agencies: tuple[str, ...], said: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)

    response = client.post(
        _url(exchange, "forward"),
        {"agencies": agency_ids(*agencies), "justification": "Joint case"},
        follow=True,
    )

    assert f"{exchange.reference} {said}" in response.content.decode()


def test_the_providers_notice_of_a_request_keeps_the_code_upper_case(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")

    dissemination_requests.dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Hellenic Police"),
        intended_use="Joint investigation",
        justification="The courier lives in Thessaloniki.",
    )

    title = Notification.objects.get(
        officer=lo_ro, kind=ExchangeNotificationKind.DISSEMINATION_REQUEST
    ).title
    assert "asks to share with further agencies (lift H2)" in title
    assert "lift h2" not in title
