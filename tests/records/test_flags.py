"""Inaccuracy flags (records.services_flags): a recipient flags, the provider is told and
answers, the flagging agency is told; one open flag per agency and exchange; everybody else is
answered "not found"."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from exchanges.models import Exchange
from partners.models import Officer
from records.models import (
    FlagOutcome,
    FlagStatus,
    InaccuracyFlag,
    RecordsAuditEvent,
    RecordsNotificationKind,
)
from records.services_flags import inaccuracy_flag_answer
from selec.core.audit import justification_of
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.scenario import send
from tests.records.corrections_scenario import correct, events, flag, notices, rows_holding

pytestmark = pytest.mark.django_db

NOTE = "The plate B 123 ABC belongs to a Dacia, not to the Audi described."
UPHELD = "Checked again with the registry on 4 March: the plate is the Audi's."


def _answer(
    officer: Officer, filed: InaccuracyFlag, outcome: str, answer: str = ""
) -> InaccuracyFlag:
    return inaccuracy_flag_answer(officer=officer, flag=filed, outcome=outcome, answer=answer)


def test_a_recipient_flags_and_the_provider_is_told_by_reference_only(
    lo_ro: Officer, lo_bg: Officer, nfp_ro: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")

    filed = flag(lo_bg, exchange, NOTE)

    assert (filed.status, filed.flagging_agency, filed.flagged_by) == (
        FlagStatus.OPEN,
        lo_bg.agency,
        lo_bg,
    )
    assert InaccuracyFlag.objects.get(pk=filed.pk).note == NOTE
    title = f"Suspected inaccuracy in {exchange.reference} flagged by Bulgarian Police"
    # The provider's officers and the NFP of its party, once each; the note is not in it.
    assert notices(RecordsNotificationKind.INACCURACY_FLAGGED) == {
        "lo.ro": [title],
        "nfp.ro": [title],
    }
    (event,) = events(RecordsAuditEvent.INACCURACY_FLAGGED)
    assert event.action == AuditAction.COLLECTION
    assert event.details["reference"] == exchange.reference
    assert justification_of(event) == NOTE
    assert NOTE not in json.dumps(event.details, ensure_ascii=False)
    assert rows_holding("Dacia", AuditEvent) == 0


def test_one_open_flag_per_agency_and_exchange(
    lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    first = flag(lo_bg, exchange, NOTE)

    with pytest.raises(ValidationError, match="already has an open inaccuracy flag"):
        flag(lo_bg, exchange, "And the colour is wrong too.")
    # Another agency (Bulgaria's NFP) files its own.
    flag(nfp_bg, exchange, "The date is wrong.")
    assert InaccuracyFlag.objects.filter(exchange=exchange).count() == 2

    # Once answered, the Bulgarian Police may flag again.
    _answer(lo_ro, first, FlagOutcome.UPHELD, UPHELD)
    flag(lo_bg, exchange, "And the colour is wrong too.")
    assert InaccuracyFlag.objects.filter(exchange=exchange, status=FlagStatus.OPEN).count() == 2


def test_the_provider_upholds_with_its_reasons_and_the_flagging_agency_is_told(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    filed = flag(lo_bg, exchange, NOTE)

    with pytest.raises(ValidationError) as refused:
        _answer(lo_ro, filed, FlagOutcome.UPHELD, "  ")
    assert "answer" in refused.value.message_dict
    assert InaccuracyFlag.objects.get(pk=filed.pk).status == FlagStatus.OPEN

    answered = _answer(lo_ro, filed, FlagOutcome.UPHELD, UPHELD)

    stored = InaccuracyFlag.objects.get(pk=filed.pk)
    assert (stored.status, stored.outcome, stored.answer, stored.answered_by) == (
        FlagStatus.ANSWERED,
        FlagOutcome.UPHELD,
        UPHELD,
        lo_ro,
    )
    assert stored.answered_at is not None
    assert answered.pk == filed.pk
    title = f"Your inaccuracy flag on {exchange.reference}: upheld as accurate"
    assert notices(RecordsNotificationKind.INACCURACY_ANSWERED) == {
        "lo.bg": [title],
        "nfp.bg": [title],
    }
    (event,) = events(RecordsAuditEvent.INACCURACY_ANSWERED)
    assert event.details == {
        "reference": exchange.reference,
        "flag": filed.pk,
        "outcome": "upheld",
        "justification": event.details["justification"],
        "justification_digest": event.details["justification_digest"],
    }
    assert justification_of(event) == UPHELD

    with pytest.raises(ValidationError, match="already answered"):
        _answer(lo_ro, stored, FlagOutcome.CORRECTED)


def test_corrected_is_answered_once_the_exchange_was_corrected_after_the_flag(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    # A correction made before the flag does not answer it.
    correct(lo_ro, exchange, body="Container MSCU 765432-1 expected on 5 December.")
    filed = flag(lo_bg, Exchange.objects.get(pk=exchange.pk), NOTE)

    with pytest.raises(ValidationError) as refused:
        _answer(lo_ro, filed, FlagOutcome.CORRECTED)
    assert (
        "has not been corrected since the flag was filed"
        in refused.value.message_dict["outcome"][0]
    )

    correct(
        lo_ro, Exchange.objects.get(pk=exchange.pk), body="Container MSCU 765432-1, 6 December."
    )
    _answer(lo_ro, filed, FlagOutcome.CORRECTED)

    stored = InaccuracyFlag.objects.get(pk=filed.pk)
    assert (stored.status, stored.outcome, stored.answer) == (
        FlagStatus.ANSWERED,
        FlagOutcome.CORRECTED,
        "",
    )
    assert notices(RecordsNotificationKind.INACCURACY_ANSWERED)["lo.bg"] == [
        f"Your inaccuracy flag on {exchange.reference}: corrected"
    ]


def test_an_answer_of_another_kind_is_refused(lo_ro: Officer, lo_bg: Officer) -> None:
    filed = flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE)
    with pytest.raises(ValidationError) as refused:
        _answer(lo_ro, filed, "withdrawn", UPHELD)
    assert "outcome" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["lo_ro", "outsider", "dpo", "analyst"])
def test_the_provider_and_those_who_do_not_see_the_exchange_cannot_flag_it(
    request: pytest.FixtureRequest, lo_ro: Officer, persona: str
) -> None:
    # The provider corrects instead of flagging; the others do not see the exchange.
    exchange = send(lo_ro, "Bulgarian Police")
    officer: Officer = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        flag(officer, exchange, NOTE)
    assert not InaccuracyFlag.objects.exists()


def test_the_nfp_of_the_providers_party_sees_the_exchange_from_another_agency_and_may_flag(
    lo_ro: Officer, nfp_ro: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    assert flag(nfp_ro, exchange, NOTE).flagging_agency == nfp_ro.agency


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg", "outsider", "dpo"])
def test_only_the_provider_answers(
    request: pytest.FixtureRequest, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    filed = flag(lo_bg, send(lo_ro, "Bulgarian Police"), NOTE)
    officer: Officer = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        _answer(officer, filed, FlagOutcome.UPHELD, UPHELD)
    assert InaccuracyFlag.objects.get(pk=filed.pk).status == FlagStatus.OPEN


def test_a_note_is_required_and_bounded(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    for note in ("", "   ", "x" * 2001):
        with pytest.raises(ValidationError) as refused:
            flag(lo_bg, exchange, note)
        assert "note" in refused.value.message_dict
    assert not InaccuracyFlag.objects.exists()


def test_an_erased_exchange_cannot_be_flagged(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    Exchange.objects.filter(pk=exchange.pk).update(erased_at=timezone.now())
    with pytest.raises(ValidationError, match="was erased"):
        flag(lo_bg, Exchange.objects.get(pk=exchange.pk), NOTE)
