"""Sending, replying, receipts, listing, deadlines, notifications and cases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import (
    Attachment,
    Entity,
    Exchange,
    ExchangeNotificationKind,
    Recipient,
)
from exchanges.selectors import exchanges_visible_to
from exchanges.selectors_inbox import InboxQuery, Position, inbox_search
from exchanges.services import (
    consultation,
    deadlines,
    dissemination_requests,
    inputs,
    on_receipt,
    restriction_changes,
    sending,
)
from hits.models import EntityToken
from partners.models import Officer, Party
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea
from tests.exchanges.scenario import A_PERSON, agency_ids, message, send
from tests.exchanges.service_records import _ask_to_share_with_greece, _events_since, _mark
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


def test_a_send_gets_a_reference_of_its_year_and_a_due_date_from_its_priority(
    lo_ro: Officer,
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", priority="immediate")
    assert re.fullmatch(
        rf"SELEC-{timezone.localtime(exchange.sent_at).year}-\d{{6}}", exchange.reference
    )
    assert exchange.due_at - exchange.sent_at == dt.timedelta(hours=8)
    assert inputs.due_date(exchange.sent_at, "urgent") - exchange.sent_at == dt.timedelta(days=3)
    assert inputs.due_date(exchange.sent_at, "routine") - exchange.sent_at == dt.timedelta(days=7)


def test_references_are_consecutive(lo_ro: Officer) -> None:
    first = send(lo_ro, "Bulgarian Police")
    second = send(lo_ro, "Bulgarian Police")
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_personal_data_to_an_observer_is_refused_naming_the_recipient_and_nothing_is_saved(
    lo_ro: Officer,
) -> None:
    before = (
        Exchange.objects.count(),
        Entity.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as refused:
        send(lo_ro, "Bulgarian Police", "Police of Austria", personal=True)
    text = str(refused.value)
    assert "Police of Austria (AT)" in text
    assert "observer" in text
    assert "personal data" in text
    after = (
        Exchange.objects.count(),
        Entity.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_strategic_information_may_go_to_an_observer(lo_ro: Officer, obs_at: Officer) -> None:
    exchange = send(lo_ro, "Police of Austria", kind="information")
    assert exchanges_visible_to(obs_at).filter(pk=exchange.pk).exists()


def test_entities_mark_an_exchange_as_personal_data_and_need_an_evaluation(lo_ro: Officer) -> None:
    with pytest.raises(ValidationError, match="evaluation"):
        sending.exchange_send(
            officer=lo_ro,
            kind="request",
            recipient_agency_ids=agency_ids("Bulgarian Police"),
            crime_area_id=1,
            priority="routine",
            message=inputs.Message(subject="s", body="b", entities=[A_PERSON]),
        )


def test_a_disguised_attachment_is_refused_and_nothing_is_saved(lo_ro: Officer) -> None:
    count = Exchange.objects.count()
    disguised = inputs.AttachmentInput(
        "report.pdf", "application/pdf", b"MZ\x90\x00 this is a program"
    )
    with pytest.raises(ValidationError, match=r"report\.pdf"):
        send(lo_ro, "Bulgarian Police", attachments=[disguised])
    assert Exchange.objects.count() == count


def test_a_send_stores_encrypted_entities_with_blind_index_tokens(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    entity = exchange.entities.get()
    assert Entity.objects.get(pk=entity.pk).attributes["names"] == "Ђорђе Ђорђевић"
    assert EntityToken.objects.filter(entity=entity).count() >= 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT attributes FROM exchanges_entity WHERE id = %s", [entity.pk])
        assert "Ђорђевић" not in cursor.fetchone()[0]


def test_a_send_with_three_recipients_two_entities_and_an_attachment_stays_under_twenty_queries(
    lo_ro: Officer,
) -> None:
    two = [
        A_PERSON,
        inputs.EntityInput("vehicle", {"plate": "B 123 ABC", "vin": "WVWZZZ1JZXW000001"}),
    ]
    recipients = agency_ids("Bulgarian Police", "Turkish Customs", "Hellenic Police")
    drugs = CrimeArea.objects.get(code="drugs").pk
    with CaptureQueriesContext(connection) as queries:
        sending.exchange_send(
            officer=lo_ro,
            kind="request",
            recipient_agency_ids=recipients,
            crime_area_id=drugs,
            priority="urgent",
            message=message(personal=True, entities=two),
        )
    assert len(queries.captured_queries) < 20, [q["sql"][:120] for q in queries.captured_queries]


def test_every_write_records_exactly_one_audit_event_of_its_kind(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    mark = _mark()
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    assert _events_since(mark) == [(AuditAction.COLLECTION, "request sent")]
    purpose_given(lo_bg, exchange)
    mark = _mark()
    consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    assert _events_since(mark) == [(AuditAction.CONSULTATION, "content consulted")]
    mark = _mark()
    consultation.attachment_download(officer=lo_bg, attachment_id=exchange.attachments.get().pk)
    assert _events_since(mark) == [(AuditAction.DISCLOSURE, "attachment downloaded")]
    mark = _mark()
    request = _ask_to_share_with_greece(lo_bg, exchange)
    assert _events_since(mark) == [(AuditAction.COLLECTION, "dissemination requested")]
    mark = _mark()
    dissemination_requests.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    assert _events_since(mark) == [(AuditAction.GRANT, "dissemination granted")]
    mark = _mark()
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro,
        exchange=exchange,
        restrictions=Restrictions(dissemination=True, evidence=True),
    )
    assert _events_since(mark) == [(AuditAction.ALTERATION, "restrictions tightened")]
    mark = _mark()
    sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    assert _events_since(mark) == [(AuditAction.COLLECTION, "reply sent")]
    mark = _mark()
    on_receipt.exchange_acknowledge(officer=lo_bg, exchange=exchange)
    assert _events_since(mark) == [(AuditAction.ALTERATION, "receipt acknowledged")]


def test_receipts_record_read_acknowledged_and_answered_per_agency(
    lo_ro: Officer, lo_bg: Officer, lo_tr
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    purpose_given(lo_bg, exchange)
    bulgaria = Recipient.objects.get(exchange=exchange, agency=lo_bg.agency)
    assert bulgaria.delivered_at is not None
    assert bulgaria.read_at is None
    consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    on_receipt.exchange_acknowledge(officer=lo_bg, exchange=exchange)
    sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    bulgaria.refresh_from_db()
    assert bulgaria.read_at is not None
    assert bulgaria.acknowledged_at is not None
    assert bulgaria.answered_at is not None
    turkey = Recipient.objects.get(exchange=exchange, agency=lo_tr.agency)
    assert (turkey.read_at, turkey.acknowledged_at, turkey.answered_at) == (None, None, None)


def test_the_nfp_reading_does_not_mark_the_agency_receipt_read(
    lo_ro: Officer, nfp_bg: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(nfp_bg, exchange)
    consultation.exchange_consult(officer=nfp_bg, exchange=exchange)
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).read_at is None


def test_a_reply_goes_back_to_the_sender_and_inherits_the_strictest_restrictions(
    lo_ro: Officer, lo_bg: Officer, lo_tr
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")
    reply = sending.exchange_reply(
        officer=lo_bg, parent=exchange, message=message(code="H1", attachments=())
    )
    assert (reply.restrict_dissemination, reply.restrict_evidence) == (True, True)
    assert reply.thread_root == exchange
    assert list(reply.recipients.values_list("agency__name", flat=True)) == ["Romanian Police"]
    assert not exchanges_visible_to(lo_tr).filter(pk=reply.pk).exists()
    assert exchanges_visible_to(lo_ro).filter(pk=reply.pk).exists()


def test_a_reply_to_personal_data_carries_personal_data(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    with pytest.raises(ValidationError, match="evaluation"):
        sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    reply = sending.exchange_reply(
        officer=lo_bg, parent=exchange, message=message(personal=True, entities=[], attachments=())
    )
    assert reply.personal_data


def _newest(officer: Officer, *, limit: int, after: Position | None = None) -> list[Exchange]:
    """The officer's visible exchanges, newest first, as the unfiltered inbox lists them."""
    return [
        row.exchange for row in inbox_search(officer, InboxQuery(), after=after, limit=limit).rows
    ]


