"""The purpose of a consultation: asked once per officer and thread before any content opens,
carried by the first consultation's audit event as its justification."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from exchanges.models import Exchange
from exchanges.models_purposes import ConsultationPurpose
from exchanges.services import consultation, sending
from exchanges.services.consultation import PurposeRequired, RestrictionNotConfirmed
from exchanges.services.on_receipt import exchange_confirm_restrictions
from exchanges.services.purposes import purpose_give, thread_purpose
from partners.models import Officer
from selec.core.models import AuditEvent, Justification
from tests.exchanges.scenario import agency_ids, message, send

pytestmark = pytest.mark.django_db

PURPOSE = "Inquiry 44/2026 into the Ruse cocaine route"


def _consultations(officer: Officer, exchange: Exchange) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            event="exchange.consulted", actor=officer, object_id=str(exchange.pk)
        ).order_by("pk")
    )


def _justification(event: AuditEvent) -> str:
    return Justification.objects.get(uuid=event.details["justification"]).text


def _reply(exchange: Exchange, author: Officer) -> Exchange:
    return sending.exchange_reply(
        officer=author, parent=exchange, message=message(subject="Re", body="Seen.", attachments=())
    )


# --- Asked once per officer and thread ------------------------------------------------------


def test_the_content_is_refused_until_the_officer_says_why(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    with pytest.raises(PurposeRequired) as refused:
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    assert refused.value.reference == exchange.reference
    assert refused.value.code == "purpose_required"
    assert _consultations(lo_bg, exchange) == []

    record, created = purpose_give(officer=lo_bg, exchange=exchange, purpose=f"  {PURPOSE}  ")
    assert created
    assert record.purpose == PURPOSE
    assert consultation.exchange_consult(officer=lo_bg, exchange=exchange).body


def test_attachments_and_the_evidence_export_are_refused_too(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    attachment = exchange.attachments.get()
    with pytest.raises(PurposeRequired):
        consultation.attachment_download(officer=lo_bg, attachment_id=attachment.pk)
    with pytest.raises(PurposeRequired):
        consultation.exchange_export_evidence(
            officer=lo_bg, exchange=exchange, justification="Case 3/2026, Ruse court"
        )
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    assert consultation.attachment_download(officer=lo_bg, attachment_id=attachment.pk)[1]
    assert consultation.exchange_export_evidence(
        officer=lo_bg, exchange=exchange, justification="Case 3/2026, Ruse court"
    )["body"]


def test_a_reply_in_the_same_thread_is_not_asked_again(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    answer = _reply(exchange, lo_ro)
    second = _reply(answer, lo_ro)
    assert consultation.exchange_consult(officer=lo_bg, exchange=second).body == "Seen."
    assert ConsultationPurpose.objects.filter(officer=lo_bg).count() == 1


def test_another_officer_is_asked_for_their_own(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    with pytest.raises(PurposeRequired):
        consultation.exchange_consult(officer=nfp_bg, exchange=exchange)


def test_the_author_of_the_thread_is_not_asked(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    answer = _reply(exchange, lo_bg)
    # The thread's author reads the answer without being asked: the send was the purpose.
    assert consultation.exchange_consult(officer=lo_ro, exchange=answer).body == "Seen."
    [event] = _consultations(lo_ro, answer)
    assert event.details["purpose"] == "author"
    assert "justification" not in event.details
    # The Bulgarian thread they are sent is another thread: asked.
    other = send(lo_bg, "Romanian Police")
    with pytest.raises(PurposeRequired):
        consultation.exchange_consult(officer=lo_ro, exchange=other)


def test_the_author_of_a_reply_reads_it_unasked_but_is_asked_for_the_rest_of_the_thread(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    answer = _reply(exchange, lo_bg)
    assert consultation.exchange_consult(officer=lo_bg, exchange=answer).body == "Seen."
    with pytest.raises(PurposeRequired):
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)


def test_a_purpose_given_again_keeps_the_first(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    record, created = purpose_give(officer=lo_bg, exchange=exchange, purpose="Something else")
    assert not created
    assert record.purpose == PURPOSE
    assert ConsultationPurpose.objects.get(officer=lo_bg).purpose == PURPOSE


# --- Refused purposes -----------------------------------------------------------------------


@pytest.mark.parametrize(("purpose", "says"), [("   ", "Say why"), ("x" * 301, "at most 300")])
def test_a_blank_or_too_long_purpose_is_refused_and_nothing_is_saved(
    lo_ro: Officer, lo_bg: Officer, purpose: str, says: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    with pytest.raises(ValidationError) as refused:
        purpose_give(officer=lo_bg, exchange=exchange, purpose=purpose)
    assert says in refused.value.message_dict["purpose"][0]
    assert not ConsultationPurpose.objects.exists()


def test_three_hundred_characters_are_enough(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    assert purpose_give(officer=lo_bg, exchange=exchange, purpose="x" * 300)[1]


@pytest.mark.parametrize("persona", ["outsider", "obs_at", "lo_al", "analyst"])
def test_an_officer_who_may_not_see_the_exchange_gets_404(
    request, lo_ro: Officer, persona: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    with pytest.raises(Http404):
        purpose_give(officer=request.getfixturevalue(persona), exchange=exchange, purpose=PURPOSE)
    assert not ConsultationPurpose.objects.exists()


# --- The audit log --------------------------------------------------------------------------


def test_the_first_consultation_carries_the_purpose_and_the_later_ones_do_not(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    answer = _reply(exchange, lo_ro)
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    justifications = Justification.objects.count()

    consultation.exchange_consult(officer=lo_bg, exchange=answer)
    consultation.exchange_consult(officer=lo_bg, exchange=answer)
    consultation.exchange_consult(officer=lo_bg, exchange=exchange)

    first, again = _consultations(lo_bg, answer)
    assert first.details["purpose"] == "given"
    assert _justification(first) == PURPOSE
    assert PURPOSE not in str(first.details)
    assert again.details["purpose"] == "on record"
    assert "justification" not in again.details
    [root] = _consultations(lo_bg, exchange)
    assert root.details["purpose"] == "on record"
    assert Justification.objects.count() == justifications + 1


def test_the_purpose_waits_for_the_h3_confirmation_before_it_is_carried(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    # The purpose is asked first (once per thread), then the H3 text (once per exchange).
    with pytest.raises(PurposeRequired):
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    with pytest.raises(RestrictionNotConfirmed):
        consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    consultation.exchange_consult(officer=lo_bg, exchange=exchange)
    [event] = _consultations(lo_bg, exchange)
    assert _justification(event) == PURPOSE


def test_reading_the_purpose_costs_one_query(
    lo_ro: Officer, lo_bg: Officer, django_assert_num_queries
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    answer = _reply(exchange, lo_ro)
    purpose_give(officer=lo_bg, exchange=exchange, purpose=PURPOSE)
    consultation.exchange_consult(officer=lo_bg, exchange=answer)
    for officer in (lo_bg, lo_ro):
        with django_assert_num_queries(1):
            assert not thread_purpose(officer, answer).missing


# --- Forward --------------------------------------------------------------------------------


@pytest.mark.parametrize("justification", ["", "   "])
def test_a_forward_without_a_justification_is_refused(
    lo_ro: Officer, lo_bg: Officer, justification: str
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    with pytest.raises(ValidationError) as refused:
        sending.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Hellenic Police"),
            justification=justification,
        )
    assert "justification" in refused.value.message_dict
    assert exchange.recipients.count() == 1
