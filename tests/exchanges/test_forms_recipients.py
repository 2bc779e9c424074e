"""The recipient picker's groups: one per party with its status, the recent agencies first, each
agency once; and the compose form that posts them as before."""

from __future__ import annotations

import pytest

from exchanges.audience import addressable_agencies, sender_agency
from exchanges.forms import ComposeForm
from exchanges.forms_recipients import RecipientGroup, chosen_ids, recipient_groups
from partners.models import Agency, Officer, Party, PartyStatus
from partners.services.directory import agency_create
from tests.exchanges.scenario import agency_ids

pytestmark = pytest.mark.django_db


def _offered(officer: Officer) -> list[Agency]:
    return list(addressable_agencies(sender_agency(officer)))


def _group(groups: list[RecipientGroup], legend: str) -> RecipientGroup:
    (group,) = [g for g in groups if g.legend == legend]
    return group


def _names(group: RecipientGroup) -> list[str]:
    return [option.name for option in group.options]


def test_each_party_is_a_group_named_with_its_status(lo_ro: Officer) -> None:
    groups = recipient_groups(_offered(lo_ro), recent_ids=[], chosen=set())
    assert _group(groups, "Bulgaria (member)").status == PartyStatus.MEMBER
    assert _group(groups, "Austria (observer)").status == PartyStatus.OBSERVER
    assert _group(groups, "Italy (operational partner)").status == (PartyStatus.OPERATIONAL_PARTNER)
    # The National Focal Point first, then the agencies by name, as the directory lists them.
    assert _names(_group(groups, "Bulgaria (member)"))[0] == "National Focal Point of Bulgaria"
    assert "Bulgarian Police" in _names(_group(groups, "Bulgaria (member)"))
    assert not any(g.is_recent for g in groups)


def test_every_offered_agency_has_one_box_and_no_other_agency_has_one(lo_ro: Officer) -> None:
    offered = _offered(lo_ro)
    recent = agency_ids("Turkish Customs", "Police of Austria")
    groups = recipient_groups(offered, recent_ids=recent, chosen=set())
    boxes = [option.pk for group in groups for option in group.options]
    assert sorted(boxes) == sorted(agency.pk for agency in offered)
    assert lo_ro.agency_id not in boxes


def test_the_recent_agencies_come_first_in_their_order_with_their_party(lo_ro: Officer) -> None:
    recent = agency_ids("Turkish Customs", "Police of Austria")
    groups = recipient_groups(_offered(lo_ro), recent_ids=recent, chosen=set())
    first = groups[0]
    assert first.is_recent
    assert first.legend == "Recently addressed by you"
    assert _names(first) == ["Turkish Customs", "Police of Austria"]
    assert [option.party for option in first.options] == ["Türkiye (member)", "Austria (observer)"]
    # Moved, not copied: without JavaScript two boxes of one agency could disagree.
    assert "Turkish Customs" not in _names(_group(groups, "Türkiye (member)"))


def test_a_recent_agency_no_longer_offered_is_left_out(lo_ro: Officer) -> None:
    croatian = agency_create(
        actor=None, party=Party.objects.get(code="HR"), name="Croatian Police", kind="police"
    )
    own = agency_ids("Romanian Police")
    recent = [croatian.pk, *own, *agency_ids("Bulgarian Police")]
    groups = recipient_groups(_offered(lo_ro), recent_ids=recent, chosen=set())
    assert _names(groups[0]) == ["Bulgarian Police"]


def test_no_recent_group_when_none_is_offered(lo_ro: Officer) -> None:
    own = agency_ids("Romanian Police")
    groups = recipient_groups(_offered(lo_ro), recent_ids=own, chosen=set())
    assert not groups[0].is_recent


def test_the_chosen_agencies_are_ticked_wherever_they_are(lo_ro: Officer) -> None:
    turkish, bulgarian = agency_ids("Turkish Customs", "Bulgarian Police")
    groups = recipient_groups(_offered(lo_ro), recent_ids=[turkish], chosen={turkish, bulgarian})
    ticked = {option.name for group in groups for option in group.options if option.checked}
    assert ticked == {"Turkish Customs", "Bulgarian Police"}


def test_chosen_ids_reads_posted_and_initial_values_and_ignores_the_rest() -> None:
    assert chosen_ids(["12", 14, "x", "-3", "١٢", ""]) == {12, 14}
    assert chosen_ids(None) == set()


def test_the_form_ticks_what_was_posted_and_still_refuses_what_is_not_offered(
    lo_ro: Officer,
) -> None:
    croatian = agency_create(
        actor=None, party=Party.objects.get(code="HR"), name="Croatian Police", kind="police"
    )
    (bulgarian,) = agency_ids("Bulgarian Police")
    form = ComposeForm({"recipients": [str(bulgarian), str(croatian.pk)]}, agencies=_offered(lo_ro))
    assert not form.is_valid()
    assert "recipients" in form.errors
    ticked = [o.pk for g in form.recipient_groups([]) for o in g.options if o.checked]
    # The agency not offered has no box to tick.
    assert ticked == [bulgarian]
