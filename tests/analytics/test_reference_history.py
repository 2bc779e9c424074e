"""The reference data carry each party's status history since the SECI Center, which the
statistics read at each exchange's date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q

from partners.models import Officer, Party, PartyStatus, PartyStatusChange
from partners.services.party_status import party_change_status
from selec.core.models import AuditEvent
from selec.reference import (
    CONVENTION_IN_FORCE,
    CONVENTION_NOTE,
    SECI_ONLY_OBSERVERS,
    load_reference_data,
)
from tests.analytics.logs import StatusHistory

pytestmark = pytest.mark.django_db

SECI_2008_MEMBERS = {"AL", "BA", "BG", "HR", "GR", "HU", "MD", "MK", "ME", "RO", "RS", "SI", "TR"}
SECI_2008_OBSERVERS = set(
    "AT AZ BE CA CZ DE ES FR GB GE IL IT JP NL PL PT SK UA US".split()  # noqa: SIM905
)
SELEC_MEMBERS = {"AL", "BA", "BG", "MK", "GR", "HU", "MD", "ME", "RO", "RS", "TR"}


def _history() -> list[tuple[str, str, dt.date]]:
    return sorted(PartyStatusChange.objects.values_list("party__code", "status", "effective_from"))


def test_in_2008_the_seci_members_and_observers_had_their_seci_status() -> None:
    history = StatusHistory()
    day = dt.date(2008, 6, 30)
    assert set(history.parties_with_status(day, "member")) == SECI_2008_MEMBERS
    assert set(history.parties_with_status(day, "observer")) == SECI_2008_OBSERVERS
    assert history.parties_with_status(day, "operational_partner", "former") == []


def test_from_the_convention_the_2018_statuses_apply() -> None:
    history = StatusHistory()
    assert set(history.parties_with_status(CONVENTION_IN_FORCE, "member")) == SELEC_MEMBERS
    assert set(history.parties_with_status(CONVENTION_IN_FORCE, "operational_partner")) == {
        "INTERPOL",
        "IT",
        "US",
    }
    day_before = CONVENTION_IN_FORCE - dt.timedelta(days=1)
    for code, before, after in [
        ("HR", "member", "former"),
        ("SI", "member", "former"),
        ("IT", "observer", "operational_partner"),
        ("AZ", "observer", "former"),
        ("BY", None, "observer"),
    ]:
        assert (history.status(code, day_before), history.status(code, CONVENTION_IN_FORCE)) == (
            before,
            after,
        ), code


def test_before_2008_montenegro_and_the_czech_republic_had_no_status() -> None:
    history = StatusHistory()
    for code, status in [("ME", "member"), ("CZ", "observer")]:
        assert history.status(code, dt.date(2007, 12, 31)) is None
        assert history.status(code, dt.date(2008, 1, 1)) == status
    assert history.status("RO", dt.date(2001, 1, 1)) == "member"
    assert history.status("RO", dt.date(2000, 12, 31)) is None


def test_the_seci_only_observers_are_parties_now_former() -> None:
    parties = Party.objects.filter(code__in=["AZ", "CA", "PL", "PT"])
    assert sorted(parties.values_list("code", "status", "status_since")) == [
        (code, PartyStatus.FORMER, CONVENTION_IN_FORCE) for code in ("AZ", "CA", "PL", "PT")
    ]


def test_loading_again_adds_no_history_row() -> None:
    before = (_history(), AuditEvent.objects.count())
    report = load_reference_data()
    assert report.status_changes == 0
    assert (_history(), AuditEvent.objects.count()) == before


def test_a_database_loaded_before_the_history_gets_it_on_the_next_load() -> None:
    complete = _history()
    # What the previous reference data left: no SECI-only observers, each party's current
    # status only.
    Party.objects.filter(code__in=SECI_ONLY_OBSERVERS).delete()
    removed, _ = PartyStatusChange.objects.filter(
        Q(note__contains="SECI listing of 2008") | Q(note=CONVENTION_NOTE)
    ).delete()
    assert removed > 30
    current = dict(Party.objects.values_list("code", "status"))

    report = load_reference_data()

    assert _history() == complete
    # The four parties come back with their current status, then their SECI one is added.
    assert (report.parties, report.status_changes) == (4, removed + 4)
    assert dict(Party.objects.filter(code__in=current).values_list("code", "status")) == current
    croatia = Party.objects.get(code="HR")
    event = AuditEvent.objects.filter(object_id=str(croatia.pk)).latest("id")
    assert (event.object_type, event.reason) == ("partners.party", "party status history recorded")


def test_an_admins_status_changes_survive_a_reload(directory_admin: Officer) -> None:
    georgia = Party.objects.get(code="GE")
    party_change_status(
        actor=directory_admin,
        party=georgia,
        status=PartyStatus.MEMBER,
        effective_from=dt.date(2026, 3, 1),
    )
    load_reference_data()
    georgia.refresh_from_db()
    assert (georgia.status, georgia.status_since) == (PartyStatus.MEMBER, dt.date(2026, 3, 1))
    assert StatusHistory().status("GE", dt.date(2008, 1, 1)) == "observer"
