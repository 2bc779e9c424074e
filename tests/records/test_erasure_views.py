"""The erasure page and its API: the dry run explains itself, the provider erases with a reason
and a confirmation, anybody else gets 404, and an erased exchange is a conflict (409)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from exchanges.models import Exchange
from exchanges.policy import Perm
from exchanges.selectors import officer_perms
from partners.models import Officer
from records.models import RecordsAuditEvent, ReviewDecision
from selec.core.models import AuditEvent
from tests.exchanges.scenario import send
from tests.records.erasure_scenario import CANARIES, Thread, erasure_thread

pytestmark = pytest.mark.django_db

REASON = "Retention period over: the case closed"
READERS = {"lo_bg", "lo_tr", "nfp_bg", "nfp_ro"}
OTHERS = ["lo_bg", "lo_tr", "nfp_bg", "nfp_ro", "dpo", "directory_admin", "analyst", "outsider"]


@pytest.fixture
def sent(lo_ro: Officer) -> Exchange:
    """A request the recipients, their NFPs and Romania's NFP may all read."""
    return send(lo_ro, "Bulgarian Police", "Turkish Customs", personal=True)


@pytest.fixture
def thread(lo_ro: Officer, lo_bg: Officer, lo_al: Officer) -> Thread:
    return erasure_thread(lo_ro, lo_bg, lo_al)


def _page(exchange: Exchange) -> str:
    return f"/records/erasure/{exchange.reference}/"


def _plan(exchange: Exchange) -> str:
    return f"/api/v1/review/{exchange.reference}/erasure-plan/"


def _erase(exchange: Exchange) -> str:
    return f"/api/v1/review/{exchange.reference}/erase/"


# --- The page -------------------------------------------------------------------------------


def test_the_dry_run_page_shows_what_goes_what_stays_and_who_is_told(
    thread: Thread,
    lo_ro: Officer,
    login: Callable[[Officer], Client],
    django_assert_max_num_queries,
) -> None:
    client = login(lo_ro)
    with django_assert_max_num_queries(20):
        response = client.get(_page(thread.request))

    assert response.status_code == 200
    page = response.content.decode()
    for exchange in (thread.request, thread.reply, thread.second_reply):
        assert exchange.reference in page
    for words in (
        "dry run",
        "cannot be undone",
        "What is kept",
        "Who is told",
        "Turkish Customs",
        "Bulgarian Police",
        "entity tokens",
        "hits",
        'name="reason"',
        'name="confirm"',
    ):
        assert words.lower() in page.lower(), words
    # Counts and references only, never the content.
    assert not [value for value in CANARIES.values() if value in page]
    assert AuditEvent.objects.filter(
        event=RecordsAuditEvent.ERASURE_PREVIEWED, actor_username="lo.ro"
    ).exists()


