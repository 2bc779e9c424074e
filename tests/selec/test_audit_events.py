"""Every audit event names its use case (``exchange.forwarded``) beside its category: the names
are declared by the apps, the log can be asked for one of them, and the name is covered by the
chain like the rest of the event."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction

from exchanges.models import ExchangeAuditEvent
from exchanges.services.consultation import exchange_consult
from exchanges.services.sending import exchange_forward
from partners.models import Agency, Officer
from selec.core.audit import audit_record
from selec.core.audit_events import AUDIT_EVENTS, audit_event_choices
from selec.core.audit_verification import first_broken_event
from selec.core.models import AuditAction, AuditEvent
from tests.exchanges.scenario import send
from tests.helpers import purpose_given

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]


def test_every_app_declares_its_event_names_once_in_one_shape() -> None:
    names = [value for value, _label in audit_event_choices()]

    assert len(names) == len(set(names))
    assert {"exchange.sent", "exchange.consulted", "case.result_recorded", "hit.searched"} <= set(
        names
    )
    assert {"request.refused", "party.status_changed", "statistics.exported"} <= set(names)
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", name) for name in names), names
    max_length = AuditEvent._meta.get_field("event").max_length
    assert max_length is not None
    assert max_length >= max(len(n) for n in names)
    assert audit_event_choices() == AUDIT_EVENTS


def test_each_use_case_writes_its_own_name_and_the_log_answers_by_name(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_given(lo_bg, exchange)
    exchange_consult(officer=lo_bg, exchange=exchange)
    exchange_forward(
        officer=lo_bg,
        exchange=exchange,
        agency_ids=[Agency.objects.get(name="Bulgarian Customs Agency").pk],
        justification="The customs side of the same case.",
    )

    written = list(
        AuditEvent.objects.filter(object_id=str(exchange.pk), object_type="exchanges.exchange")
        .order_by("id")
        .values_list("event", "action")
    )
    assert written == [
        (ExchangeAuditEvent.SENT, AuditAction.COLLECTION),
        (ExchangeAuditEvent.CONSULTED, AuditAction.CONSULTATION),
        (ExchangeAuditEvent.FORWARDED, AuditAction.DISCLOSURE),
    ]
    forwards = AuditEvent.objects.filter(event=ExchangeAuditEvent.FORWARDED)
    assert [event.object_id for event in forwards] == [str(exchange.pk)]


def test_every_event_a_send_writes_carries_a_name(lo_ro: Officer) -> None:
    before = AuditEvent.objects.count()
    send(lo_ro, "Bulgarian Police", "Turkish Customs", personal=True)

    assert AuditEvent.objects.count() > before
    assert not AuditEvent.objects.filter(id__gt=before, event="").exists()


def test_the_name_is_covered_by_the_chain(
    lo_ro: Officer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        exchange = send(lo_ro, "Bulgarian Police")
    event = AuditEvent.objects.get(object_id=str(exchange.pk), event=ExchangeAuditEvent.SENT)
    assert event.is_sealed
    assert first_broken_event() is None

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER selec_audit_append_only")
        cursor.execute(
            "UPDATE selec_auditevent SET event = %s WHERE id = %s",
            [ExchangeAuditEvent.CONSULTED.value, event.pk],
        )
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER selec_audit_append_only")

    broken = first_broken_event()
    assert broken is not None
    assert broken.pk == event.pk


def test_an_event_written_before_names_existed_still_verifies(
    django_capture_on_commit_callbacks,
) -> None:
    # The canonical content leaves the name out when there is none, as it was before.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        unnamed = audit_record(
            actor=None,
            action=AuditAction.CONSULTATION,
            event="",
            object_type="test.thing",
            object_id="old",
            reason="read",
        )
    unnamed.refresh_from_db()
    assert unnamed.event == ""
    assert unnamed.is_sealed
    assert first_broken_event() is None
