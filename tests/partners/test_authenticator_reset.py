"""A lost authenticator: the officer asks with their password, their own side confirms it is
them, another person (a directory administrator) resets; the officer enrols again at the next
login; every step audited and e-mailed to the officer."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Officer, PartnerAuditEvent, Role
from partners.models_lifecycle import AuthenticatorReset, AuthenticatorResetStatus
from partners.services.officers import officer_create
from selec.core.models import AuditEvent, OutboxMessage
from selec.demo import demo_password
from tests.helpers import login_wizard_password_step, verified_client

pytestmark = pytest.mark.django_db

LOST = "/account/authenticator-lost/"
CONFIRMATIONS = "/account/authenticator-resets/"
ADMIN_PAGE = "/directory/manage/authenticator-resets/"


def _ask(client: Client, username: str, password: str):
    return client.post(LOST, {"username": username, "password": password})


def _mails_to(officer: Officer) -> list[str]:
    return list(
        OutboxMessage.objects.filter(to=officer.email)
        .order_by("id")
        .values_list("subject", flat=True)
    )


def _second_admin() -> Officer:
    admin = officer_create(
        actor=None, username="admin2", password="Second-admin-pass-2026", role=Role.DIRECTORY_ADMIN
    )
    TOTPDevice.objects.create(user=admin, name="default", confirmed=True)
    return admin


def test_the_login_page_leads_to_the_lost_authenticator_request(client: Client) -> None:
    page = client.get("/account/login/")
    assert LOST.encode() in page.content
    assert client.get(LOST).status_code == 200


def test_a_wrong_password_records_nothing_and_answers_as_for_an_unknown_username(
    client: Client, lo_bg: Officer
) -> None:
    wrong = _ask(client, "lo.bg", "not-the-password")
    unknown = _ask(client, "nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    message = b"do not match an active account"
    assert message in wrong.content
    assert message in unknown.content
    assert not AuthenticatorReset.objects.exists()
    assert not _mails_to(lo_bg)


def test_the_reset_needs_the_nfp_confirmation_and_the_officer_enrols_again(
    client: Client, lo_bg: Officer, nfp_bg: Officer, directory_admin: Officer
) -> None:
    response = _ask(client, "lo.bg", demo_password())
    assert response.status_code == 200
    assert b"Your request is recorded" in response.content
    reset = AuthenticatorReset.objects.get(officer=lo_bg)
    assert reset.status == AuthenticatorResetStatus.REQUESTED
    # Asking again changes nothing: one open request per officer.
    _ask(Client(), "lo.bg", demo_password())
    assert AuthenticatorReset.objects.filter(officer=lo_bg).count() == 1

    # The administrator cannot reset before the NFP confirms.
    admin = verified_client(Client(), directory_admin)
    refused = admin.post(f"{ADMIN_PAGE}{reset.pk}/reset/", follow=True)
    assert b"has not been confirmed yet" in refused.content
    assert TOTPDevice.objects.filter(user=lo_bg).exists()

    # Bulgaria's NFP sees the request and confirms it.
    nfp = verified_client(Client(), nfp_bg)
    page = nfp.get(CONFIRMATIONS)
    assert b"lo.bg" in page.content
    nfp.post(f"{CONFIRMATIONS}{reset.pk}/", {"decision": "confirm", "note": "Called at the desk"})
    reset.refresh_from_db()
    assert (reset.status, reset.confirmed_by) == (AuthenticatorResetStatus.CONFIRMED, nfp_bg)

    done = admin.post(f"{ADMIN_PAGE}{reset.pk}/reset/", follow=True)
    assert b"enrol a new one" in done.content
    reset.refresh_from_db()
    assert (reset.status, reset.reset_by) == (AuthenticatorResetStatus.DONE, directory_admin)
    assert not TOTPDevice.objects.filter(user=lo_bg).exists()
    assert not StaticDevice.objects.filter(user=lo_bg).exists()

    events = AuditEvent.objects.filter(object_type="partners.authenticatorreset").order_by("id")
    assert [e.event for e in events] == [
        PartnerAuditEvent.AUTHENTICATOR_RESET_REQUESTED,
        PartnerAuditEvent.AUTHENTICATOR_RESET_CONFIRMED,
        PartnerAuditEvent.AUTHENTICATOR_RESET,
    ]
    assert [e.actor_username for e in events] == ["lo.bg", "nfp.bg", "admin"]
    assert len(_mails_to(lo_bg)) == 3  # asked, confirmed, reset

    # The next login: the password alone, then enrolment before any page.
    fresh = Client()
    assert login_wizard_password_step(fresh, "lo.bg", demo_password()).status_code == 302
    for path in ("/", "/exchanges/", "/account/"):
        assert fresh.get(path)["Location"] == "/account/two_factor/setup/", path


def test_only_the_nfp_of_the_officer_s_party_confirms(
    client: Client, lo_bg: Officer, nfp_ro: Officer, lo_ro: Officer
) -> None:
    _ask(client, "lo.bg", demo_password())
    reset = AuthenticatorReset.objects.get(officer=lo_bg)
    for other in (nfp_ro, lo_ro):
        page = verified_client(Client(), other)
        assert b"lo.bg" not in page.get(CONFIRMATIONS).content
        answer = page.post(f"{CONFIRMATIONS}{reset.pk}/", {"decision": "confirm"})
        assert answer.status_code == 404
    reset.refresh_from_db()
    assert reset.status == AuthenticatorResetStatus.REQUESTED


def test_a_refusal_closes_the_request_and_is_told_to_the_officer(
    client: Client, lo_bg: Officer, nfp_bg: Officer
) -> None:
    _ask(client, "lo.bg", demo_password())
    reset = AuthenticatorReset.objects.get(officer=lo_bg)
    verified_client(Client(), nfp_bg).post(
        f"{CONFIRMATIONS}{reset.pk}/", {"decision": "refuse", "note": "Not reachable"}
    )
    reset.refresh_from_db()
    assert reset.status == AuthenticatorResetStatus.REFUSED
    assert any("refused" in subject for subject in _mails_to(lo_bg))
    assert TOTPDevice.objects.filter(user=lo_bg).exists()


def test_secretariat_staff_are_confirmed_by_one_admin_and_reset_by_another(
    client: Client, analyst: Officer, directory_admin: Officer
) -> None:
    other_admin = _second_admin()
    _ask(client, "analyst", demo_password())
    reset = AuthenticatorReset.objects.get(officer=analyst)
    first = verified_client(Client(), directory_admin)
    assert b"analyst" in first.get(CONFIRMATIONS).content
    first.post(f"{CONFIRMATIONS}{reset.pk}/", {"decision": "confirm"})
    # Whoever confirmed does not reset.
    refused = first.post(f"{ADMIN_PAGE}{reset.pk}/reset/", follow=True)
    assert b"another administrator" in refused.content
    assert TOTPDevice.objects.filter(user=analyst).exists()
    verified_client(Client(), other_admin).post(f"{ADMIN_PAGE}{reset.pk}/reset/")
    reset.refresh_from_db()
    assert (reset.status, reset.reset_by) == (AuthenticatorResetStatus.DONE, other_admin)
    assert not TOTPDevice.objects.filter(user=analyst).exists()


@pytest.mark.parametrize("persona", ["lo_ro", "nfp_bg", "analyst", "dpo", "outsider"])
def test_the_admin_reset_pages_answer_404_to_everyone_else(
    request: pytest.FixtureRequest, persona: str, lo_bg: Officer, nfp_bg: Officer
) -> None:
    _ask(Client(), "lo.bg", demo_password())
    reset = AuthenticatorReset.objects.get(officer=lo_bg)
    verified_client(Client(), nfp_bg).post(f"{CONFIRMATIONS}{reset.pk}/", {"decision": "confirm"})
    page = verified_client(Client(), request.getfixturevalue(persona))
    assert page.get(ADMIN_PAGE).status_code == 404
    assert page.post(f"{ADMIN_PAGE}{reset.pk}/reset/").status_code == 404
    reset.refresh_from_db()
    assert reset.status == AuthenticatorResetStatus.CONFIRMED


@pytest.mark.parametrize("persona", ["analyst", "dpo"])
def test_the_confirmations_page_answers_404_to_staff_who_confirm_nothing(
    request: pytest.FixtureRequest, persona: str
) -> None:
    page = verified_client(Client(), request.getfixturevalue(persona))
    assert page.get(CONFIRMATIONS).status_code == 404


def test_the_pages_cost_a_fixed_number_of_queries(
    django_assert_max_num_queries,
    lo_bg: Officer,
    lo_tr: Officer,
    nfp_bg: Officer,
    directory_admin: Officer,
    analyst: Officer,
) -> None:
    for officer in (lo_bg, analyst):
        _ask(Client(), officer.username, demo_password())
    admin = verified_client(Client(), directory_admin)
    nfp = verified_client(Client(), nfp_bg)
    # Session, officer, OTP device, the page's lists (each one query), messages.
    with django_assert_max_num_queries(7):
        assert admin.get(ADMIN_PAGE).status_code == 200
    with django_assert_max_num_queries(5):
        assert nfp.get(CONFIRMATIONS).status_code == 200