def test_listing_costs_the_same_queries_for_ten_and_two_hundred_visible_exchanges(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    for _ in range(10):
        send(lo_ro, "Bulgarian Police", "Turkish Customs", attachments=())
    with CaptureQueriesContext(connection) as ten:
        page = _newest(Officer.objects.get(pk=lo_bg.pk), limit=200)
        [r.agency.party.code for e in page for r in e.listed_receipts]
    assert len(page) == 10
    for _ in range(190):
        send(lo_ro, "Bulgarian Police", "Turkish Customs", attachments=())
    with CaptureQueriesContext(connection) as two_hundred:
        page = _newest(Officer.objects.get(pk=lo_bg.pk), limit=200)
        [r.agency.party.code for e in page for r in e.listed_receipts]
    assert len(page) == 200
    assert len(two_hundred.captured_queries) == len(ten.captured_queries)


def test_keyset_pages_follow_each_other_without_overlap(lo_ro: Officer, lo_bg: Officer) -> None:
    sent = [send(lo_ro, "Bulgarian Police", attachments=()) for _ in range(5)]
    first = _newest(lo_bg, limit=3)
    second = _newest(lo_bg, after=Position(first[-1].sent_at, first[-1].pk), limit=3)
    assert [e.pk for e in first + second] == [e.pk for e in reversed(sent)]


def test_deadlines_are_flagged_once_when_approaching_and_once_when_passed(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    from selec.core.models import Notification

    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", priority="urgent")
    sending.exchange_reply(officer=lo_tr, parent=exchange, message=message(attachments=()))
    assert deadlines.deadlines_flag(now=exchange.sent_at + dt.timedelta(hours=1)) == 0
    soon = exchange.due_at - dt.timedelta(hours=1)
    assert deadlines.deadlines_flag(now=soon) > 0
    assert deadlines.deadlines_flag(now=soon) == 0
    later = exchange.due_at + dt.timedelta(minutes=1)
    assert deadlines.deadlines_flag(now=later) > 0
    assert deadlines.deadlines_flag(now=later) == 0
    kinds = set(
        Notification.objects.filter(officer=lo_bg, object_id=str(exchange.pk)).values_list(
            "kind", flat=True
        )
    )
    assert {
        ExchangeNotificationKind.DEADLINE_APPROACHING,
        ExchangeNotificationKind.DEADLINE_PASSED,
    } <= kinds
    # Turkish Customs answered: no deadline notices for it.
    assert not Notification.objects.filter(
        officer=lo_tr,
        kind__in=[
            ExchangeNotificationKind.DEADLINE_APPROACHING,
            ExchangeNotificationKind.DEADLINE_PASSED,
        ],
    ).exists()


def test_a_new_exchange_notifies_the_recipients_and_their_nfp_without_content(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer, outsider: Officer
) -> None:
    from selec.core.models import Notification

    exchange = send(lo_ro, "Bulgarian Police", subject="Secret subject line")
    for officer in (lo_bg, nfp_bg):
        note = Notification.objects.get(officer=officer, object_id=str(exchange.pk))
        assert exchange.reference in note.title
        assert "Secret" not in note.title
    assert not Notification.objects.filter(officer=outsider, object_id=str(exchange.pk)).exists()


def test_an_nfp_officer_acknowledges_for_the_agencies_of_their_country(
    lo_ro: Officer, nfp_bg: Officer, lo_tr: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Bulgarian Customs Agency", "Turkish Customs")
    assert on_receipt.exchange_acknowledge(officer=nfp_bg, exchange=exchange) == 2
    acknowledged = dict(
        Recipient.objects.filter(exchange=exchange).values_list("agency__name", "acknowledged_at")
    )
    assert acknowledged["Bulgarian Police"] is not None
    assert acknowledged["Bulgarian Customs Agency"] is not None
    assert acknowledged["Turkish Customs"] is None


def test_the_provider_reads_its_own_h3_exchange_without_confirming(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    assert consultation.exchange_consult(officer=lo_ro, exchange=exchange).body.startswith(
        "Container"
    )


def test_an_exchange_joins_a_case_only_of_a_party_taking_part(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    from cases.models import Case, CaseKind

    parties = {p.code: p for p in Party.objects.filter(code__in=["BA", "RO", "AL"])}
    tara = Case.objects.create(
        name="Tara",
        kind=CaseKind.JOINT_INVESTIGATION,
        lead_party=parties["BA"],
        started_on=dt.date(2008, 11, 11),
    )
    tara.participants.set([parties["RO"]])
    drugs = CrimeArea.objects.get(code="drugs").pk
    exchange = sending.exchange_send(
        officer=lo_ro,
        kind="information",
        recipient_agency_ids=agency_ids("Bulgarian Police"),
        crime_area_id=drugs,
        priority="routine",
        message=message(attachments=()),
        case_id=tara.pk,
    )
    assert exchange.case == tara
    reply = sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    assert reply.case == tara
    with pytest.raises(ValidationError, match="BG takes no part"):
        sending.exchange_send(
            officer=lo_bg,
            kind="information",
            recipient_agency_ids=agency_ids("Romanian Police"),
            crime_area_id=drugs,
            priority="routine",
            message=message(attachments=()),
            case_id=tara.pk,
        )
    with pytest.raises(ValidationError, match="No such"):
        sending.exchange_send(
            officer=lo_ro,
            kind="information",
            recipient_agency_ids=agency_ids("Bulgarian Police"),
            crime_area_id=drugs,
            priority="routine",
            message=message(attachments=()),
            case_id=999_999,
        )
