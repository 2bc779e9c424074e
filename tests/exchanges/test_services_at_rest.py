"""What the exchange services store of the words officers type and of attached files: the H3
text, dissemination requests and decisions encrypted; a confirmation of the H3 text as a keyed
digest; justifications beside the audit log, encrypted, with a fixed reason in the event; files
named in the log by a keyed digest, never by their plain SHA-256."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from exchanges.models import Attachment, DisseminationRequest, Exchange, RestrictionConfirmation
from exchanges.selectors import restriction_digest
from exchanges.services import (
    consultation,
    dissemination_requests,
    on_receipt,
    restriction_changes,
    sending,
)
from hits.matching import hit_search
from partners.models import Officer
from selec.core.audit import justification_of
from selec.core.crypto import current_key_id
from selec.core.digests import DigestPurpose, file_digest, keyed_digest
from selec.core.models import AuditAction, AuditEvent, Justification
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea
from tests.exchanges.scenario import A_NOTE, agency_ids, message, send
from tests.helpers import purpose_given
from tests.selec.encryption import raw_column

pytestmark = pytest.mark.django_db

H3 = "Not to be shown to Petar Marinov's defence before 1 June."


def _send_with_h3(officer: Officer, text: str = H3) -> Exchange:
    return sending.exchange_send(
        officer=officer,
        kind="request",
        recipient_agency_ids=agency_ids("Bulgarian Police"),
        crime_area_id=CrimeArea.objects.get(code="drugs").pk,
        priority="urgent",
        message=dataclasses.replace(message(), restrictions=Restrictions(text=text)),
    )


def _is_ciphertext(stored: str | bytes, *plaintexts: str) -> bool:
    assert isinstance(stored, str)
    return stored.startswith(f"{current_key_id()}:") and not any(p in stored for p in plaintexts)


def _last_event(**where: object) -> AuditEvent:
    return AuditEvent.objects.filter(**where).latest("pk")


# --- H3 --------------------------------------------------------------------------------------


def test_the_h3_text_is_stored_encrypted_and_still_makes_the_h3_code(lo_ro: Officer) -> None:
    exchange = _send_with_h3(lo_ro)

    assert _is_ciphertext(raw_column(Exchange, exchange.pk, "restriction_text"), "Marinov")
    stored = Exchange.objects.get(pk=exchange.pk)
    assert stored.restriction_text == H3
    assert stored.handling_codes == ["H3"]


def test_no_h3_text_is_stored_encrypted_too_and_makes_no_h3_code(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")

    assert _is_ciphertext(raw_column(Exchange, exchange.pk, "restriction_text"))
    assert Exchange.objects.get(pk=exchange.pk).handling_codes == ["H0"]


def test_a_confirmation_keeps_a_keyed_digest_of_the_text_never_the_text(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send_with_h3(lo_ro)

    purpose_given(lo_bg, exchange)
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)

    (confirmation,) = RestrictionConfirmation.objects.filter(exchange=exchange, officer=lo_bg)
    assert confirmation.restriction_digest == keyed_digest(DigestPurpose.RESTRICTION_TEXT, H3)
    # Keyed: not the plain hash anyone with a likely wording could compute.
    assert confirmation.restriction_digest != hashlib.sha256(H3.encode()).hexdigest()
    assert not hasattr(confirmation, "restriction_text")
    # The content opens to the officer who confirmed.
    assert consultation.exchange_consult(officer=lo_bg, exchange=exchange).body


def test_a_changed_h3_text_is_confirmed_again_before_the_content_opens(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _send_with_h3(lo_ro)
    purpose_given(lo_bg, exchange)
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    changed = H3 + " Nor to the press."

    restriction_changes.exchange_change_restrictions(
        officer=lo_ro, exchange=exchange, restrictions=Restrictions(text=changed)
    )

    with pytest.raises(consultation.RestrictionNotConfirmed):
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    (confirmation,) = RestrictionConfirmation.objects.filter(exchange=exchange, officer=lo_bg)
    assert confirmation.restriction_digest == restriction_digest(changed)
    assert consultation.exchange_consult(officer=lo_bg, exchange=exchange).body
    confirmed = AuditEvent.objects.filter(
        object_type="exchanges.exchange",
        object_id=str(exchange.pk),
        reason="H3 restriction confirmed",
    )
    assert confirmed.count() == 2


def test_confirming_the_same_text_twice_records_it_once(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = _send_with_h3(lo_ro)

    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    on_receipt.exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)

    assert (
        AuditEvent.objects.filter(
            object_type="exchanges.exchange",
            object_id=str(exchange.pk),
            reason="H3 restriction confirmed",
        ).count()
        == 1
    )


# --- Dissemination requests -----------------------------------------------------------------


def test_a_dissemination_request_and_its_decision_are_stored_encrypted(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H2")
    request = dissemination_requests.dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind="share",
        target_agency_ids=agency_ids("Turkish National Police"),
        intended_use="Trial of Petar Marinov",
        justification="Marinov's partners act from Istanbul",
    )

    dissemination_requests.dissemination_request_decide(
        officer=lo_ro, request=request, grant=True, note="For the Marinov file only"
    )

    for field in ("intended_use", "justification", "decision_note"):
        assert _is_ciphertext(raw_column(DisseminationRequest, request.pk, field), "Marinov")
    stored = DisseminationRequest.objects.get(pk=request.pk)
    assert (stored.intended_use, stored.justification, stored.decision_note) == (
        "Trial of Petar Marinov",
        "Marinov's partners act from Istanbul",
        "For the Marinov file only",
    )
    # The decision's note is the provider's typed text: beside the event, not in it.
    event = _last_event(
        action=AuditAction.GRANT,
        object_type="exchanges.disseminationrequest",
        object_id=str(request.pk),
    )
    assert event.reason == "dissemination granted"
    assert "note" not in event.details
    assert "Marinov" not in json.dumps(event.details, ensure_ascii=False)
    assert justification_of(event) == "For the Marinov file only"


def test_a_decision_without_a_note_records_no_justification(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H1")
    request = dissemination_requests.dissemination_request_file(
        officer=lo_bg,
        exchange=exchange,
        kind="evidence",
        target_agency_ids=[],
        intended_use="Trial",
        justification="Court order",
    )
    kept = Justification.objects.count()

    dissemination_requests.dissemination_request_decide(officer=lo_ro, request=request, grant=False)

    event = _last_event(
        action=AuditAction.ALTERATION,
        object_type="exchanges.disseminationrequest",
        object_id=str(request.pk),
    )
    assert event.reason == "dissemination refused"
    assert justification_of(event) is None
    assert Justification.objects.count() == kept


# --- Justifications of forwards, evidence exports and hit searches --------------------------


def test_a_forward_records_a_fixed_reason_and_the_justification_encrypted(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")

    sending.exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids("Turkish National Police"),
        justification="Marinov crossed at Kapitan Andreevo",
    )

    event = _last_event(
        action=AuditAction.DISCLOSURE, object_type="exchanges.exchange", object_id=str(exchange.pk)
    )
    assert event.reason == "forwarded"
    assert "Marinov" not in json.dumps(event.details, ensure_ascii=False)
    assert justification_of(event) == "Marinov crossed at Kapitan Andreevo"
    row = Justification.objects.get(uuid=event.details["justification"])
    assert _is_ciphertext(raw_column(Justification, row.pk, "text"), "Marinov")


def test_an_evidence_export_records_a_fixed_reason_and_the_justification_encrypted(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)

    consultation.exchange_export_evidence(
        officer=lo_bg, exchange=exchange, justification="Case 77/2026 against Petar Marinov"
    )

    event = _last_event(
        action=AuditAction.EXPORT, object_type="exchanges.exchange", object_id=str(exchange.pk)
    )
    assert event.reason == "evidence export"
    assert event.details["purpose"] == "evidence"
    assert "Marinov" not in json.dumps(event.details, ensure_ascii=False)
    assert justification_of(event) == "Case 77/2026 against Petar Marinov"


def test_a_hit_search_records_a_fixed_reason_and_the_justification_encrypted(
    lo_ro: Officer, django_assert_num_queries
) -> None:
    # The transaction's two ends, the tokens held by others, and the event written with its
    # justification in one statement.
    with django_assert_num_queries(4):
        hit_search(
            officer=lo_ro,
            justification="Is Marinov's driver known elsewhere",
            kind="person",
            attributes={"names": "Petar Marinov", "date_of_birth": "1979-05-02"},
        )

    event = _last_event(object_type="exchanges.hit_search")
    assert event.reason == "hit search"
    assert "Marinov" not in json.dumps(event.details, ensure_ascii=False) + event.reason
    assert justification_of(event) == "Is Marinov's driver known elsewhere"


# --- Attached files ---------------------------------------------------------------------------

NOTE_SHA256 = hashlib.sha256(A_NOTE.content).hexdigest()


def test_an_attachment_s_sha256_is_stored_encrypted(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    attachment = exchange.attachments.get()

    assert _is_ciphertext(raw_column(Attachment, attachment.pk, "sha256"), NOTE_SHA256)
    assert Attachment.objects.get(pk=attachment.pk).sha256 == NOTE_SHA256


def test_a_download_names_the_file_in_the_log_by_a_keyed_digest_only(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    attachment = exchange.attachments.get()
    purpose_given(lo_bg, exchange)

    _, content = consultation.attachment_download(officer=lo_bg, attachment_id=attachment.pk)

    assert content == A_NOTE.content
    event = _last_event(
        action=AuditAction.DISCLOSURE,
        object_type="exchanges.attachment",
        object_id=str(attachment.pk),
    )
    assert event.details == {
        "reference": exchange.reference,
        "file_digest": file_digest(NOTE_SHA256),
    }
    assert NOTE_SHA256 not in json.dumps(event.details)


def test_the_evidence_file_still_gives_the_plain_sha256_to_whoever_exports_it(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)

    bundle = consultation.exchange_export_evidence(
        officer=lo_bg, exchange=exchange, justification="Case 77/2026"
    )

    assert bundle["attachments"] == [
        {"filename": A_NOTE.filename, "sha256": NOTE_SHA256, "size": len(A_NOTE.content)}
    ]
