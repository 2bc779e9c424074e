"""The status change pages: directory administrators only (404 to everyone else), a preview
before anything changes, the change re-checked against the preview."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from partners.models import Officer, PartnerNotificationKind, Party, PartyStatus
from selec.core.models import Notification
from tests.cases.scenario import open_case
from tests.exchanges.scenario import send

# Marked, not only reached through fixtures: a test that asks for its persona by name
# (getfixturevalue) must still run before the transactional tests flush the personas.
pytestmark = pytest.mark.django_db

# The pages as the site mounts them (/directory/manage/), beside the rest of the site.

FORM = "/directory/manage/parties/IT/status/"
APPLY = "/directory/manage/parties/IT/status/apply/"
CHANGE = {"status": "observer", "effective_from": "2026-07-01", "reason": "Agreement suspended"}


def carried(response: HttpResponse) -> dict[str, str]:
    """The inputs the preview carries to Apply."""
    form = response.context["form"]  # type: ignore[attr-defined]
    return {name: str(form[name].value()) for name in form.fields}


@pytest.mark.parametrize("who", ["lo_ro", "nfp_bg", "analyst", "dpo", "op_it"])
def test_the_pages_are_404_to_everyone_but_directory_administrators(
    who: str, request: pytest.FixtureRequest, login
) -> None:
    client: Client = login(request.getfixturevalue(who))
    assert client.get(FORM).status_code == 404
    assert client.post(FORM, CHANGE).status_code == 404
    assert client.post(APPLY, {**CHANGE, "previewed": "x"}).status_code == 404
    assert Party.objects.get(code="IT").status == PartyStatus.OPERATIONAL_PARTNER


def test_the_form_asks_for_a_reason(directory_admin: Officer, login) -> None:
    client = login(directory_admin)
    page = client.get(FORM)
    assert page.status_code == 200
    assert "Operational partner" not in dict(page.context["form"].fields["status"].choices).values()
    response = client.post(FORM, {**CHANGE, "reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_preview_then_apply_changes_the_status_and_tells_the_officers(
    directory_admin: Officer, lo_ro: Officer, op_it: Officer, login
) -> None:
    send(lo_ro, "Police of Italy", personal=True)
    case = open_case(lo_ro, "Police of Italy", personal=True)
    client = login(directory_admin)
    preview = client.post(FORM, CHANGE)
    assert preview.status_code == 200
    impact = preview.context["impact"]
    assert [(a.app, a.lost, a.lost_personal) for a in impact.apps] == [
        ("exchanges", 1, 1),
        ("cases", 1, 1),
        ("products", 0, 0),  # no product was published to Italy
    ]
    body = preview.content.decode()
    assert case.reference in body
    assert Party.objects.get(code="IT").status == PartyStatus.OPERATIONAL_PARTNER

    done = client.post(APPLY, carried(preview), follow=True)
    assert done.redirect_chain == [(FORM, 302)]
    assert "is now Observer" in done.content.decode()
    italy = Party.objects.get(code="IT")
    assert italy.status == PartyStatus.OBSERVER
    assert italy.status_history.first().note == "Agreement suspended"  # type: ignore[union-attr]
    assert Notification.objects.filter(
        officer=op_it, kind=PartnerNotificationKind.PARTY_STATUS_CHANGED
    ).exists()


def test_apply_after_the_numbers_changed_asks_to_confirm_again(
    directory_admin: Officer, lo_ro: Officer, login
) -> None:
    client = login(directory_admin)
    preview = client.post(FORM, CHANGE)
    assert preview.context["impact"].apps[0].lost == 0
    send(lo_ro, "Police of Italy", personal=True)
    again = client.post(APPLY, carried(preview))
    assert again.status_code == 200
    assert "not those you previewed" in again.content.decode()
    assert again.context["impact"].apps[0].lost == 1
    assert Party.objects.get(code="IT").status == PartyStatus.OPERATIONAL_PARTNER
    client.post(APPLY, carried(again))
    assert Party.objects.get(code="IT").status == PartyStatus.OBSERVER


def test_a_tampered_preview_is_shown_again_not_applied(directory_admin: Officer, login) -> None:
    client = login(directory_admin)
    inputs = carried(client.post(FORM, CHANGE))
    again = client.post(APPLY, {**inputs, "previewed": inputs["previewed"] + "x"})
    assert "not those you previewed" in again.content.decode()
    assert Party.objects.get(code="IT").status == PartyStatus.OPERATIONAL_PARTNER


def test_the_pages_read_a_bounded_number_of_queries(
    directory_admin: Officer, lo_ro: Officer, login, django_assert_max_num_queries
) -> None:
    for personal in (True, False, True):
        send(lo_ro, "Police of Italy", personal=personal)
    open_case(lo_ro, "Police of Italy")
    client = login(directory_admin)
    client.get(FORM)
    with django_assert_max_num_queries(8):
        client.get(FORM)
    with django_assert_max_num_queries(35):
        client.post(FORM, CHANGE)
