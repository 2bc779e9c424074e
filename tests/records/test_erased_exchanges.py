"""Nothing of an erased exchange is disclosed further: no forward, no evidence export, no
request to share it (``exchanges.policy.check_content_held``), and the thread page offers none
of them; its thread may still be answered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from exchanges.models import Exchange, Recipient
from exchanges.services.consultation import exchange_export_evidence
from exchanges.services.dissemination_requests import dissemination_request_file
from exchanges.services.sending import exchange_forward, exchange_reply
from partners.models import Officer
from records.services_erasure import exchange_erase
from tests.exchanges.scenario import agency_ids, message, send
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


@pytest.fixture
def erased(lo_ro: Officer, lo_bg: Officer) -> Exchange:
    exchange = send(lo_ro, "Bulgarian Police", code="H2", personal=True)
    purpose_given(lo_bg, exchange)
    exchange_erase(officer=lo_ro, exchange=exchange, reason="No longer needed.")
    return Exchange.objects.get(pk=exchange.pk)


def test_an_erased_exchange_is_not_forwarded(erased: Exchange, lo_ro: Officer) -> None:
    with pytest.raises(ValidationError, match="was erased"):
        exchange_forward(
            officer=lo_ro,
            exchange=erased,
            agency_ids=agency_ids("Hellenic Police"),
            justification="Joint check",
        )
    assert not Recipient.objects.filter(exchange=erased, agency__name="Hellenic Police").exists()


def test_an_erased_exchange_is_not_exported_as_evidence(erased: Exchange, lo_ro: Officer) -> None:
    with pytest.raises(ValidationError, match="was erased"):
        exchange_export_evidence(officer=lo_ro, exchange=erased, justification="Trial 4/2026")


def test_nobody_asks_to_share_an_erased_exchange(erased: Exchange, lo_bg: Officer) -> None:
    with pytest.raises(ValidationError, match="was erased"):
        dissemination_request_file(
            officer=lo_bg,
            exchange=erased,
            kind="share",
            target_agency_ids=agency_ids("Hellenic Police"),
            intended_use="Joint check",
            justification="The lorry crosses into Greece.",
        )
    assert not erased.dissemination_requests.exists()


def test_its_thread_may_still_be_answered(erased: Exchange, lo_bg: Officer) -> None:
    reply = exchange_reply(officer=lo_bg, parent=erased, message=message(personal=True))
    assert reply.in_reply_to_id == erased.pk


def test_the_thread_page_offers_no_disclosure_of_it(
    erased: Exchange, lo_bg: Officer, login
) -> None:
    page = login(lo_bg).get(f"/exchanges/{erased.reference}/").content.decode()
    assert "The provider erased this" in page
    assert f'href="/exchanges/{erased.reference}/forward/"' not in page
    assert f'href="/exchanges/{erased.reference}/dissemination/"' not in page
    assert "Export as evidence" not in page
    assert f'href="/exchanges/{erased.reference}/reply/"' in page
