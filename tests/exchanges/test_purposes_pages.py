"""The purpose of a consultation on the thread page: a short form takes the place of the content
until the officer says why they open the thread; nothing of the content shows before. And what
the page and the inbox show of an exchange the provider erased or corrected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import Exchange
from exchanges.models_purposes import ConsultationPurpose
from exchanges.services import sending
from partners.models import Officer
from selec.core.models import AuditEvent, Justification
from tests.exchanges.scenario import message, send
from tests.exchanges.thread_pages import BODY, SUBJECT, _url
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db

QUESTION = "Why do you open this thread?"
HELP = "you are asked once per thread"
PURPOSE = "Inquiry 44/2026 into the Ruse cocaine route"


def _page(client: Client, exchange: Exchange) -> str:
    response = client.get(_url(exchange))
    assert response.status_code == 200
    return response.content.decode()


def _fragment(client: Client, exchange: Exchange) -> str:
    response = client.get(_url(exchange), {"part": "content"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def _consulted(officer: Officer) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event="exchange.consulted", actor=officer))


def test_the_form_takes_the_place_of_the_content_until_the_officer_says_why(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    client = login(lo_bg)

    asked = _page(client, exchange)
    assert QUESTION in asked
    assert HELP in asked
    assert f'action="{_url(exchange, "purpose")}"' in asked
    for content in (SUBJECT, BODY, "note.txt", "Ђорђе"):
        assert content not in asked
    assert QUESTION in _fragment(client, exchange)
    assert SUBJECT not in _fragment(client, exchange)
    assert _consulted(lo_bg) == []

    given = client.post(_url(exchange, "purpose"), {"purpose": PURPOSE})
    assert given.status_code == 302
    assert given["Location"] == _url(exchange) + f"#message-{exchange.reference}"
    opened = client.get(given["Location"], follow=True).content.decode()
    assert SUBJECT in opened
    assert BODY in opened
    assert QUESTION not in opened
    assert "Your purpose is recorded" in opened
    [event] = _consulted(lo_bg)
    assert Justification.objects.get(uuid=event.details["justification"]).text == PURPOSE


@pytest.mark.parametrize(
    ("typed", "says"), [("   ", "Say why you open this thread"), ("x" * 301, "at most 300")]
)
def test_a_blank_or_too_long_purpose_is_shown_again_with_its_error_and_no_content(
    login, lo_ro: Officer, lo_bg: Officer, typed: str, says: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_bg).post(_url(exchange, "purpose"), {"purpose": typed})
    assert response.status_code == 400
    content = response.content.decode()
    assert says in content
    assert 'aria-invalid="true"' in content
    assert QUESTION in content
    assert SUBJECT not in content
    assert BODY not in content
    assert not ConsultationPurpose.objects.exists()
    assert _consulted(lo_bg) == []


def test_the_other_messages_of_the_thread_point_to_the_one_question(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    answer = sending.exchange_reply(
        officer=lo_ro, parent=exchange, message=message(body="Seen in Ruse.", attachments=())
    )
    client = login(lo_bg)
    page = _page(client, exchange)
    assert page.count(f'action="{_url(exchange, "purpose")}"') == 1
    assert _url(answer, "purpose") not in page
    # Not loaded as it scrolls into view: it would ask the same question again.
    assert f'hx-get="{_url(answer)}?part=content"' not in page
    assert "Seen in Ruse." not in page

    client.post(_url(exchange, "purpose"), {"purpose": PURPOSE})
    # One purpose for the thread: the reply opens without a second question.
    assert f'hx-get="{_url(answer)}?part=content"' in _page(client, exchange)
    assert "Seen in Ruse." in _fragment(client, answer)
    assert "Seen in Ruse." in _page(client, answer)


def test_the_author_of_the_thread_is_not_asked_and_another_officer_is(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    assert SUBJECT in _page(login(lo_ro), exchange)
    assert SUBJECT in _page(login(lo_bg), exchange)
    assert QUESTION in _page(login(nfp_bg), exchange)


def test_the_purpose_comes_first_then_the_h3_text(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    client = login(lo_bg)
    first = _page(client, exchange)
    assert QUESTION in first
    assert "I have read and will respect this restriction" not in first
    client.post(_url(exchange, "purpose"), {"purpose": PURPOSE})
    second = _page(client, exchange)
    assert QUESTION not in second
    assert "I have read and will respect this restriction" in second
    assert BODY not in second
    client.post(_url(exchange, "confirm"))
    assert BODY in _page(client, exchange)


def test_downloads_replies_and_exports_send_the_officer_to_the_question_first(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    attachment = f"/exchanges/attachments/{exchange.attachments.get().pk}/"
    for response in (
        client.get(attachment),
        client.get(_url(exchange, "reply")),
        client.post(_url(exchange, "evidence"), {"justification": "Case 3/2026"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(_url(exchange))
    assert not AuditEvent.objects.filter(actor=lo_bg, action__in=["disclosure", "export"]).exists()
    client.post(_url(exchange, "purpose"), {"purpose": PURPOSE})
    assert client.get(attachment).status_code == 200


def test_whoever_may_not_see_the_exchange_gets_404(
    login, lo_ro: Officer, outsider: Officer, obs_at: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    for officer in (outsider, obs_at):
        assert (
            login(officer).post(_url(exchange, "purpose"), {"purpose": PURPOSE}).status_code == 404
        )
    assert login(outsider).get(_url(exchange, "purpose")).status_code in (404, 405)
    assert not ConsultationPurpose.objects.exists()


def test_the_purpose_costs_the_page_one_query(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")
    sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)
    client.get(_url(exchange))  # the first consultation carries the purpose; warm the session
    with CaptureQueriesContext(connection) as queries:
        assert SUBJECT in _page(client, exchange)
    reading = [q["sql"] for q in queries.captured_queries if "consultationpurpose" in q["sql"]]
    assert len(reading) == 1
    # The author's page reads the same row (not found) in the same single query.
    author = login(lo_ro)
    author.get(_url(exchange))
    with CaptureQueriesContext(connection) as by_author:
        assert SUBJECT in _page(author, exchange)
    assert len(by_author.captured_queries) == len(queries.captured_queries)


# --- Erased and corrected exchanges ---------------------------------------------------------


def test_an_erased_exchange_shows_the_erasure_instead_of_its_content(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    erased_at = dt.datetime(2029, 5, 14, 9, 30, tzinfo=dt.UTC)
    # As the provider's erasure leaves it: the content emptied, the row and its metadata kept.
    Exchange.objects.filter(pk=exchange.pk).update(erased_at=erased_at)
    exchange.attachments.all().delete()
    page = _page(login(lo_bg), exchange)
    assert "The provider erased this exchange's content on" in page
    assert "14 May 2029" in page
    assert "its reference and metadata are kept" in page
    assert 'class="subject"' not in page
    assert exchange.reference in page
    inbox = login(lo_bg).get("/exchanges/").content.decode()
    assert "(content erased)" in inbox


def test_a_corrected_exchange_says_so_in_its_metadata(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    client = login(lo_bg)
    assert "Corrected by the provider" not in _page(client, exchange)
    Exchange.objects.filter(pk=exchange.pk).update(corrected_at=timezone.now())
    page = _page(client, exchange)
    assert "Corrected by the provider on" in page
    assert SUBJECT in page
    assert "(content erased)" not in client.get("/exchanges/").content.decode()
