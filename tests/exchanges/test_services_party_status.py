"""What a party's status lets its officers do: a change of status revokes access at once, and
one gate refuses, on every creation path, what the status does not allow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from exchanges.selectors import exchanges_visible_to
from exchanges.services import consultation, sending
from partners.models import Officer, Party, PartyStatus
from partners.services.party_status import party_change_status
from tests.exchanges.scenario import agency_ids, message, send
from tests.exchanges.service_records import _stored

pytestmark = pytest.mark.django_db


def test_downgrading_a_partner_to_observer_revokes_its_access_to_personal_data_at_once(
    lo_ro: Officer, op_it: Officer, directory_admin: Officer
) -> None:
    personal = send(lo_ro, "Police of Italy", personal=True)
    strategic = send(lo_ro, "Police of Italy")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="IT"),
        status=PartyStatus.OBSERVER,
        effective_from=dt.date(2026, 11, 1),
    )
    visible = set(exchanges_visible_to(op_it).values_list("pk", flat=True))
    assert personal.pk not in visible
    assert strategic.pk in visible
    with pytest.raises(Http404):
        consultation.exchange_consult(officer=op_it, exchange=personal)


def test_a_former_member_loses_everything(
    lo_ro: Officer, lo_bg: Officer, directory_admin: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date(2026, 11, 1),
    )
    assert not exchanges_visible_to(lo_bg).filter(pk=exchange.pk).exists()


def test_the_admins_status_change_goes_through_the_revoking_service(
    login, lo_ro: Officer, op_it: Officer, directory_admin: Officer
) -> None:
    personal = send(lo_ro, "Police of Italy", personal=True)
    client = login(directory_admin)
    italy = Party.objects.get(code="IT")
    response = client.post(
        f"/admin/partners/party/{italy.pk}/change/",
        {
            "name": "Italy",
            "status": "observer",
            "status_since": "2026-11-01",
            "status_note": "Agreement lapsed",
            "status_history-TOTAL_FORMS": 0,
            "status_history-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    assert not exchanges_visible_to(op_it).filter(pk=personal.pk).exists()


def test_outsiders_and_superusers_without_a_grant_see_nothing(
    lo_ro: Officer, outsider: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    outsider.is_superuser = True
    assert not exchanges_visible_to(outsider).filter(pk=exchange.pk).exists()
    with pytest.raises(Http404):
        consultation.exchange_consult(officer=outsider, exchange=exchange)


# --- One gate for every creation path -----------------------------------------------------------


def test_an_observer_replying_with_personal_data_is_refused_and_nothing_is_saved(
    lo_ro: Officer, obs_at: Officer
) -> None:
    parent = send(lo_ro, "Police of Austria", kind="information")
    before = _stored()
    with pytest.raises(ValidationError) as refused:
        sending.exchange_reply(
            officer=obs_at, parent=parent, message=message(personal=True, attachments=())
        )
    assert "AT is an observer" in str(refused.value)
    assert "personal data" in refused.value.message_dict["personal_data"][0]
    assert _stored() == before


@pytest.mark.parametrize("replier", ["lo_bg", "op_it", "obs_at"])
def test_the_author_of_a_reply_opens_it_whatever_their_partys_status(
    request: pytest.FixtureRequest, lo_ro: Officer, replier: str
) -> None:
    author = request.getfixturevalue(replier)
    parent = send(lo_ro, author.agency.name, kind="information")
    reply = sending.exchange_reply(officer=author, parent=parent, message=message(attachments=()))
    assert consultation.exchange_consult(officer=author, exchange=reply).exchange == reply


def test_a_former_member_replies_to_nothing(
    lo_ro: Officer, lo_bg: Officer, directory_admin: Officer
) -> None:
    parent = send(lo_ro, "Bulgarian Police")
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date(2026, 11, 1),
    )
    before = _stored()
    with pytest.raises(Http404):
        sending.exchange_reply(officer=lo_bg, parent=parent, message=message(attachments=()))
    # The provider's answer would reach the former member: refused naming it.
    with pytest.raises(ValidationError, match=r"Bulgarian Police \(BG\) cannot receive"):
        sending.exchange_reply(officer=lo_ro, parent=parent, message=message(attachments=()))
    assert _stored() == before


def test_the_provider_cannot_reply_with_personal_data_to_a_thread_an_observer_holds(
    lo_ro: Officer,
) -> None:
    parent = send(lo_ro, "Bulgarian Police", "Police of Austria", kind="information")
    before = _stored()
    with pytest.raises(ValidationError, match=r"Police of Austria \(AT\) belongs to an observer"):
        sending.exchange_reply(
            officer=lo_ro, parent=parent, message=message(personal=True, attachments=())
        )
    assert _stored() == before


def test_forwarding_personal_data_to_an_observer_is_a_refusal_naming_it(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", personal=True)
    before = _stored()
    with pytest.raises(ValidationError) as refused:
        sending.exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=agency_ids("Police of Austria"),
            justification="x",
        )
    assert (
        "Police of Austria (AT) belongs to an observer"
        in refused.value.message_dict["recipients"][0]
    )
    assert _stored() == before


def test_an_officer_of_a_former_member_sends_nothing(lo_bg: Officer, directory_admin) -> None:
    party_change_status(
        actor=directory_admin,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date(2026, 11, 1),
    )
    before = _stored()
    with pytest.raises(PermissionDenied, match="BG no longer takes part"):
        send(Officer.objects.get(pk=lo_bg.pk), "Romanian Police")
    assert _stored() == before
