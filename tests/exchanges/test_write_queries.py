"""The writes' query counts, pinned: a send to three agencies with two entities and a file, and
the thread page's audited consultation, which decides on the permissions the page read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges.models import ExchangeKind, Priority
from exchanges.policy import Perm
from exchanges.selectors import officer_perms
from exchanges.services.consultation import exchange_consult
from exchanges.services.inputs import EntityInput
from exchanges.services.purposes import purpose_give
from exchanges.services.sending import exchange_send
from partners.models import Officer
from selec.core.object_permissions import permission_id
from taskforces.models import CrimeArea
from tests.exchanges.scenario import A_PERSON, agency_ids, message, send

pytestmark = pytest.mark.django_db

PHONE = EntityInput("phone", {"number": "+40 721 234 567"})


def test_a_send_to_three_agencies_with_two_entities_and_a_file_costs_fifteen_queries(
    lo_ro: Officer, django_assert_num_queries
) -> None:
    # BEGIN (a savepoint in a test); the addressees; the reference; the crime area's review; the exchange, its
    # receipts, entities, tokens, file and permissions; the audit event; the officers to tell,
    # their notifications (one statement that says which were new) and e-mails; COMMIT.
    permission_id("exchanges", Perm.VIEW)  # read once per process
    recipients = agency_ids("Bulgarian Police", "Turkish Customs", "Hellenic Police")
    crime_area = CrimeArea.objects.get(code="drugs").pk
    with django_assert_num_queries(15):
        exchange_send(
            officer=lo_ro,
            kind=ExchangeKind.REQUEST,
            recipient_agency_ids=recipients,
            crime_area_id=crime_area,
            priority=Priority.URGENT,
            message=message(personal=True, entities=[A_PERSON, PHONE]),
        )


def test_the_consultation_decides_on_permissions_read_already_without_reading_them_again(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    purpose_give(officer=lo_bg, exchange=exchange, purpose="Checking a lead on the shipment.")
    perms = officer_perms(lo_bg, exchange)
    # The first consultation carries the purpose and marks the receipt read; the next ones
    # write only their audit event.
    exchange_consult(officer=lo_bg, exchange=exchange)
    with CaptureQueriesContext(connection) as reading:
        exchange_consult(officer=lo_bg, exchange=exchange)
    with CaptureQueriesContext(connection) as deciding:
        exchange_consult(officer=lo_bg, exchange=exchange, known_perms=perms)
    assert len(deciding) == len(reading) - 1
    assert not any("groupobjectpermission" in q["sql"] for q in deciding.captured_queries)
