"""Reference data and demo personas load idempotently; demo TOTP codes are real codes."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Agency, Officer, Party, PartyStatus
from selec.core.models import AuditEvent
from selec.demo import PERSONAS
from selec.reference import CRIME_AREAS, load_reference_data
from taskforces.models import CrimeArea, SubTaskForce, TaskForce

pytestmark = pytest.mark.django_db


def test_the_seeded_parties_have_their_2018_status() -> None:
    counts = {status: Party.objects.filter(status=status).count() for status in PartyStatus}
    assert counts == {
        PartyStatus.MEMBER: 11,
        PartyStatus.OPERATIONAL_PARTNER: 3,
        PartyStatus.OBSERVER: 21,
        # HR and SI, and the SECI observers not among SELEC's (AZ, CA, PL, PT).
        PartyStatus.FORMER: 6,
    }


def test_each_member_has_police_customs_and_a_national_focal_point() -> None:
    for party in Party.objects.filter(status=PartyStatus.MEMBER):
        kinds = sorted(party.agencies.values_list("kind", flat=True))
        assert kinds == ["customs", "police", "police"], party.code
        assert party.agencies.filter(is_national_focal_point=True).count() == 1


def test_crime_areas_task_forces_and_sub_task_forces_are_loaded() -> None:
    assert list(CrimeArea.objects.values_list("code", flat=True)) == [
        code for code, _ in CRIME_AREAS
    ]
    assert TaskForce.objects.count() == 8
    coordinators = dict(SubTaskForce.objects.values_list("code", "coordinator__code"))
    assert coordinators == {
        "money_laundering": "MD",
        "cyber_crime": "RO",
        "intellectual_property": "BG",
        "counterfeit_currency": "MK",
        "plastic_card_fraud": "RO",
    }
    every_area_but_other = set(CrimeArea.objects.exclude(code="other").values_list("pk", flat=True))
    assert (
        set(TaskForce.crime_areas.through.objects.values_list("crimearea_id", flat=True))
        == every_area_but_other
    )


def test_loading_twice_adds_nothing_and_keeps_admin_changes() -> None:
    Party.objects.filter(code="RO").update(name="Romania (renamed by an admin)")
    before = (Party.objects.count(), Agency.objects.count(), AuditEvent.objects.count())
    report = load_reference_data()
    assert (report.parties, report.agencies, report.task_forces) == (0, 0, 0)
    assert (Party.objects.count(), Agency.objects.count(), AuditEvent.objects.count()) == before
    assert Party.objects.get(code="RO").name == "Romania (renamed by an admin)"


def test_seed_demo_is_idempotent_and_every_persona_has_a_confirmed_device() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    usernames = [p.username for p in PERSONAS]
    assert len(usernames) == 13
    assert Officer.objects.filter(username__in=usernames).count() == len(usernames)
    assert TOTPDevice.objects.filter(user__username__in=usernames, confirmed=True).count() == len(
        usernames
    )


def test_demo_totp_prints_a_code_the_device_accepts(lo_ro: Officer) -> None:
    out = io.StringIO()
    call_command("demo_totp", "lo.ro", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    assert TOTPDevice.objects.get(user=lo_ro).verify_token(code)
