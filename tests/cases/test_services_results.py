"""The services of a case's results: totals per party and per item, who records the results of
which party, seizure lines and counts checked (by the service and by the database), and the
audit event with the counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases.models import Result, Seizure
from cases.selectors import totals_by_item, totals_by_party
from partners.models import Officer
from selec.core.models import AuditAction
from tests.cases.scenario import audit_events, open_case, record

pytestmark = pytest.mark.django_db


def test_results_are_totalled_per_party_and_per_item_in_sql(
    lo_ro: Officer, lo_bg: Officer, lo_tr: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", "Turkish Customs")
    record(lo_tr, case, "TR", seizures=[("heroin", "500", "kg")], persons_arrested=4)
    record(lo_tr, case, "TR", seizures=[("heroin", "84", "kg")], persons_arrested=2)
    record(
        lo_bg,
        case,
        "BG",
        seizures=[("amphetamines", "250000", "tablets"), ("cannabis", "1829", "kg")],
        persons_arrested=5,
        victims_identified=3,
    )
    record(lo_ro, case, "BG", seizures=[("amphetamines", "12.5", "kg")], vehicles_seized=2)
    by_party = {t.party.code: t.counts for t in totals_by_party(case)}
    assert by_party["TR"]["persons_arrested"] == 6
    assert by_party["BG"] == {
        "persons_arrested": 5,
        "persons_identified": 0,
        "persons_charged": 0,
        "victims_identified": 3,
        "victims_assisted": 0,
        "victims_repatriated": 0,
        "vehicles_seized": 2,
        "persons_convicted": 0,
        "investigations_opened": 0,
    }
    assert "RO" not in by_party
    by_item = {(t.item, t.unit): t.quantity for t in totals_by_item(case)}
    assert by_item == {
        ("heroin", "kg"): Decimal("584"),
        ("cannabis", "kg"): Decimal("1829"),
        ("amphetamines", "tablets"): Decimal("250000"),
        ("amphetamines", "kg"): Decimal("12.5"),
    }


def test_an_agency_records_only_its_own_partys_results(lo_ro: Officer, lo_bg: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    with pytest.raises(PermissionDenied, match="records the results of BG only"):
        record(lo_bg, case, "RO", persons_arrested=1)
    assert not Result.objects.filter(case=case).exists()


def test_an_observer_reports_no_results_and_a_stranger_party_none_either(
    lo_ro: Officer, obs_at: Officer
) -> None:
    case = open_case(lo_ro, "Police of Austria")
    with pytest.raises(PermissionDenied):
        record(obs_at, case, "AT", persons_arrested=1)
    with pytest.raises(ValidationError, match=r"Austria \(AT\) is an observer"):
        record(lo_ro, case, "AT", persons_arrested=1)
    with pytest.raises(ValidationError, match="taking part in the case"):
        record(lo_ro, case, "GR", persons_arrested=1)


def test_seizure_lines_need_an_item_a_unit_and_a_quantity_above_zero(lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    for line in [("heroin", "0", "kg"), ("heroin", "-3", "kg"), ("gold", "1", "kg")]:
        with pytest.raises(ValidationError) as refused:
            record(lo_ro, case, "RO", seizures=[line])
        assert "seizures" in refused.value.message_dict
    with pytest.raises(ValidationError):
        record(lo_ro, case, "RO", persons_arrested=-1)
    assert not Result.objects.filter(case=case).exists()


def test_the_database_refuses_a_negative_count_or_quantity(lo_ro: Officer) -> None:
    result = record(lo_ro, open_case(lo_ro), "RO", seizures=[("heroin", "1", "kg")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Seizure.objects.filter(result=result).update(quantity=Decimal(0))
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(persons_arrested=-1)


def test_results_are_audited_with_their_counts(lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    result = record(
        lo_ro, case, "RO", seizures=[("cigarettes", "12000", "pieces")], persons_charged=2
    )
    [event] = audit_events(AuditAction.COLLECTION, result)
    assert event.details["party"] == "RO"
    assert event.details["counts"]["persons_charged"] == 2
    assert event.details["seizures"] == ["cigarettes 12000.000 pieces"]
