"""The thread page: who gets what, the H3 confirmation, the acknowledgement, the attachments,
and at what cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from exchanges.models import DisseminationRequest, Exchange, Recipient
from exchanges.services import restriction_changes, sending
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from tests.exchanges.scenario import CODES, agency_ids, message, send
from tests.exchanges.thread_pages import BODY, DOES_NOT_SEE, SEES, SUBJECT, _as, _url
from tests.helpers import agency_of, purpose_given

pytestmark = pytest.mark.django_db

H3_TEXT = CODES["H3"].text
H3_HTML = escape(H3_TEXT)


def _fragment(client: Client, exchange: Exchange):
    return client.get(_url(exchange), {"part": "content"}, HTTP_HX_REQUEST="true")


# --- The thread page ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES)
def test_it_shows_the_message_with_its_content_to_whoever_may_see_it(
    request, login, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    officer, client = _as(request, login, persona)
    purpose_given(officer, exchange)
    response = client.get(_url(exchange))
    assert response.status_code == 200
    content = response.content.decode()
    assert SUBJECT in content
    assert BODY in content
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(exchange.pk), actor=officer
    ).exists()


@pytest.mark.parametrize("persona", DOES_NOT_SEE)
def test_it_answers_404_to_whoever_may_not_see_the_exchange(
    request, login, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.get(_url(exchange)).status_code == 404
    assert client.get("/exchanges/SELEC-1999-000001/").status_code == 404


def test_it_shows_metadata_restrictions_evaluation_entities_attachments_and_receipts(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H1", personal=True)
    purpose_given(lo_bg, exchange)
    content = login(lo_bg).get(_url(exchange)).content.decode()
    assert "Romanian Police" in content
    assert (
        "Not to be disclosed in judicial proceedings without the permission of the provider."
        in (content)
    )
    assert "B: source has proved mostly reliable" in content
    assert "2: known personally to the source, not to the official passing it" in content
    # As the provider wrote the name, and in the reader's script beside it.
    assert "<dt>Names</dt><dd>Ђорђе Ђорђевић <span" in content
    assert ">(Đorđe Đorđević)</span></dd>" in content
    attachment = exchange.attachments.get()
    assert f'href="/exchanges/attachments/{attachment.pk}/"' in content
    assert "note.txt" in content
    receipts = content[content.index("Receipts</h3>") :]
    assert "Bulgarian Police" in receipts
    assert "Turkish Customs" in receipts
    # Reading it marked the Bulgarian receipt read (the page shows it: a time, not a dash).
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).read_at is not None


def test_an_overdue_request_is_marked_overdue(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    assert 'class="badge overdue"' not in client.get(_url(exchange)).content.decode()
    Exchange.objects.filter(pk=exchange.pk).update(due_at=exchange.sent_at.replace(year=2000))
    assert 'class="badge overdue"' in client.get(_url(exchange)).content.decode()


def test_it_lists_the_replies_the_officer_may_see_and_opens_each_one_as_it_comes_into_view(
    login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    answer = sending.exchange_reply(
        officer=lo_bg,
        parent=exchange,
        message=message(subject="Re: shipment", body="Seen in Ruse.", attachments=()),
    )
    client = login(lo_ro)
    content = client.get(_url(exchange)).content.decode()
    assert f'id="message-{answer.reference}"' in content
    assert content.index(exchange.reference) < content.index(f'id="message-{answer.reference}"')
    # The reply names its parent, the message above it on the page.
    assert f'In reply to <a href="#message-{exchange.reference}">{exchange.reference}</a>' in (
        content
    )
    # The reply's content is not on the page: it opens as it scrolls into view.
    assert "Seen in Ruse." not in content
    assert f'hx-get="/exchanges/{answer.reference}/?part=content"' in content
    fragment = _fragment(client, answer)
    assert fragment.status_code == 200
    assert "Seen in Ruse." in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.CONSULTATION, object_id=str(answer.pk), actor=lo_ro
    ).exists()
    # The Turkish Customs see the request, not the Bulgarian answer to the Romanians.
    turkish = login(lo_tr).get(_url(exchange)).content.decode()
    assert answer.reference not in turkish
    assert login(lo_tr).get(_url(answer)).status_code == 404
    assert _fragment(login(lo_tr), answer).status_code == 404


def test_it_offers_each_persona_only_the_actions_it_may_take(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    recipient = login(lo_bg).get(_url(exchange)).content.decode()
    for action in ("acknowledge", "reply", "dissemination"):
        assert f'action="{_url(exchange, action)}"' in recipient or (
            f'href="{_url(exchange, action)}"' in recipient
        ), action
    # H2 holds the forward back: drawn disabled with its reason, not a live link.
    assert f'href="{_url(exchange, "forward")}"' not in recipient
    assert f'aria-describedby="why-forward-{exchange.pk}"' in recipient
    assert _url(exchange, "restrictions") not in recipient
    assert _url(exchange, "evidence") in recipient  # H2 alone does not block the evidence export

    provider = login(lo_ro).get(_url(exchange)).content.decode()
    assert f'href="{_url(exchange, "restrictions")}"' in provider
    assert f'action="{_url(exchange, "evidence")}"' in provider
    assert _url(exchange, "acknowledge") not in provider
    assert _url(exchange, "dissemination") not in provider

    nfp = login(nfp_bg).get(_url(exchange)).content.decode()
    assert _url(exchange, "acknowledge") in nfp  # on behalf of the Bulgarian agencies
    for action in ("reply", "forward", "dissemination", "restrictions", "evidence"):
        assert _url(exchange, action) not in nfp, action


# --- H3 -------------------------------------------------------------------------------------


def test_h3_content_stays_off_the_page_until_the_reader_confirms_the_text(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)
    gated = client.get(_url(exchange)).content.decode()
    assert H3_HTML in gated
    assert "I have read and will respect this restriction" in gated
    assert f'action="{_url(exchange, "confirm")}"' in gated
    assert SUBJECT not in gated
    assert BODY not in gated
    assert "note.txt" not in gated
    assert SUBJECT not in _fragment(client, exchange).content.decode()

    response = client.post(_url(exchange, "confirm"))
    assert response.status_code == 302
    assert response["Location"].startswith(_url(exchange))
    opened = client.get(_url(exchange)).content.decode()
    assert SUBJECT in opened
    assert BODY in opened
    assert "I have read and will respect this restriction" not in opened


def test_a_confirmation_is_asked_again_when_the_provider_changes_the_text(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)
    client.post(_url(exchange, "confirm"))
    assert BODY in client.get(_url(exchange)).content.decode()
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro,
        exchange=exchange,
        restrictions=Restrictions(text=H3_TEXT + " Nor the press."),
    )
    assert BODY not in client.get(_url(exchange)).content.decode()


def test_only_those_who_see_the_exchange_may_confirm_its_restriction(
    login, lo_ro: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = login(outsider)
    assert client.post(_url(exchange, "confirm")).status_code == 404
    assert client.get(_url(exchange, "confirm")).status_code in (404, 405)


# --- Acknowledge ----------------------------------------------------------------------------


def test_the_recipient_acknowledges_its_receipt(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    assert client.get(_url(exchange, "acknowledge")).status_code == 405
    response = client.post(_url(exchange, "acknowledge"))
    assert response.status_code == 302
    assert response["Location"] == _url(exchange)
    receipt = Recipient.objects.get(exchange=exchange, agency=lo_bg.agency)
    assert receipt.acknowledged_at is not None
    page = client.get(_url(exchange)).content.decode()
    assert f"Receipt of {exchange.reference} acknowledged." in page
    assert _url(exchange, "acknowledge") not in page  # nothing left to acknowledge


def test_the_nfp_acknowledges_for_its_country_and_the_sender_has_nothing_to_acknowledge(
    login, lo_ro: Officer, nfp_bg: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_ro).post(_url(exchange, "acknowledge"), follow=True)
    assert "Nothing to acknowledge" in response.content.decode()
    assert not Recipient.objects.filter(exchange=exchange, acknowledged_at__isnull=False).exists()
    response = login(nfp_bg).post(_url(exchange, "acknowledge"))
    assert response.status_code == 302
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).acknowledged_at is not None


@pytest.mark.parametrize("persona", DOES_NOT_SEE)
def test_those_who_may_not_see_cannot_acknowledge(
    request, login, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.post(_url(exchange, "acknowledge")).status_code == 404
    assert not Recipient.objects.filter(exchange=exchange, acknowledged_at__isnull=False).exists()


# --- Attachments ----------------------------------------------------------------------------


def test_an_attachment_downloads_with_its_bytes_and_the_download_is_audited(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    attachment = exchange.attachments.get()
    purpose_given(lo_bg, exchange)
    response = login(lo_bg).get(f"/exchanges/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == b"Seizure report: 40 kg, Kapitan Andreevo."
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="note.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action=AuditAction.DISCLOSURE,
        object_type="exchanges.attachment",
        object_id=str(attachment.pk),
        actor=lo_bg,
    ).exists()


@pytest.mark.parametrize("persona", DOES_NOT_SEE)
def test_an_attachment_is_404_to_whoever_may_not_see_its_exchange(
    request, login, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    _, client = _as(request, login, persona)
    assert client.get(f"/exchanges/attachments/{exchange.attachments.get().pk}/").status_code == 404
    assert client.get("/exchanges/attachments/999999999/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE).exists()


def test_an_h3_attachment_sends_the_reader_to_confirm_first(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)
    url = f"/exchanges/attachments/{exchange.attachments.get().pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(_url(exchange))
    client.post(_url(exchange, "confirm"))
    assert client.get(url).status_code == 200


# --- Cost -----------------------------------------------------------------------------------


def _thread_queries(client: Client, exchange: Exchange) -> int:
    client.get(_url(exchange))  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(exchange)).status_code == 200
    return len(queries.captured_queries)


def test_the_thread_page_costs_the_same_queries_for_two_and_for_twelve_replies(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")

    def answer(count: int) -> None:
        parent = exchange
        for i in range(count):
            author = lo_bg if i % 2 == 0 else lo_ro
            parent = sending.exchange_reply(
                officer=author, parent=parent, message=message(attachments=())
            )
            DisseminationRequest.objects.create(
                exchange=parent,
                kind="share",
                requesting_agency=agency_of(lo_bg),
                requested_by=lo_bg,
                intended_use="x",
                justification="y",
                requested_at=parent.sent_at,
            ).target_agencies.set(agency_ids("Hellenic Police"))

    answer(2)
    client = login(lo_ro)
    two = _thread_queries(client, exchange)
    answer(10)
    twelve = _thread_queries(client, exchange)
    assert Exchange.objects.filter(thread_root=exchange).count() == 12
    assert twelve == two
