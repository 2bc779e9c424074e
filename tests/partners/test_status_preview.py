"""A party's status change: its preview counts exactly what the change then does, and writes
nothing; the change is audited and told to the officers concerned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from exchanges.models import Exchange, ExchangeGroupObjectPermission
from partners.models import (
    Officer,
    PartnerAuditEvent,
    PartnerNotificationKind,
    Party,
    PartyStatus,
    PartyStatusChange,
)
from partners.services.party_status import (
    ImpactChanged,
    StatusImpact,
    party_apply_status,
    party_status_preview,
)
from partners.status_sync import party_holders
from selec.core.models import AuditEvent, Notification
from tests.cases.scenario import open_case
from tests.exchanges.scenario import send

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 7, 1)


def held(party: Party) -> tuple[set[int], set[int]]:
    """The exchanges and the cases the party's agencies or NFP hold any permission on."""
    holders = party_holders(party)
    exchanges = set(
        ExchangeGroupObjectPermission.objects.filter(group_id__in=holders).values_list(
            "content_object_id", flat=True
        )
    )
    cases = set(
        CaseGroupObjectPermission.objects.filter(group_id__in=holders).values_list(
            "content_object_id", flat=True
        )
    )
    return exchanges, cases


def permission_tables() -> tuple[set[tuple[int, int, int]], ...]:
    return tuple(
        set(model.objects.values_list("content_object_id", holder, "permission_id"))
        for model, holder in (
            (ExchangeGroupObjectPermission, "group_id"),
            (CaseGroupObjectPermission, "group_id"),
            (CaseUserObjectPermission, "user_id"),
        )
    )


def preview(party: Party, status: str) -> StatusImpact:
    return party_status_preview(actor=None, party=party, status=status, effective_from=DAY)


def apply_checked(party: Party, status: str) -> StatusImpact:
    """Preview, apply with the preview's numbers, and check them against the stored rows."""
    previewed = preview(party, status)
    before = held(party)
    applied = party_apply_status(
        actor=None,
        party=party,
        status=status,
        effective_from=DAY,
        note="Council decision 4/2026",
        previewed=previewed.as_details(),
    )
    after = held(party)
    assert applied == previewed
    # No analytical product is published in these cases: its app holds nothing either way.
    exchanges, cases, products = (i.as_details() for i in applied.apps)
    assert (products["gained"], products["lost"]) == (0, 0)
    personal_exchanges = set(
        Exchange.objects.filter(personal_data=True).values_list("pk", flat=True)
    )
    for impact, was, now in ((exchanges, before[0], after[0]), (cases, before[1], after[1])):
        assert impact["gained"] == len(now - was)
        assert impact["lost"] == len(was - now)
    assert exchanges["gained_personal"] == len((after[0] - before[0]) & personal_exchanges)
    assert exchanges["lost_personal"] == len((before[0] - after[0]) & personal_exchanges)
    return applied


@pytest.fixture
def italy_traffic(lo_ro: Officer, op_it: Officer) -> dict[str, object]:
    """Italy (an operational partner) receives one exchange with personal data and one
    without, and takes part in one case with personal data and one without."""
    return {
        "personal": send(lo_ro, "Police of Italy", personal=True),
        "strategic": send(lo_ro, "Police of Italy"),
        "personal_case": open_case(lo_ro, "Police of Italy", personal=True, name="Personal"),
        "strategic_case": open_case(lo_ro, "Police of Italy", name="Strategic"),
    }


def test_a_preview_writes_no_permission(italy_traffic: dict[str, object]) -> None:
    italy = Party.objects.get(code="IT")
    tables = permission_tables()
    history = PartyStatusChange.objects.count()
    impact = preview(italy, PartyStatus.OBSERVER)
    assert impact.apps[0].lost == 1
    assert permission_tables() == tables
    assert PartyStatusChange.objects.count() == history
    assert Party.objects.get(code="IT").status == PartyStatus.OPERATIONAL_PARTNER


def test_a_partner_downgraded_to_observer_loses_what_carries_personal_data_and_back(
    italy_traffic: dict[str, object],
) -> None:
    italy = Party.objects.get(code="IT")
    down = apply_checked(italy, PartyStatus.OBSERVER)
    exchanges, cases, products = down.apps
    assert (products.gained, products.lost) == (0, 0)
    assert (exchanges.app, exchanges.lost, exchanges.lost_personal, exchanges.gained) == (
        "exchanges",
        1,
        1,
        0,
    )
    personal_case = italy_traffic["personal_case"]
    assert isinstance(personal_case, Case)
    assert (cases.app, cases.lost, cases.lost_personal) == ("cases", 1, 1)
    assert cases.open_left == (personal_case.reference,)
    held_exchanges = held(italy)[0]
    assert italy_traffic["strategic"].pk in held_exchanges  # type: ignore[attr-defined]
    assert italy_traffic["personal"].pk not in held_exchanges  # type: ignore[attr-defined]

    up = apply_checked(Party.objects.get(code="IT"), PartyStatus.OPERATIONAL_PARTNER)
    exchanges, cases, products = up.apps
    assert (products.gained, products.lost) == (0, 0)
    assert (exchanges.gained, exchanges.gained_personal, exchanges.lost) == (1, 1, 0)
    assert (cases.gained, cases.gained_personal, cases.open_left) == (1, 1, ())


