"""The provider's correction of its exchange (records.services_corrections): what it changes,
who is told, what the audit log keeps (digests, never the old values), and what is refused
with nothing saved."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from exchanges.models import Entity, Exchange
from exchanges.services.sending import exchange_forward
from partners.models import Officer
from records.models import RecordsAuditEvent, RecordsNotificationKind
from records.policy_corrections import Part, digested_value, evaluation_value
from records.services_corrections import (
    EntityCorrection,
    correction_notice_title,
)
from selec.core.audit import justification_of
from selec.core.digests import DigestPurpose, keyed_digest
from selec.core.models import AuditAction, AuditEvent, Justification, Notification
from tests.exchanges.scenario import agency_ids, send
from tests.records.corrections_scenario import (
    ADDRESSED,
    FORWARDED_TO,
    OLD_BODY,
    correct,
    events,
    notices,
    personal_report,
    rows_holding,
)

pytestmark = pytest.mark.django_db

NEW_BODY = "Container MSCU 765432-1 expected on 5 December."


def _sent_to_three(lo_ro: Officer, lo_bg: Officer, *, personal: bool = False) -> Exchange:
    """Addressed to the Bulgarian Police and Turkish Customs; the Bulgarians forward it to the
    Hellenic Police: three agencies hold a copy, two addressed and one forwarded."""
    exchange = send(lo_ro, *ADDRESSED, personal=personal, kind="information")
    exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=agency_ids(FORWARDED_TO),
        justification="Greek customs hold the container's papers.",
    )
    return exchange


def _unchanged(exchange: Exchange) -> None:
    """Nothing of a refused correction was saved: no mark, no event, no notice."""
    stored = Exchange.objects.get(pk=exchange.pk)
    assert stored.corrected_at is None
    assert stored.body == exchange.body
    assert (stored.source_reliability, stored.information_accuracy) == (
        exchange.source_reliability,
        exchange.information_accuracy,
    )
    assert events(RecordsAuditEvent.CORRECTED) == []
    assert not Notification.objects.filter(kind=RecordsNotificationKind.CORRECTED).exists()


# --- What a correction changes --------------------------------------------------------------


def test_the_provider_corrects_the_body_and_marks_the_exchange_corrected(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = _sent_to_three(lo_ro, lo_bg)

    corrected = correct(lo_ro, exchange, body=NEW_BODY, note="The container number was mistyped.")

    stored = Exchange.objects.get(pk=exchange.pk)
    assert stored.body == NEW_BODY
    assert stored.subject == exchange.subject
    assert stored.corrected_at is not None
    assert corrected.parts == (Part.BODY,)
    assert corrected.entity is None


def test_the_evaluation_codes_can_now_be_changed_and_personal_data_keeps_both(
    lo_ro: Officer,
) -> None:
    exchange = personal_report(lo_ro)
    assert (exchange.source_reliability, exchange.information_accuracy) == ("B", "2")

    correct(lo_ro, exchange, source_reliability="A", information_accuracy="1")
    stored = Exchange.objects.get(pk=exchange.pk)
    assert (stored.source_reliability, stored.information_accuracy) == ("A", "1")

    with pytest.raises(ValidationError) as refused:
        correct(lo_ro, stored, information_accuracy="")
    assert "evaluation" in refused.value.message_dict
    assert Exchange.objects.get(pk=exchange.pk).information_accuracy == "1"


def test_an_exchange_without_personal_data_may_have_its_codes_set_or_cleared(
    lo_ro: Officer,
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    correct(lo_ro, exchange, source_reliability="C", information_accuracy="3")
    correct(lo_ro, Exchange.objects.get(pk=exchange.pk), source_reliability="")
    stored = Exchange.objects.get(pk=exchange.pk)
    assert (stored.source_reliability, stored.information_accuracy) == ("", "3")


def test_an_entity_is_replaced_by_the_corrected_one_of_the_same_kind(lo_ro: Officer) -> None:
    exchange = personal_report(lo_ro)
    old = exchange.entities.get()
    corrected_person = {"names": "Marko Marković", "date_of_birth": "1981-05-02"}

    corrected = correct(
        lo_ro, exchange, entity=EntityCorrection(index=0, attributes=corrected_person)
    )

    assert not Entity.objects.filter(pk=old.pk).exists()
    new = exchange.entities.get()
    assert (new.kind, new.attributes) == ("person", corrected_person)
    assert new.uuid != old.uuid
    assert corrected.entity == new
    event = events(RecordsAuditEvent.CORRECTED)[0]
    assert event.details["entity"] == {"replaced": str(old.uuid), "by": str(new.uuid)}


def test_an_entity_is_named_by_its_uuid_too(lo_ro: Officer) -> None:
    exchange = personal_report(lo_ro)
    old = exchange.entities.get()
    correct(
        lo_ro,
        exchange,
        entity=EntityCorrection(uuid=old.uuid, attributes={**old.attributes, "nationality": "ME"}),
    )
    assert exchange.entities.get().attributes["nationality"] == "ME"


# --- Who is told ----------------------------------------------------------------------------


def test_every_agency_holding_a_copy_is_told_once_by_reference_and_corrector(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, nfp_bg: Officer, outsider: Officer
) -> None:
    exchange = _sent_to_three(lo_ro, lo_bg)

    correct(lo_ro, exchange, body=NEW_BODY)

    title = f"{exchange.reference} corrected by Romanian Police (lo.ro)"
    told = notices(RecordsNotificationKind.CORRECTED)
    # Addressed (the Bulgarian Police and its NFP, Turkish Customs) and forwarded (the
    # Hellenic Police, whose officer is the outsider persona): each once.
    for officer in (lo_bg, nfp_bg, lo_tr, outsider):
        assert told.pop(officer.username) == [title]
    # Nobody else: not the provider, not Romania's NFP (Romania holds no copy).
    assert told == {}
    notice = Notification.objects.get(officer=lo_bg, kind=RecordsNotificationKind.CORRECTED)
    assert notice.link == f"/exchanges/{exchange.reference}/"
    # The reference only: no word of the content, old or new.
    assert "Container" not in notice.title


def test_each_correction_is_told_again(lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    correct(lo_ro, exchange, body=NEW_BODY)
    correct(lo_ro, Exchange.objects.get(pk=exchange.pk), body=OLD_BODY)
    assert len(notices(RecordsNotificationKind.CORRECTED)["lo.bg"]) == 2


def test_a_long_agency_name_is_shortened_to_fit_the_notice() -> None:
    title = correction_notice_title("SELEC-2026-000001", "Agency " * 60, "lo.ro")
    assert len(title) == 200
    assert title.startswith("SELEC-2026-000001 corrected by Agency")
    assert title.endswith("… (lo.ro)")


# --- What the audit log keeps ---------------------------------------------------------------


def test_the_audit_event_keeps_digests_of_the_replaced_values_never_the_values(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = personal_report(lo_ro)
    old_entity = exchange.entities.get()
    old_names = old_entity.attributes["names"]
    note = "Corrected after the Serbian NCB's answer of 3 March."

    correct(
        lo_ro,
        exchange,
        body=NEW_BODY,
        source_reliability="A",
        entity=EntityCorrection(index=0, attributes={"names": "Marko Marković"}),
        note=note,
    )

    (event,) = events(RecordsAuditEvent.CORRECTED)
    assert event.action == AuditAction.ALTERATION
    assert (event.object_type, event.object_id) == ("exchanges.exchange", str(exchange.pk))
    assert event.details["reference"] == exchange.reference
    assert event.details["parts"] == ["body", "evaluation", "entity"]
    assert event.details["before"] == {
        "body": keyed_digest(
            DigestPurpose.CORRECTED_VALUE,
            digested_value(exchange_uuid=str(exchange.uuid), part=Part.BODY, value=OLD_BODY),
        ),
        "evaluation": keyed_digest(
            DigestPurpose.CORRECTED_VALUE,
            digested_value(
                exchange_uuid=str(exchange.uuid),
                part=Part.EVALUATION,
                value=evaluation_value("B", "2"),
            ),
        ),
        "entity": event.details["before"]["entity"],
    }
    assert len(event.details["before"]["entity"]) == 64
    # The note is the event's justification, kept encrypted outside the log.
    assert justification_of(event) == note
    # Neither the event nor any row of the log (nor the justifications) holds an old value.
    as_text = json.dumps(event.details, ensure_ascii=False) + event.reason
    assert rows_holding(exchange.reference, AuditEvent) > 0  # the search finds what is there
    for old in (OLD_BODY, old_names):
        assert old not in as_text
        assert rows_holding(old, AuditEvent) == 0
        assert rows_holding(old, Justification) == 0
    assert rows_holding(note, AuditEvent) == 0


def test_the_digest_is_bound_to_the_exchange_and_the_part(lo_ro: Officer) -> None:
    first, second = send(lo_ro, "Bulgarian Police"), send(lo_ro, "Bulgarian Police")
    correct(lo_ro, first, body=NEW_BODY)
    correct(lo_ro, second, body=NEW_BODY)
    one, two = (e.details["before"]["body"] for e in events(RecordsAuditEvent.CORRECTED))
    # The same old body in two exchanges: two digests, neither telling that they were alike.
    assert one != two


# --- Who may correct ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lo_bg", "nfp_bg", "nfp_ro", "outsider", "dpo", "analyst"])
def test_anybody_but_the_provider_is_answered_not_found(
    request: pytest.FixtureRequest, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    # The recipients and both NFPs see the exchange; the others do not: all get 404.
    exchange = _sent_to_three(lo_ro, lo_bg, personal=True)
    officer: Officer = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        correct(officer, exchange, body=NEW_BODY)
    _unchanged(exchange)


# --- What is refused, with nothing saved ----------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        {"body": OLD_BODY},
        # The line breaks of a page, the edges of a field: the same text.
        {"body": f"  {OLD_BODY}\r\n"},
        {"subject": "Cocaine shipment via Constanța ", "source_reliability": "B"},
        {"information_accuracy": "2"},
        # A country in small letters, a date in ISO 8601's basic form: the same person.
        {
            "entity": EntityCorrection(
                index=0,
                attributes={
                    "names": "Ђорђе Ђорђевић",
                    "date_of_birth": "19800412",
                    "nationality": "rs",
                },
            )
        },
    ],
)
def test_a_correction_that_changes_nothing_is_refused(lo_ro: Officer, given: dict) -> None:
    exchange = personal_report(lo_ro)
    with pytest.raises(ValidationError) as refused:
        correct(lo_ro, exchange, **given)
    assert refused.value.messages == [
        f"Nothing to correct: what you gave is what {exchange.reference} already says."
    ]
    _unchanged(exchange)
    assert exchange.entities.get().attributes["nationality"] == "RS"


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"body": "   "}, "body"),
        ({"subject": ""}, "subject"),
        ({"source_reliability": "Z"}, "source_reliability"),
        (
            {
                "entity": EntityCorrection(
                    index=0, attributes={"names": "X", "nationality": "Romania"}
                )
            },
            "entity",
        ),
        (
            {"entity": EntityCorrection(index=0, attributes={"names": "X", "eyes": "blue"})},
            "entity",
        ),
        ({"entity": EntityCorrection(index=3, attributes={"names": "X"})}, "entity"),
        ({"entity": EntityCorrection(attributes={"names": "X"})}, "entity"),
    ],
)
def test_values_the_send_would_refuse_are_refused_with_nothing_saved(
    lo_ro: Officer, given: dict, key: str
) -> None:
    exchange = personal_report(lo_ro)
    entity = exchange.entities.get()
    with pytest.raises(ValidationError) as refused:
        # With a real change beside it, so that only the refused value stops it.
        correct(lo_ro, exchange, **{"body": NEW_BODY, **given})
    assert key in refused.value.message_dict
    _unchanged(exchange)
    assert Entity.objects.get(pk=entity.pk).attributes == entity.attributes


def test_an_erased_exchange_has_nothing_left_to_correct(lo_ro: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    Exchange.objects.filter(pk=exchange.pk).update(erased_at=timezone.now())
    with pytest.raises(ValidationError, match="was erased"):
        correct(lo_ro, Exchange.objects.get(pk=exchange.pk), body=NEW_BODY)
    assert events(RecordsAuditEvent.CORRECTED) == []
