"""Access reports show each consultation of an exchange with the purpose its officer gave for
the thread, read for the whole report in one query, and mark the consultation that carried it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.models import Exchange, ExchangeAuditEvent
from exchanges.models_purposes import ConsultationPurpose
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from tests.hits.scenario import person, reply, report
from tests.oversight.entity_scenario import AL_PURPOSE, TR_PURPOSE, EntityLogged

pytestmark = pytest.mark.django_db

Login = Callable[[Officer], Client]
Api = Callable[[Officer], APIClient]


def _access(reference: str) -> str:
    return f"/api/v1/audit/access/{reference}/"


def _consulted(officer: Officer, exchange: Exchange, **details: str) -> None:
    """A consultation's event as the consultation service writes it, without the service (so
    that its purpose may be given, on record, or missing as a test needs)."""
    with transaction.atomic():
        audit_record(
            actor=officer,
            action=AuditAction.CONSULTATION,
            event=ExchangeAuditEvent.CONSULTED,
            target=exchange,
            reason="content consulted",
            details={"reference": exchange.reference, **details},
        )


def _purposes(body: dict) -> list[tuple[str, str | None, bool | None]]:
    return [
        (
            event["username"],
            event["purpose"] and event["purpose"]["text"],
            event["purpose"] and event["purpose"]["given_here"],
        )
        for event in body["events"]
        if event["event"] == ExchangeAuditEvent.CONSULTED
    ]


def test_each_consultation_shows_its_officers_purpose_and_where_it_was_given(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    body = api(dpo).get(_access(entity_logged.romanian.reference)).json()
    assert _purposes(body) == [
        ("lo.tr", TR_PURPOSE, True),
        ("lo.tr", TR_PURPOSE, False),
        ("lo.al", AL_PURPOSE, True),
    ]
    first = next(e for e in body["events"] if e["event"] == ExchangeAuditEvent.CONSULTED)
    assert first["justification"] == TR_PURPOSE
    assert first["purpose"]["given_at"]
    assert all(e["purpose"] is None for e in body["events"] if e["event"] != "exchange.consulted")


def test_the_page_marks_the_row_that_carried_the_purpose(
    login: Login, dpo: Officer, entity_logged: EntityLogged
) -> None:
    html = login(dpo).get(f"/dpo/access/{entity_logged.romanian.reference}/").content.decode()
    assert html.count('data-purpose="given-here"') == 2
    assert html.count('data-purpose="on-record"') == 1
    assert "purpose given here" in html
    assert "Purpose for the thread, given" in html
    assert html.count(TR_PURPOSE) == 2  # the justification, then the purpose on record


def test_a_reply_s_consultation_shows_the_purpose_given_for_its_thread(
    api: Api, dpo: Officer, lo_ro: Officer, lo_tr: Officer, lo_bg: Officer
) -> None:
    root = report(lo_ro, person("Emil Raykov"))
    answer = reply(lo_tr, root, person("Emil Raykov"))
    assert answer.thread_root_id == root.pk
    ConsultationPurpose.objects.create(
        officer=lo_tr, thread=root, purpose="Inquiry 12/2026", given_at=timezone.now()
    )
    # Another officer's purpose for another thread: not theirs to show.
    ConsultationPurpose.objects.create(
        officer=lo_bg, thread=answer, purpose="Not a thread", given_at=timezone.now()
    )
    _consulted(lo_tr, answer, purpose="on record")
    _consulted(lo_bg, answer)
    body = api(dpo).get(_access(answer.reference)).json()
    assert _purposes(body) == [("lo.tr", "Inquiry 12/2026", False), ("lo.bg", None, None)]


def test_the_entity_report_shows_the_purposes_too(
    api: Api, dpo: Officer, entity_logged: EntityLogged
) -> None:
    client = api(dpo)
    entity = client.post(
        "/api/v1/audit/entity-tokens/",
        {
            "entity": {
                "kind": "person",
                "attributes": {"names": "Zhekov Tsvetan", "date_of_birth": "1975-02-03"},
            }
        },
    ).json()["entity"]
    body = client.get("/api/v1/audit/access/entity/", {"entity": entity}).json()
    assert _purposes(body) == [
        ("lo.tr", TR_PURPOSE, True),
        ("lo.tr", TR_PURPOSE, False),
        ("lo.al", AL_PURPOSE, True),
    ]


def test_the_thread_s_author_is_said_to_need_none(
    login: Login, dpo: Officer, lo_ro: Officer
) -> None:
    exchange = report(lo_ro, person("Emil Raykov"))
    _consulted(lo_ro, exchange, purpose="thread author")
    html = login(dpo).get(f"/dpo/access/{exchange.reference}/").content.decode()
    assert 'data-purpose="thread-author"' in html


def test_the_purposes_cost_one_query_however_many_consultations(
    api: Api,
    dpo: Officer,
    lo_ro: Officer,
    lo_tr: Officer,
    lo_bg: Officer,
    django_assert_num_queries,
) -> None:
    exchange = report(lo_ro, person("Emil Raykov"), to=("Turkish Customs", "Bulgarian Police"))
    client = api(dpo)
    # The reference, the events, the savepoint pair and the report's audit insert.
    with django_assert_num_queries(5):
        client.get(_access(exchange.reference))
    for officer in (lo_tr, lo_bg):
        ConsultationPurpose.objects.create(
            officer=officer, thread=exchange, purpose=f"Why {officer}", given_at=timezone.now()
        )
        for _ in range(3):
            _consulted(officer, exchange, purpose="on record")
    # One more: the purposes of all six consultations.
    with django_assert_num_queries(6):
        body = client.get(_access(exchange.reference)).json()
    assert [text for _who, text, _here in _purposes(body)] == ["Why lo.tr"] * 3 + ["Why lo.bg"] * 3
