"""The correction page: the provider sees the exchange as it is now, prefilled, corrects one
section at a time, and is told who was notified; anybody else gets 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import Exchange, ExchangeAuditEvent
from exchanges.services.inputs import EntityInput
from partners.models import Officer
from records.models import RecordsAuditEvent, RecordsNotificationKind
from selec.core.models import AuditEvent, Notification
from tests.exchanges.scenario import A_PERSON_NAMES, send
from tests.form_labels import label_problems
from tests.helpers import purpose_given, verified_client
from tests.records.corrections_scenario import (
    OLD_BODY,
    colleague_of_lo_ro,
    events,
    personal_report,
)

pytestmark = pytest.mark.django_db

NEW_BODY = "Container MSCU 765432-1 expected on 5 December."


def _url(exchange: Exchange) -> str:
    return f"/records/correct/{exchange.reference}/"


def _message_post(exchange: Exchange, **changes: str) -> dict[str, str]:
    return {
        "part": "message",
        "message-subject": exchange.subject,
        "message-body": exchange.body,
        "message-source_reliability": exchange.source_reliability,
        "message-information_accuracy": exchange.information_accuracy,
        "message-note": "",
        **{f"message-{name}": value for name, value in changes.items()},
    }


def test_the_page_shows_the_content_as_it_is_now_through_an_audited_consultation(
    login, lo_ro: Officer
) -> None:
    exchange = personal_report(lo_ro)
    response = login(lo_ro).get(_url(exchange))
    assert response.status_code == 200
    content = response.content.decode()
    assert OLD_BODY in content
    assert f'value="{exchange.subject}"' in content
    assert f'value="{A_PERSON_NAMES}"' in content
    assert 'value="1980-04-12"' in content
    assert f'name="entity" value="{exchange.entities.get().uuid}"' in content
    assert '<option value="B" selected>' in content
    assert label_problems(content) == []
    # Reading the content to prefill it is a consultation like any other.
    assert AuditEvent.objects.filter(
        event=ExchangeAuditEvent.CONSULTED, actor=lo_ro, object_id=str(exchange.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg", "nfp_ro", "outsider", "dpo", "analyst"])
def test_anybody_but_the_provider_gets_404_on_the_page_and_its_form(
    request: pytest.FixtureRequest, client: Client, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    officer: Officer = request.getfixturevalue(persona)
    purpose_given(officer, exchange)
    pages = verified_client(client, officer)
    assert pages.get(_url(exchange)).status_code == 404
    assert pages.post(_url(exchange), _message_post(exchange, body=NEW_BODY)).status_code == 404
    assert Exchange.objects.get(pk=exchange.pk).body == OLD_BODY


def test_a_corrected_message_goes_back_to_the_thread_saying_who_was_told(
    login, lo_ro: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    client = login(lo_ro)
    response = client.post(
        _url(exchange),
        _message_post(exchange, body=NEW_BODY, note="Container number mistyped."),
        follow=True,
    )
    assert response.redirect_chain[0] == (f"/exchanges/{exchange.reference}/", 302)
    assert f"{exchange.reference} corrected (the message);" in response.content.decode()
    assert Exchange.objects.get(pk=exchange.pk).body == NEW_BODY
    assert Notification.objects.filter(kind=RecordsNotificationKind.CORRECTED).exists()


def test_a_corrected_entity_replaces_the_old_one(login, lo_ro: Officer) -> None:
    exchange = personal_report(lo_ro)
    entity = exchange.entities.get()
    response = login(lo_ro).post(
        _url(exchange),
        {
            "part": "entity",
            "entity": str(entity.uuid),
            "entity-0-names": "Marko Marković",
            "entity-0-date_of_birth": "1980-04-12",
            "entity-0-nationality": "me",
            "entity-0-note": "Wrong man named in the first report.",
        },
    )
    assert response.status_code == 302
    new = exchange.entities.get()
    assert new.attributes == {
        "names": "Marko Marković",
        "date_of_birth": "1980-04-12",
        "nationality": "ME",
    }
    assert events(RecordsAuditEvent.CORRECTED)[0].details["parts"] == ["entity"]


def test_a_persons_further_documents_are_kept_as_they_are(login, lo_ro: Officer) -> None:
    documents = [
        {"type": "passport", "number": "P1234567", "issuing_country": "RS"},
        {"type": "identity card", "number": "ID998877", "issuing_country": "ME"},
    ]
    exchange = send(
        lo_ro,
        "Bulgarian Police",
        personal=True,
        entities=[EntityInput("person", {"names": "Ana Petrović", "documents": documents})],
    )
    entity = exchange.entities.get()
    client = login(lo_ro)
    page = client.get(_url(exchange)).content.decode()
    assert 'value="P1234567"' in page
    assert "1 more document than the one shown" in page
    response = client.post(
        _url(exchange),
        {
            "part": "entity",
            "entity": str(entity.uuid),
            "entity-0-names": "Ana Petrović",
            "entity-0-document_type": "passport",
            "entity-0-document_number": "P7654321",
            "entity-0-document_issuing_country": "RS",
        },
    )
    assert response.status_code == 302
    assert exchange.entities.get().attributes["documents"] == [
        {"type": "passport", "number": "P7654321", "issuing_country": "RS"},
        documents[1],
    ]


@pytest.mark.parametrize(
    ("post", "shown"),
    [
        ({"body": ""}, "This field is required."),
        ({"body": OLD_BODY}, "Nothing to correct"),
        ({"information_accuracy": ""}, "Personal data must carry the source and information"),
    ],
)
def test_a_refused_correction_shows_why_and_saves_nothing(
    login, lo_ro: Officer, post: dict[str, str], shown: str
) -> None:
    exchange = personal_report(lo_ro)
    response = login(lo_ro).post(_url(exchange), _message_post(exchange, **post))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was corrected." in content
    assert shown in content
    assert Exchange.objects.get(pk=exchange.pk).corrected_at is None
    assert events(RecordsAuditEvent.CORRECTED) == []


def test_an_entity_the_rules_refuse_is_shown_with_its_error_and_nothing_saved(
    login, lo_ro: Officer
) -> None:
    exchange = personal_report(lo_ro)
    entity = exchange.entities.get()
    response = login(lo_ro).post(
        _url(exchange),
        {
            "part": "entity",
            "entity": str(entity.uuid),
            "entity-0-names": "Marko Marković",
            "entity-0-nationality": "Montenegro",
        },
    )
    assert response.status_code == 400
    assert "is not an ISO 3166 country code" in response.content.decode()
    assert exchange.entities.get().pk == entity.pk


def test_a_post_naming_no_section_is_refused(login, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    response = login(lo_ro).post(_url(exchange), {"part": "entity", "entity": "not-a-uuid"})
    assert response.status_code == 400
    assert "The page sent no section to correct" in response.content.decode()


def test_a_provider_who_did_not_write_the_exchange_gives_a_purpose_first(
    client: Client, lo_ro: Officer, nfp_ro: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    colleague = colleague_of_lo_ro(nfp_ro)
    pages = verified_client(client, colleague)

    response = pages.get(_url(exchange))
    assert (response.status_code, response["Location"]) == (
        302,
        f"/exchanges/{exchange.reference}/",
    )

    purpose_given(colleague, exchange)
    assert pages.get(_url(exchange)).status_code == 200


def test_an_erased_exchange_shows_that_nothing_is_left_to_correct(login, lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    Exchange.objects.filter(pk=exchange.pk).update(erased_at=timezone.now())
    response = login(lo_ro).get(_url(exchange))
    assert response.status_code == 200
    assert "there is nothing left to correct" in response.content.decode()
    assert 'name="part"' not in response.content.decode()


def test_the_page_costs_the_same_whatever_the_number_of_entities(
    login, lo_ro: Officer, django_assert_num_queries
) -> None:
    client = login(lo_ro)
    one = personal_report(lo_ro)
    client.get(_url(one))  # the session's first page warms what every page reads once
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url(one)).status_code == 200
    # Counted now: the next request empties the connection's log the context reads.
    one_entity = len(captured.captured_queries)
    people = [
        EntityInput("person", {"names": f"Person {n}", "nationality": "RS"}) for n in range(4)
    ]
    four = send(lo_ro, "Bulgarian Police", personal=True, entities=people)
    client.get(_url(four))
    with django_assert_num_queries(one_entity):
        content = client.get(_url(four)).content.decode()
    assert content.count('name="part" value="entity"') == 4
