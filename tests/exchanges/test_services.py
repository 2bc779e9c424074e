"""Sending, replying, forwarding, dissemination, restrictions and receipts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges import services
from exchanges.models import (
    Attachment,
    DisseminationKind,
    DisseminationStatus,
    Entity,
    EntityToken,
    Exchange,
    ExchangeNotificationKind,
    Recipient,
)
from exchanges.selectors import InboxQuery, Position, exchanges_visible_to, inbox_search
from partners.models import Officer, Party, PartyStatus
from partners.services import party_change_status
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea
from tests.exchanges.scenario import A_PERSON, agency_ids, message, send

pytestmark = pytest.mark.django_db


def _events_since(mark: int) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(pk__gt=mark).order_by("pk").values_list("action", "reason")
    )


def _ask_to_share_with_greece(officer: Officer, exchange: Exchange):  # type: ignore[no-untyped-def]
    return services.dissemination_request_file(
        officer=officer,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Hellenic Police"),
        intended_use="Joint investigation",
        justification="Suspect in Greece",
    )


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_send_gets_a_reference_of_its_year_and_a_due_date_from_its_priority(
    lo_ro: Officer,
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", priority="immediate")
    assert re.fullmatch(
        rf"SELEC-{timezone.localtime(exchange.sent_at).year}-\d{{6}}", exchange.reference
    )
    assert exchange.due_at - exchange.sent_at == dt.timedelta(hours=8)
    assert services.due_date(exchange.sent_at, "urgent") - exchange.sent_at == dt.timedelta(days=3)
    assert services.due_date(exchange.sent_at, "routine") - exchange.sent_at == dt.timedelta(days=7)


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
        services.exchange_send(
            officer=lo_ro,
            kind="request",
            recipient_agency_ids=agency_ids("Bulgarian Police"),
            crime_area_id=1,
            priority="routine",
            message=services.Message(subject="s", body="b", entities=[A_PERSON]),
        )


def test_a_disguised_attachment_is_refused_and_nothing_is_saved(lo_ro: Officer) -> None:
    count = Exchange.objects.count()
    disguised = services.AttachmentInput(
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
        services.EntityInput("vehicle", {"plate": "B 123 ABC", "vin": "WVWZZZ1JZXW000001"}),
    ]
    recipients = agency_ids("Bulgarian Police", "Turkish Customs", "Hellenic Police")
    drugs = CrimeArea.objects.get(code="drugs").pk
    with CaptureQueriesContext(connection) as queries:
        services.exchange_send(
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
    mark = _mark()
    services.exchange_consult(officer=lo_bg, exchange=exchange)
    assert _events_since(mark) == [(AuditAction.CONSULTATION, "content consulted")]
    mark = _mark()
    services.attachment_download(officer=lo_bg, attachment_id=exchange.attachments.get().pk)
    assert _events_since(mark) == [(AuditAction.DISCLOSURE, "attachment downloaded")]
    mark = _mark()
    request = _ask_to_share_with_greece(lo_bg, exchange)
    assert _events_since(mark) == [(AuditAction.COLLECTION, "dissemination requested")]
    mark = _mark()
    services.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    assert _events_since(mark) == [(AuditAction.GRANT, "dissemination granted")]
    mark = _mark()
    services.exchange_change_restrictions(
        officer=lo_ro,
        exchange=exchange,
        restrictions=Restrictions(dissemination=True, evidence=True),
    )
    assert _events_since(mark) == [(AuditAction.ALTERATION, "restrictions tightened")]
    mark = _mark()
    services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    assert _events_since(mark) == [(AuditAction.COLLECTION, "reply sent")]
    mark = _mark()
    services.exchange_acknowledge(officer=lo_bg, exchange=exchange)
    assert _events_since(mark) == [(AuditAction.ALTERATION, "receipt acknowledged")]


def test_receipts_record_read_acknowledged_and_answered_per_agency(
    lo_ro: Officer, lo_bg: Officer, lo_tr
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs")
    bulgaria = Recipient.objects.get(exchange=exchange, agency=lo_bg.agency)
    assert bulgaria.delivered_at is not None
    assert bulgaria.read_at is None
    services.exchange_consult(officer=lo_bg, exchange=exchange)
    services.exchange_acknowledge(officer=lo_bg, exchange=exchange)
    services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
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
    services.exchange_consult(officer=nfp_bg, exchange=exchange)
    assert Recipient.objects.get(exchange=exchange, agency=lo_bg.agency).read_at is None


def test_a_reply_goes_back_to_the_sender_and_inherits_the_strictest_restrictions(
    lo_ro: Officer, lo_bg: Officer, lo_tr
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H2")
    reply = services.exchange_reply(
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
        services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    reply = services.exchange_reply(
        officer=lo_bg, parent=exchange, message=message(personal=True, entities=[], attachments=())
    )
    assert reply.personal_data


def test_h3_content_stays_closed_until_the_reader_confirms_the_text(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    with pytest.raises(services.RestrictionNotConfirmed):
        services.exchange_consult(officer=lo_bg, exchange=exchange)
    with pytest.raises(services.RestrictionNotConfirmed):
        services.attachment_download(officer=lo_bg, attachment_id=exchange.attachments.get().pk)
    services.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    assert services.exchange_consult(officer=lo_bg, exchange=exchange).body.startswith("Container")


def test_a_changed_h3_text_must_be_confirmed_again(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    services.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    services.exchange_change_restrictions(
        officer=lo_ro,
        exchange=exchange,
        restrictions=Restrictions(text=exchange.restriction_text + " Nor with the press."),
    )
    with pytest.raises(services.RestrictionNotConfirmed):
        services.exchange_consult(officer=lo_bg, exchange=exchange)


def test_tightening_to_h2_revokes_forwarding_at_once_for_the_exchange_and_its_replies(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    reply = services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    services.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(dissemination=True)
    )
    with pytest.raises(PermissionDenied, match="H2"):
        services.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Hellenic Police"),
            justification="x",
        )
    reply.refresh_from_db()
    assert reply.restrict_dissemination


def test_only_the_provider_loosens_and_only_then_does_forwarding_open(
    lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    with pytest.raises(PermissionDenied):
        services.exchange_change_restrictions(
            officer=lo_bg, exchange=exchange, restrictions=Restrictions()
        )
    with pytest.raises(Http404):
        services.exchange_change_restrictions(
            officer=outsider, exchange=exchange, restrictions=Restrictions()
        )
    services.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions()
    )
    services.exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Hellenic Police"),
        justification="x",
    )
    assert exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()  # lo.gr: Hellenic Police


def test_a_granted_dissemination_lets_the_requester_forward_to_exactly_the_agencies_it_names(
    lo_ro: Officer, lo_bg: Officer, outsider: Officer, lo_al: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    with pytest.raises(PermissionDenied, match="Hellenic Police"):
        services.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Hellenic Police"),
            justification="x",
        )
    request = _ask_to_share_with_greece(lo_bg, exchange)
    services.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()  # not until forwarded
    with pytest.raises(PermissionDenied, match="Albanian State Police"):
        services.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Albanian State Police"),
            justification="x",
        )
    services.exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Hellenic Police"),
        justification="Joint case",
    )
    assert exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()  # lo.gr: Hellenic Police
    assert not exchanges_visible_to(lo_al).filter(pk=exchange.pk).exists()
    with pytest.raises(ValidationError, match="already granted"):
        services.dissemination_request_decide(officer=lo_ro, request=request, grant=False)


def test_a_refused_dissemination_adds_nothing(
    lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    request = _ask_to_share_with_greece(lo_bg, exchange)
    decided = services.dissemination_request_decide(
        officer=lo_ro, request=request, grant=False, note="Too early"
    )
    assert decided.status == DisseminationStatus.REFUSED
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()


def test_dissemination_to_an_observer_of_personal_data_is_refused(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2", personal=True)
    with pytest.raises(ValidationError, match="Police of Austria"):
        services.dissemination_request_file(
            officer=lo_bg,
            exchange=exchange,
            kind="share",
            target_agency_ids=agency_ids("Police of Austria"),
            intended_use="x",
            justification="y",
        )


def test_h1_blocks_the_evidence_export_until_the_provider_grants_it(
    lo_ro: Officer, lo_bg: Officer, lo_tr
) -> None:  # type: ignore[no-untyped-def]
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H1")
    with pytest.raises(PermissionDenied):
        services.exchange_export_evidence(officer=lo_bg, exchange=exchange, justification="Case 1")
    request = services.dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind=DisseminationKind.EVIDENCE,
        target_agency_ids=[],
        intended_use="Trial in Sofia",
        justification="Court order 12/2026",
    )
    services.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    bundle = services.exchange_export_evidence(
        officer=lo_bg, exchange=exchange, justification="Case 1"
    )
    assert bundle["reference"] == exchange.reference
    with pytest.raises(PermissionDenied):  # the grant named the Bulgarian Police only
        services.exchange_export_evidence(officer=lo_tr, exchange=exchange, justification="Case 1")


def test_downgrading_a_partner_to_observer_revokes_its_access_to_personal_data_at_once(
    lo_ro: Officer, op_it: Officer, directory_admin: Officer
) -> None:
    personal = send(lo_ro, "Police of Italy", personal=True)
    strategic = send(lo_ro, "Police of Italy")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="IT"),
        status=PartyStatus.OBSERVER,
        effective_from=dt.date(2026, 11, 1),
    )
    visible = set(exchanges_visible_to(op_it).values_list("pk", flat=True))
    assert personal.pk not in visible
    assert strategic.pk in visible
    with pytest.raises(Http404):
        services.exchange_consult(officer=op_it, exchange=personal)


def test_a_former_member_loses_everything(
    lo_ro: Officer, lo_bg: Officer, directory_admin: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date(2026, 11, 1),
    )
    assert not exchanges_visible_to(lo_bg).filter(pk=exchange.pk).exists()


def test_the_admins_status_change_goes_through_the_revoking_service(
    login, lo_ro: Officer, op_it: Officer, directory_admin: Officer
) -> None:  # type: ignore[no-untyped-def]
    personal = send(lo_ro, "Police of Italy", personal=True)
    client = login(directory_admin)
    italy = Party.objects.get(code="IT")
    response = client.post(
        f"/admin/partners/party/{italy.pk}/change/",
        {
            "name": "Italy",
            "status": "observer",
            "status_since": "2026-11-01",
            "status_note": "Agreement lapsed",
            "status_history-TOTAL_FORMS": 0,
            "status_history-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert not exchanges_visible_to(op_it).filter(pk=personal.pk).exists()


def test_outsiders_and_superusers_without_a_grant_see_nothing(
    lo_ro: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    outsider.is_superuser = True
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()
    with pytest.raises(Http404):
        services.exchange_consult(officer=outsider, exchange=exchange)


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
    services.exchange_reply(officer=lo_tr, parent=exchange, message=message(attachments=()))
    assert services.deadlines_flag(now=exchange.sent_at + dt.timedelta(hours=1)) == 0
    soon = exchange.due_at - dt.timedelta(hours=1)
    assert services.deadlines_flag(now=soon) > 0
    assert services.deadlines_flag(now=soon) == 0
    later = exchange.due_at + dt.timedelta(minutes=1)
    assert services.deadlines_flag(now=later) > 0
    assert services.deadlines_flag(now=later) == 0
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
    assert services.exchange_acknowledge(officer=nfp_bg, exchange=exchange) == 2
    acknowledged = dict(
        Recipient.objects.filter(exchange=exchange).values_list("agency__name", "acknowledged_at")
    )
    assert acknowledged["Bulgarian Police"] is not None
    assert acknowledged["Bulgarian Customs Agency"] is not None
    assert acknowledged["Turkish Customs"] is None


def test_the_provider_reads_its_own_h3_exchange_without_confirming(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    assert services.exchange_consult(officer=lo_ro, exchange=exchange).body.startswith("Container")


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
    exchange = services.exchange_send(
        officer=lo_ro,
        kind="information",
        recipient_agency_ids=agency_ids("Bulgarian Police"),
        crime_area_id=drugs,
        priority="routine",
        message=message(attachments=()),
        case_id=tara.pk,
    )
    assert exchange.case == tara
    reply = services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    assert reply.case == tara
    with pytest.raises(ValidationError, match="BG takes no part"):
        services.exchange_send(
            officer=lo_bg,
            kind="information",
            recipient_agency_ids=agency_ids("Romanian Police"),
            crime_area_id=drugs,
            priority="routine",
            message=message(attachments=()),
            case_id=tara.pk,
        )
    with pytest.raises(ValidationError, match="No such"):
        services.exchange_send(
            officer=lo_ro,
            kind="information",
            recipient_agency_ids=agency_ids("Bulgarian Police"),
            crime_area_id=drugs,
            priority="routine",
            message=message(attachments=()),
            case_id=999_999,
        )


# --- One gate for every creation path -----------------------------------------------------------


def _stored() -> tuple[int, ...]:
    from exchanges.models import DisseminationRequest, ExchangeGroupObjectPermission
    from selec.core.models import Notification

    return (
        Exchange.objects.count(),
        Recipient.objects.count(),
        Entity.objects.count(),
        Attachment.objects.count(),
        ExchangeGroupObjectPermission.objects.count(),
        DisseminationRequest.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_an_observer_replying_with_personal_data_is_refused_and_nothing_is_saved(
    lo_ro: Officer, obs_at: Officer
) -> None:
    parent = send(lo_ro, "Police of Austria", kind="information")
    before = _stored()
    with pytest.raises(ValidationError) as refused:
        services.exchange_reply(
            officer=obs_at, parent=parent, message=message(personal=True, attachments=())
        )
    assert "AT is an observer" in str(refused.value)
    assert "personal data" in refused.value.message_dict["personal_data"][0]
    assert _stored() == before


@pytest.mark.parametrize("replier", ["lo_bg", "op_it", "obs_at"])
def test_the_author_of_a_reply_opens_it_whatever_their_partys_status(
    request: pytest.FixtureRequest, lo_ro: Officer, replier: str
) -> None:
    author = request.getfixturevalue(replier)
    parent = send(lo_ro, author.agency.name, kind="information")
    reply = services.exchange_reply(officer=author, parent=parent, message=message(attachments=()))
    assert services.exchange_consult(officer=author, exchange=reply).exchange == reply


def test_a_former_member_replies_to_nothing(
    lo_ro: Officer, lo_bg: Officer, directory_admin: Officer
) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date(2026, 11, 1),
    )
    before = _stored()
    with pytest.raises(Http404):
        services.exchange_reply(officer=lo_bg, parent=parent, message=message(attachments=()))
    # The provider's answer would reach the former member: refused naming it.
    with pytest.raises(ValidationError, match=r"Bulgarian Police \(BG\) cannot receive"):
        services.exchange_reply(officer=lo_ro, parent=parent, message=message(attachments=()))
    assert _stored() == before


def test_the_provider_cannot_reply_with_personal_data_to_a_thread_an_observer_holds(
    lo_ro: Officer,
) -> None:
    parent = send(lo_ro, "Bulgarian Police", "Police of Austria", kind="information")
    before = _stored()
    with pytest.raises(ValidationError, match=r"Police of Austria \(AT\) belongs to an observer"):
        services.exchange_reply(
            officer=lo_ro, parent=parent, message=message(personal=True, attachments=())
        )
    assert _stored() == before


def test_forwarding_personal_data_to_an_observer_is_a_refusal_naming_it(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    before = _stored()
    with pytest.raises(ValidationError) as refused:
        services.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Police of Austria"),
            justification="x",
        )
    assert (
        "Police of Austria (AT) belongs to an observer"
        in refused.value.message_dict["recipients"][0]
    )
    assert _stored() == before


def test_an_officer_of_a_former_member_sends_nothing(lo_bg: Officer, directory_admin) -> None:  # type: ignore[no-untyped-def]
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date(2026, 11, 1),
    )
    before = _stored()
    with pytest.raises(PermissionDenied, match="BG no longer takes part"):
        send(Officer.objects.get(pk=lo_bg.pk), "Romanian Police")
    assert _stored() == before


# --- Restrictions, decided per code ------------------------------------------------------------


def _notices(kind: str, officer: Officer) -> list[str]:
    from selec.core.models import Notification

    return list(
        Notification.objects.filter(officer=officer, kind=kind)
        .order_by("pk")
        .values_list("title", flat=True)
    )


def test_h1_to_h2_in_one_change_tightens_the_thread_loosens_the_exchange_and_tells_both(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer, lo_tr: Officer
) -> None:

    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H1")
    reply = services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    assert reply.handling_codes == ["H1"]
    mark = _mark()

    services.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(dissemination=True)
    )

    exchange.refresh_from_db()
    reply.refresh_from_db()
    assert exchange.handling_codes == ["H2"]
    # The reply gets the added H2 at once and keeps the H1 it inherited.
    assert reply.handling_codes == ["H1", "H2"]
    [event] = AuditEvent.objects.filter(pk__gt=mark)
    assert (event.action, event.reason) == (
        AuditAction.ALTERATION,
        "restrictions tightened and loosened",
    )
    assert (event.details["added"], event.details["removed"]) == (["H2"], ["H1"])
    assert event.details["applied_to"] == [exchange.reference, reply.reference]
    for officer in (lo_bg, nfp_bg, lo_tr):
        tightened = _notices(ExchangeNotificationKind.RESTRICTION_TIGHTENED, officer)
        loosened = _notices(ExchangeNotificationKind.RESTRICTION_LOOSENED, officer)
        assert any(exchange.reference in t and "H2 added" in t for t in tightened), officer
        assert any(exchange.reference in t and "lifted H1" in t for t in loosened), officer
    # The reply's own audience (the provider, its addressee) is told of the reply's change.
    assert any(
        reply.reference in t
        for t in _notices(ExchangeNotificationKind.RESTRICTION_TIGHTENED, lo_ro)
    )


def test_lifting_a_code_applies_to_the_exchange_only_and_is_notified(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:

    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    reply = services.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    mark = _mark()
    services.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions()
    )
    reply.refresh_from_db()
    assert reply.handling_codes == ["H2"]
    assert _events_since(mark) == [(AuditAction.ALTERATION, "restrictions loosened")]
    for officer in (lo_bg, nfp_bg):
        assert _notices(ExchangeNotificationKind.RESTRICTION_LOOSENED, officer) == [
            f"RO lifted H2 from {exchange.reference}: now H0"
        ]


def test_saving_the_same_restrictions_again_changes_and_records_nothing(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    before = _stored()
    services.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(evidence=True)
    )
    assert _stored() == before


# --- Notices, one per event --------------------------------------------------------------------


def test_two_grants_on_one_exchange_are_two_notices(lo_ro: Officer, lo_bg: Officer) -> None:

    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    for _ in range(2):
        request = _ask_to_share_with_greece(lo_bg, exchange)
        services.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    assert len(_notices(ExchangeNotificationKind.DISSEMINATION_DECISION, lo_bg)) == 2


def test_two_requests_worded_alike_are_two_notices_to_the_provider(
    lo_ro: Officer, lo_bg: Officer
) -> None:

    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    _ask_to_share_with_greece(lo_bg, exchange)
    _ask_to_share_with_greece(lo_bg, exchange)
    assert len(_notices(ExchangeNotificationKind.DISSEMINATION_REQUEST, lo_ro)) == 2


def test_tightening_the_same_exchange_twice_is_two_notices(lo_ro: Officer, lo_bg: Officer) -> None:

    exchange = send(lo_ro, "Bulgarian Police")
    for restrictions in (Restrictions(evidence=True), Restrictions(), Restrictions(evidence=True)):
        services.exchange_change_restrictions(
            officer=lo_ro, exchange=exchange, restrictions=restrictions
        )
    tightened = _notices(ExchangeNotificationKind.RESTRICTION_TIGHTENED, lo_bg)
    assert len(tightened) == 2
    assert tightened[0] == tightened[1]
