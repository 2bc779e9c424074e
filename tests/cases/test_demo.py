"""The demo cases: operation "Tara" and regional operation "Containment", as the seeds tell
them and as far as the rules allow."""

from __future__ import annotations

import pytest

from cases.demo import CONTAINMENT, TARA, demo_cases, seed_demo_cases
from cases.models import Case, CaseKind
from cases.selectors import cases_visible_to, totals_by_item, totals_by_party
from partners.models import Officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_cases() -> None:
    # The test database holds the personas only (seed_demo --personas-only).
    seed_demo_cases()


def test_the_demo_cases_are_seeded_once(lo_ro: Officer) -> None:
    before = Case.objects.count()
    seeded = seed_demo_cases()
    assert Case.objects.count() == before
    assert sorted(c.name for c in seeded) == [CONTAINMENT, TARA]
    assert set(demo_cases()) == {TARA, CONTAINMENT}


def test_tara_is_the_seeds_joint_investigation_within_the_rules() -> None:
    tara = demo_cases()[TARA]
    assert tara.kind == CaseKind.JOINT_INVESTIGATION
    assert tara.lead_party.code == "BA"
    # Croatia and Slovenia are former members, Austria an observer of a case with personal data.
    assert set(tara.participants.values_list("code", flat=True)) == {"BA", "TR", "ME", "MK", "RS"}
    meetings = list(tara.meetings.order_by("held_on"))
    assert [(m.held_on.isoformat(), m.place.split(",")[0]) for m in meetings] == [
        ("2008-11-11", "Sarajevo"),
        ("2008-12-12", "Bucharest"),
    ]
    [ba] = totals_by_party(tara)
    assert ba.party.code == "BA"
    assert (ba.counts["persons_arrested"], ba.counts["vehicles_seized"]) == (7, 1)


def test_containment_totals_the_seeds_seizures() -> None:
    containment = demo_cases()[CONTAINMENT]
    totals = {(t.item, t.unit): int(t.quantity) for t in totals_by_item(containment)}
    assert totals == {
        ("heroin", "kg"): 584,
        ("cannabis", "kg"): 1829,
        ("amphetamines", "tablets"): 250_000,
    }


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("lo.ro", {CONTAINMENT}),
        ("lo.tr", {TARA, CONTAINMENT}),
        ("nfp.bg", {CONTAINMENT}),
        ("obs.at", {CONTAINMENT}),
        ("analyst", {TARA, CONTAINMENT}),
        ("lo.gr", set()),
        ("dpo", set()),
        ("admin", set()),
    ],
)
def test_the_demo_personas_see_the_demo_cases_they_take_part_in(
    username: str, expected: set[str]
) -> None:
    officer = Officer.objects.get(username=username)
    visible = set(cases_visible_to(officer).values_list("pk", flat=True))
    names = {name for name, case in demo_cases().items() if case.pk in visible}
    assert names == expected
