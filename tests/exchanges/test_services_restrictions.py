"""The handling codes and what lifts them: the H3 confirmation, H2 and forwarding, dissemination
requests, H1 and the evidence export, restrictions decided code by code, and one notice per
event."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from exchanges.models import DisseminationKind, DisseminationStatus, ExchangeNotificationKind
from exchanges.selectors import exchanges_visible_to
from exchanges.services import (
    consultation,
    dissemination_requests,
    on_receipt,
    restriction_changes,
    sending,
)
from partners.models import Officer
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from tests.exchanges.scenario import agency_ids, message, send
from tests.exchanges.service_records import _ask_to_share_with_greece, _events_since, _mark, _stored
from tests.helpers import purpose_given

pytestmark = pytest.mark.django_db


def test_h3_content_stays_closed_until_the_reader_confirms_the_text(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    with pytest.raises(consultation.RestrictionNotConfirmed):
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    with pytest.raises(consultation.RestrictionNotConfirmed):
        consultation.attachment_download(officer=lo_bg, attachment_id=exchange.attachments.get().pk)
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    assert consultation.exchange_consult(officer=lo_bg, exchange=exchange).body.startswith(
        "Container"
    )


def test_a_changed_h3_text_must_be_confirmed_again(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro,
        exchange=exchange,
        restrictions=Restrictions(text=exchange.restriction_text + " Nor with the press."),
    )
    with pytest.raises(consultation.RestrictionNotConfirmed):
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)


def test_tightening_to_h2_revokes_forwarding_at_once_for_the_exchange_and_its_replies(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    reply = sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(dissemination=True)
    )
    with pytest.raises(PermissionDenied, match="H2"):
        sending.exchange_forward(
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
        restriction_changes.exchange_change_restrictions(
            officer=lo_bg, exchange=exchange, restrictions=Restrictions()
        )
    with pytest.raises(Http404):
        restriction_changes.exchange_change_restrictions(
            officer=outsider, exchange=exchange, restrictions=Restrictions()
        )
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions()
    )
    sending.exchange_forward(
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
        sending.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Hellenic Police"),
            justification="x",
        )
    request = _ask_to_share_with_greece(lo_bg, exchange)
    dissemination_requests.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()  # not until forwarded
    with pytest.raises(PermissionDenied, match="Albanian State Police"):
        sending.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Albanian State Police"),
            justification="x",
        )
    sending.exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Hellenic Police"),
        justification="Joint case",
    )
    assert exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()  # lo.gr: Hellenic Police
    assert not exchanges_visible_to(lo_al).filter(pk=exchange.pk).exists()
    with pytest.raises(ValidationError, match="already granted"):
        dissemination_requests.dissemination_request_decide(
            officer=lo_ro, request=request, grant=False
        )


def test_a_refused_dissemination_adds_nothing(
    lo_ro: Officer, lo_bg: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    request = _ask_to_share_with_greece(lo_bg, exchange)
    decided = dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=request, grant=False, note="Too early"
    )
    assert decided.status == DisseminationStatus.REFUSED
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()


def test_dissemination_to_an_observer_of_personal_data_is_refused(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2", personal=True)
    with pytest.raises(ValidationError, match="Police of Austria"):
        dissemination_requests.dissemination_request_file(
            officer=lo_bg,
            exchange=exchange,
            kind="share",
            target_agency_ids=agency_ids("Police of Austria"),
            intended_use="x",
            justification="y",
        )


def test_h1_blocks_the_evidence_export_until_the_provider_grants_it(
    lo_ro: Officer, lo_bg: Officer, lo_tr
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", "Turkish Customs", code="H1")
    purpose_given(lo_bg, exchange)
    with pytest.raises(PermissionDenied):
        consultation.exchange_export_evidence(
            officer=lo_bg, exchange=exchange, justification="Case 1"
        )
    request = dissemination_requests.dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind=DisseminationKind.EVIDENCE,
        target_agency_ids=[],
        intended_use="Trial in Sofia",
        justification="Court order 12/2026",
    )
    dissemination_requests.dissemination_request_decide(officer=lo_ro, request=request, grant=True)
    bundle = consultation.exchange_export_evidence(
        officer=lo_bg, exchange=exchange, justification="Case 1"
    )
    assert bundle["reference"] == exchange.reference
    with pytest.raises(PermissionDenied):  # the grant named the Bulgarian Police only
        consultation.exchange_export_evidence(
            officer=lo_tr, exchange=exchange, justification="Case 1"
        )


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
    reply = sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    assert reply.handling_codes == ["H1"]
    mark = _mark()

    restriction_changes.exchange_change_restrictions(
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
    reply = sending.exchange_reply(officer=lo_bg, parent=exchange, message=message(attachments=()))
    mark = _mark()
    restriction_changes.exchange_change_restrictions(
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
    restriction_changes.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(evidence=True)
    )
    assert _stored() == before


# --- Notices, one per event --------------------------------------------------------------------


def test_two_grants_on_one_exchange_are_two_notices(lo_ro: Officer, lo_bg: Officer) -> None:

    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    for _ in range(2):
        request = _ask_to_share_with_greece(lo_bg, exchange)
        dissemination_requests.dissemination_request_decide(
            officer=lo_ro, request=request, grant=True
        )
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
        restriction_changes.exchange_change_restrictions(
            officer=lo_ro, exchange=exchange, restrictions=restrictions
        )
    tightened = _notices(ExchangeNotificationKind.RESTRICTION_TIGHTENED, lo_bg)
    assert len(tightened) == 2
    assert tightened[0] == tightened[1]
