"""404 is one answer, in development mode too: an object that is not the officer's to see and
one that does not exist get the same page, byte for byte.

Django's debug 404 page (DEBUG=True) shows the Http404's message and the address asked for. So
each test asks the same address twice, first while the object exists (hidden from the officer),
then once it is gone; anything in the pages that tells the two apart is a leak.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from exchanges.models import Attachment, DisseminationRequest
from exchanges.services.dissemination_requests import dissemination_request_file
from partners.models import Officer
from tests.exchanges.scenario import agency_ids, send

if TYPE_CHECKING:
    # What the stubs call the test client's answers (a type of the stubs alone).
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

_VARYING = re.compile(rb"csrfmiddlewaretoken\" value=\"[^\"]*\"|[0-9a-f]{32}")


def missing_and_hidden_alike(
    client: Client, address: str, delete: Callable[[], object], *, data: dict | None = None
) -> bytes:
    """The 404 page for ``address`` (GET, or POST of ``data``) while its object exists but is
    hidden, after asserting that it is the same once the object is gone."""

    def ask() -> _MonkeyPatchedWSGIResponse:
        return client.get(address) if data is None else client.post(address, data)

    hidden = ask()
    delete()
    missing = ask()
    assert (hidden.status_code, missing.status_code) == (404, 404)
    # Only a CSRF token or a request id may differ (none is expected on these pages).
    assert _VARYING.sub(b"", hidden.content) == _VARYING.sub(b"", missing.content)
    return hidden.content


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def test_an_attachment_of_a_hidden_exchange_answers_as_a_missing_one(
    debug, login, lo_ro: Officer, outsider: Officer
) -> None:
    attachment = send(lo_ro, "Bulgarian Police").attachments.get()

    page = missing_and_hidden_alike(
        login(outsider),
        f"/exchanges/attachments/{attachment.pk}/",
        lambda: Attachment.objects.filter(pk=attachment.pk).delete(),
    )

    # The debug page it is (it names the view), and it says nothing of an exchange.
    assert b"No attachment matches the given query." in page
    assert b"No exchange matches" not in page


def test_an_attachment_answers_alike_in_production_mode_too(
    login, lo_ro: Officer, outsider: Officer
) -> None:
    attachment = send(lo_ro, "Bulgarian Police").attachments.get()

    missing_and_hidden_alike(
        login(outsider),
        f"/exchanges/attachments/{attachment.pk}/",
        lambda: Attachment.objects.filter(pk=attachment.pk).delete(),
    )


def test_an_exchange_not_addressed_to_the_officer_answers_as_a_missing_one(
    debug, login, lo_ro: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", attachments=())

    missing_and_hidden_alike(
        login(outsider),
        f"/exchanges/{exchange.reference}/",
        # A reference that was never handed out reads as one whose exchange is gone.
        lambda: type(exchange).objects.filter(pk=exchange.pk).update(reference="SELEC-0000-000000"),
    )


def test_a_dissemination_request_on_a_hidden_exchange_answers_as_a_missing_one(
    debug, login, lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2", attachments=())
    request = dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Turkish National Police"),
        intended_use="Joint investigation",
        justification="Routes through Türkiye",
    )

    missing_and_hidden_alike(
        login(outsider),
        f"/exchanges/dissemination-requests/{request.pk}/decide/",
        lambda: DisseminationRequest.objects.filter(pk=request.pk).delete(),
        data={"decision": "grant"},
    )