def test_a_member_that_leaves_loses_everything_and_leaves_its_open_cases_then_returns(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    send(lo_ro, "Bulgarian Police", personal=True)
    send(lo_bg, "Romanian Police")
    active = open_case(lo_ro, "Bulgarian Police", name="Active")
    bulgaria = Party.objects.get(code="BG")
    gone = apply_checked(bulgaria, PartyStatus.FORMER)
    exchanges, cases, products = gone.apps
    assert (products.gained, products.lost) == (0, 0)
    assert (exchanges.lost, exchanges.lost_personal) == (2, 1)
    assert cases.lost == 1
    assert cases.open_left == (active.reference,)
    assert held(bulgaria) == (set(), set())

    back = apply_checked(Party.objects.get(code="BG"), PartyStatus.MEMBER)
    assert (back.apps[0].gained, back.apps[0].gained_personal, back.apps[1].gained) == (2, 1, 1)


def test_a_change_that_would_do_otherwise_than_previewed_writes_nothing(
    italy_traffic: dict[str, object], lo_ro: Officer
) -> None:
    italy = Party.objects.get(code="IT")
    previewed = preview(italy, PartyStatus.OBSERVER)
    send(lo_ro, "Police of Italy", personal=True)
    tables = permission_tables()
    history = PartyStatusChange.objects.count()
    with pytest.raises(ImpactChanged) as raised:
        party_apply_status(
            actor=None,
            party=italy,
            status=PartyStatus.OBSERVER,
            effective_from=DAY,
            previewed=previewed.as_details(),
        )
    assert raised.value.impact.apps[0].lost == previewed.apps[0].lost + 1
    assert permission_tables() == tables
    assert PartyStatusChange.objects.count() == history
    assert Party.objects.get(code="IT").status == PartyStatus.OPERATIONAL_PARTNER
    assert not AuditEvent.objects.filter(event=PartnerAuditEvent.PARTY_STATUS_CHANGED).exists()


def test_the_change_is_audited_with_its_numbers_and_told_to_the_officers_concerned(
    italy_traffic: dict[str, object],
    directory_admin: Officer,
    op_it: Officer,
    nfp_bg: Officer,
    nfp_ro: Officer,
    lo_ro: Officer,
    obs_at: Officer,
) -> None:
    italy = Party.objects.get(code="IT")
    previewed = party_status_preview(
        actor=directory_admin, party=italy, status=PartyStatus.OBSERVER, effective_from=DAY
    )
    seen = AuditEvent.objects.filter(event=PartnerAuditEvent.PARTY_STATUS_PREVIEWED).latest("id")
    assert seen.details["apps"]["exchanges"]["lost_personal"] == 1
    applied = party_apply_status(
        actor=directory_admin,
        party=italy,
        status=PartyStatus.OBSERVER,
        effective_from=DAY,
        note="Agreement suspended",
        previewed=previewed.as_details(),
    )
    event = AuditEvent.objects.filter(event=PartnerAuditEvent.PARTY_STATUS_CHANGED).latest("id")
    assert event.actor_id == directory_admin.pk
    assert event.details["apps"] == applied.as_details()["apps"]
    assert event.details["from"] == PartyStatus.OPERATIONAL_PARTNER
    told = set(
        Notification.objects.filter(kind=PartnerNotificationKind.PARTY_STATUS_CHANGED).values_list(
            "officer_id", flat=True
        )
    )
    assert {op_it.pk, nfp_bg.pk, nfp_ro.pk} <= told
    assert not {lo_ro.pk, obs_at.pk} & told
    assert len(told) == applied.officers


def test_a_preview_reads_a_fixed_number_of_queries_whatever_the_traffic(
    lo_ro: Officer, op_it: Officer
) -> None:
    italy = Party.objects.get(code="IT")
    send(lo_ro, "Police of Italy", personal=True)
    open_case(lo_ro, "Police of Italy", name="One")
    preview(italy, PartyStatus.OBSERVER)  # the permission ids are read once per process
    with CaptureQueriesContext(connection) as few:
        preview(italy, PartyStatus.OBSERVER)
    for n in range(4):
        send(lo_ro, "Police of Italy", personal=n % 2 == 0)
        send(op_it, "Romanian Police")
        open_case(lo_ro, "Police of Italy", name=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        preview(italy, PartyStatus.OBSERVER)
    assert len(many) == len(few)
    assert len(few) <= 30