def test_the_provider_erases_from_the_page_and_sees_the_record(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    response = client.post(_page(thread.request), {"reason": REASON, "confirm": "on"})

    assert response.status_code == 302
    assert response["Location"] == _page(thread.request)
    assert Exchange.objects.get(pk=thread.request.pk).erased_at is not None
    record = client.get(response["Location"])
    assert record.status_code == 200
    page = record.content.decode()
    assert "is erased" in page
    assert "and of the 2 replies below it is erased" in page  # the message
    assert thread.second_reply.reference in page
    assert "entity tokens" in page
    # The reply's provider finds the record of the erasure its reply went with.
    reply_page = login(Officer.objects.get(username="lo.bg")).get(_page(thread.reply))
    assert reply_page.status_code == 200
    assert "is erased" in reply_page.content.decode()
    assert thread.request.reference in reply_page.content.decode()


def test_the_page_refuses_an_erasure_without_reason_or_confirmation(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    response = client.post(_page(thread.request), {"reason": "  "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the content is erased." in page
    assert "Tick the box to confirm the erasure." in page
    assert Exchange.objects.get(pk=thread.request.pk).erased_at is None


def test_erasing_again_from_the_page_is_a_conflict(
    thread: Thread, lo_ro: Officer, login: Callable[[Officer], Client]
) -> None:
    client = login(lo_ro)
    client.post(_page(thread.request), {"reason": REASON, "confirm": "on"})

    response = client.post(_page(thread.request), {"reason": REASON, "confirm": "on"})

    assert response.status_code == 409
    assert "was erased already" in response.content.decode()
    assert ReviewDecision.objects.filter(exchange=thread.request).count() == 1


@pytest.mark.parametrize("persona", OTHERS)
def test_the_page_is_404_to_anybody_but_the_provider(
    sent: Exchange,
    persona: str,
    request: pytest.FixtureRequest,
    login: Callable[[Officer], Client],
) -> None:
    officer = request.getfixturevalue(persona)
    # The recipients and the NFPs read the exchange: refused all the same.
    assert (Perm.VIEW in officer_perms(officer, sent)) == (persona in READERS)
    client = login(officer)
    assert client.get(_page(sent)).status_code == 404
    assert client.post(_page(sent), {"reason": REASON, "confirm": "on"}).status_code == 404
    assert client.get("/records/erasure/SELEC-1999-000001/").status_code == 404
    assert Exchange.objects.get(pk=sent.pk).erased_at is None
    assert not AuditEvent.objects.filter(event=RecordsAuditEvent.ERASURE_PREVIEWED).exists()


# --- The API --------------------------------------------------------------------------------


def test_the_api_gives_the_plan_then_erases(
    thread: Thread,
    lo_ro: Officer,
    api: Callable[[Officer], APIClient],
    django_assert_max_num_queries,
) -> None:
    client = api(lo_ro)
    with django_assert_max_num_queries(16):
        plan = client.get(_plan(thread.request))

    assert plan.status_code == 200
    body = plan.json()
    assert body["reference"] == thread.request.reference
    assert [e["reference"] for e in body["exchanges"]] == [
        thread.request.reference,
        thread.reply.reference,
        thread.second_reply.reference,
    ]
    assert body["exchanges"][0]["entities"] == 2
    assert body["exchanges"][0]["provider"]["party"] == "RO"
    assert {a["name"] for a in body["exchanges"][0]["told"]} == {
        "Bulgarian Police",
        "Turkish Customs",
    }
    assert body["deleted"]["hits"] == 2
    assert body["emptied"]["exchanges"] == 3
    assert body["kept"]

    erased = client.post(_erase(thread.request), {"reason": REASON}, format="json")

    assert erased.status_code == 200
    done = erased.json()
    assert done["erased"] == [e["reference"] for e in body["exchanges"]]
    assert {k: done[k] for k in ("emptied", "deleted")} == {
        k: body[k] for k in ("emptied", "deleted")
    }
    assert ReviewDecision.objects.get(exchange=thread.request).removed == {
        "emptied": body["emptied"],
        "deleted": body["deleted"],
    }


def test_the_api_refuses_a_second_erasure_and_its_plan_as_a_conflict(
    thread: Thread, lo_ro: Officer, api: Callable[[Officer], APIClient]
) -> None:
    client = api(lo_ro)
    assert client.post(_erase(thread.request), {"reason": REASON}, format="json").status_code == 200

    again = client.post(_erase(thread.request), {"reason": REASON}, format="json")
    plan = client.get(_plan(thread.request))

    assert again.status_code == plan.status_code == 409
    assert "was erased on" in again.json()["detail"]
    assert AuditEvent.objects.filter(event=RecordsAuditEvent.ERASED).count() == 1


def test_the_api_asks_for_a_reason(
    thread: Thread, lo_ro: Officer, api: Callable[[Officer], APIClient]
) -> None:
    client = api(lo_ro)
    for body in ({}, {"reason": ""}, {"reason": 12}):
        response = client.post(_erase(thread.request), body, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()["errors"]
    assert Exchange.objects.get(pk=thread.request.pk).erased_at is None


@pytest.mark.parametrize("persona", OTHERS)
def test_the_endpoints_are_404_to_anybody_but_the_provider(
    sent: Exchange,
    persona: str,
    request: pytest.FixtureRequest,
    api: Callable[[Officer], APIClient],
) -> None:
    client = api(request.getfixturevalue(persona))
    assert client.get(_plan(sent)).status_code == 404
    response = client.post(_erase(sent), {"reason": REASON}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Exchange.objects.get(pk=sent.pk).erased_at is None


def test_the_endpoints_need_credentials(thread: Thread) -> None:
    assert APIClient().get(_plan(thread.request)).status_code == 401
    assert APIClient().post(_erase(thread.request), {"reason": REASON}).status_code == 401
