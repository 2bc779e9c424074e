"""The inaccuracy flags in the pages: a recipient flags from the exchange, the provider finds it
on the flags page and answers; each list is paged by keyset and costs the same whatever its
length; anybody else gets 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exchanges.models import Exchange
from partners.models import Officer
from records import views_flags
from records.models import FlagStatus, InaccuracyFlag, RecordsNotificationKind
from records.services_flags import inaccuracy_flag_answer
from tests.exchanges.scenario import send
from tests.form_labels import label_problems
from tests.helpers import verified_client
from tests.records.corrections_scenario import correct, flag, notices

pytestmark = pytest.mark.django_db

FLAGS = "/records/flags/"
NOTE = "The plate B 123 ABC belongs to a Dacia, not to the Audi described."


def _flag_url(exchange: Exchange) -> str:
    return f"/records/flag/{exchange.reference}/"


def _answer_url(filed: InaccuracyFlag) -> str:
    return f"/records/flags/{filed.pk}/answer/"


def _section(content: str, heading_id: str) -> str:
    start = content.index(f'id="{heading_id}"')
    return content[start : content.find("</section>", start)]


def test_a_recipient_flags_from_the_page_and_follows_the_flag(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_bg)
    form = client.get(_flag_url(exchange))
    assert form.status_code == 200
    assert label_problems(form.content.decode()) == []

    response = client.post(_flag_url(exchange), {"note": NOTE}, follow=True)

    assert response.redirect_chain == [(FLAGS, 302)]
    filed = _section(response.content.decode(), "filed")
    assert exchange.reference in filed
    assert NOTE in filed
    assert "Open" in filed
    assert notices(RecordsNotificationKind.INACCURACY_FLAGGED)["lo.ro"]
    # A second flag waits for the answer to the first: the page says so instead of a form.
    again = client.get(_flag_url(exchange)).content.decode()
    assert "awaits the provider's answer" in again
    assert 'name="note"' not in again


def test_an_empty_note_is_refused_with_nothing_filed(login, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_bg).post(_flag_url(exchange), {"note": " "})
    assert response.status_code == 400
    assert "Nothing was sent." in response.content.decode()
    assert not InaccuracyFlag.objects.exists()


@pytest.mark.parametrize("persona", ["lo_ro", "outsider", "dpo"])
def test_who_may_not_flag_gets_404(
    request: pytest.FixtureRequest, client: Client, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    pages = verified_client(client, request.getfixturevalue(persona))
    assert pages.get(_flag_url(exchange)).status_code == 404
    assert pages.post(_flag_url(exchange), {"note": NOTE}).status_code == 404
    assert not InaccuracyFlag.objects.exists()


def test_the_provider_answers_from_the_flags_page_and_the_flagger_sees_the_answer(
    login, client: Client, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    filed = flag(lo_bg, exchange, NOTE)
    provider = login(lo_ro)
    to_answer = _section(provider.get(FLAGS).content.decode(), "to-answer")
    assert NOTE in to_answer
    assert f'href="{_answer_url(filed)}"' in to_answer
    assert f'href="/records/correct/{exchange.reference}/"' in to_answer

    page = provider.get(_answer_url(filed))
    assert page.status_code == 200
    assert label_problems(page.content.decode()) == []
    refused = provider.post(_answer_url(filed), {"outcome": "upheld", "answer": ""})
    assert refused.status_code == 400
    assert "Say why the information is upheld as accurate." in refused.content.decode()
    done = provider.post(
        _answer_url(filed), {"outcome": "upheld", "answer": "Checked with the registry."}
    )
    assert (done.status_code, done["Location"]) == (302, FLAGS)
    assert InaccuracyFlag.objects.get(pk=filed.pk).status == FlagStatus.ANSWERED
    assert "No flag awaits your agency's answer." in provider.get(FLAGS).content.decode()
    # Answered: the page shows the answer, and a second answer is refused.
    assert "This flag was answered on" in provider.get(_answer_url(filed)).content.decode()
    assert provider.post(_answer_url(filed), {"outcome": "corrected"}).status_code == 400

    filed_by_bg = _section(verified_client(client, lo_bg).get(FLAGS).content.decode(), "filed")
    assert "Upheld as accurate" in filed_by_bg
    assert "Checked with the registry." in filed_by_bg


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg", "outsider", "dpo"])
def test_only_the_provider_reaches_the_answer_page(
    request: pytest.FixtureRequest, client: Client, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    filed = flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE)
    pages = verified_client(client, request.getfixturevalue(persona))
    assert pages.get(_answer_url(filed)).status_code == 404
    assert pages.post(_answer_url(filed), {"outcome": "upheld", "answer": "x"}).status_code == 404


@pytest.mark.parametrize("persona", ["dpo", "analyst", "directory_admin"])
def test_officers_of_no_agency_get_404_on_the_flags_page(
    request: pytest.FixtureRequest, client: Client, persona: str
) -> None:
    assert verified_client(client, request.getfixturevalue(persona)).get(FLAGS).status_code == 404


def test_others_flags_are_not_listed(login, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    flag(lo_bg, exchange, NOTE)
    content = login(lo_tr).get(FLAGS).content.decode()
    assert NOTE not in content
    assert exchange.reference not in content


def _flags_page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(FLAGS).status_code == 200
    return len(captured.captured_queries)


def test_the_flags_page_costs_the_same_whatever_the_number_of_flags(
    login, lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    # Each side of the page: flags received by the Romanian Police and filed by it.
    mine = send(lo_ro, "Bulgarian Police")
    theirs = send(lo_bg, "Romanian Police")
    flag(lo_bg, mine, NOTE)
    flag(lo_ro, theirs, NOTE)
    client = login(lo_ro)
    one_each = _flags_page_queries(client)

    for _ in range(4):
        flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE)
        other = send(lo_bg, "Romanian Police")
        filed = flag(lo_ro, other, NOTE)
        correct(lo_bg, other, body="Corrected body.")
        inaccuracy_flag_answer(officer=lo_bg, flag=filed, outcome="corrected", answer="")

    with django_assert_num_queries(one_each):
        content = client.get(FLAGS).content.decode()
    assert content.count('id="flag-') == 5
    assert content.count('id="filed-') == 5


def test_each_list_pages_by_keyset_keeping_the_other_lists_page(
    login, lo_ro: Officer, lo_bg: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_flags, "ROWS_PER_PAGE", 2)
    received = [flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE) for _ in range(5)]
    client = login(lo_ro)

    def shown(query: str) -> list[int]:
        content = client.get(FLAGS + query).content.decode()
        return [f.pk for f in received if f'id="flag-{f.pk}"' in content]

    # Oldest first, two at a time; each page links to its neighbours.
    assert shown("") == [received[0].pk, received[1].pk]
    assert shown(f"?received_after={received[1].pk}") == [received[2].pk, received[3].pk]
    assert shown(f"?received_after={received[3].pk}") == [received[4].pk]
    assert shown(f"?received_before={received[2].pk}") == [received[0].pk, received[1].pk]
    page = client.get(f"{FLAGS}?received_after={received[1].pk}&filed_after=7").content.decode()
    assert f'href="?filed_after=7&amp;received_after={received[3].pk}"' in page
    assert f'href="?filed_after=7&amp;received_before={received[2].pk}"' in page
    # A page link that is not one: the list starts again, and the page says so.
    broken = client.get(f"{FLAGS}?received_after=x").content.decode()
    assert "A page link was not understood" in broken
    assert f'id="flag-{received[0].pk}"' in broken
