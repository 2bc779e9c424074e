"""The audit log is append-only and tamper-evident."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from partners.models import Party
from partners.services import party_change_status
from selec.audit import first_broken_event
from selec.models import AuditAction, AuditEvent


@pytest.fixture
def status_change(directory_admin):  # type: ignore[no-untyped-def]
    import datetime as dt

    party = Party.objects.get(code="GE")
    party_change_status(
        actor=directory_admin,
        party=party,
        status="operational_partner",
        effective_from=dt.date(2026, 1, 1),
    )
    return AuditEvent.objects.latest("id")


@pytest.mark.django_db
def test_a_service_writes_who_when_what_and_why(status_change: AuditEvent, directory_admin) -> None:  # type: ignore[no-untyped-def]
    assert status_change.actor == directory_admin
    assert status_change.actor_username == "admin"
    assert status_change.action == AuditAction.ALTERATION
    assert (status_change.object_type, status_change.object_id) == (
        "partners.party",
        str(Party.objects.get(code="GE").pk),
    )
    assert status_change.reason == "party status changed"
    assert status_change.details["from"] == "observer"
    assert status_change.details["to"] == "operational_partner"


def test_the_chain_of_the_seeded_database_is_intact(status_change: AuditEvent) -> None:
    assert first_broken_event() is None
    call_command("verify_audit")


def test_the_database_refuses_to_update_or_delete_an_event(status_change: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=status_change.pk).update(reason="nothing happened")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=status_change.pk).delete()


def test_verification_names_the_first_row_changed_behind_the_trigger(
    status_change: AuditEvent,
) -> None:
    # Somebody with the database owner's rights switches the trigger off and edits a row.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER selec_audit_append_only")
        cursor.execute(
            "UPDATE selec_auditevent SET reason = 'nothing happened' WHERE id = %s",
            [status_change.pk],
        )
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER selec_audit_append_only")
    broken = first_broken_event()
    assert broken is not None
    assert broken.pk == status_change.pk
    with pytest.raises(CommandError, match=f"broken at event #{status_change.pk}"):
        call_command("verify_audit")


def test_a_removed_row_breaks_the_link_of_its_successor(status_change: AuditEvent) -> None:
    previous = AuditEvent.objects.filter(pk__lt=status_change.pk).latest("id")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER selec_audit_append_only")
        cursor.execute("DELETE FROM selec_auditevent WHERE id = %s", [previous.pk])
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER selec_audit_append_only")
    broken = first_broken_event()
    assert broken is not None
    assert broken.pk == status_change.pk


@pytest.mark.django_db
def test_an_event_written_during_a_request_records_its_id_address_and_agency(
    login, directory_admin, lo_ro
) -> None:  # type: ignore[no-untyped-def]
    from partners.models import Agency

    client = login(directory_admin)
    agency = Agency.objects.get(name="Romanian Customs Authority")
    response = client.post(
        f"/admin/partners/agency/{agency.pk}/change/",
        {"name": "Romanian Customs", "kind": "customs"},
        HTTP_X_REQUEST_ID="req-0123456789",
    )
    assert response.status_code == 302
    # The server's own id, never the caller's: a client chooses its header, so it proves nothing.
    server_id = response["X-Request-ID"]
    assert server_id != "req-0123456789"
    assert len(server_id) == 32
    event = AuditEvent.objects.latest("id")
    assert (event.request_id, event.client_request_id) == (server_id, "req-0123456789")
    assert (event.ip_address, event.actor_username) == ("127.0.0.1", "admin")
    assert first_broken_event() is None


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32
