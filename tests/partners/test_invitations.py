"""The invitation's life: e-mailed once (the database keeps only a digest), valid 72 hours and
once, opening the account only with both a password and an authenticator; content still waits
for the National Focal Point's confirmation."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Agency, ContentAccess, Invitation, Officer, Role
from partners.services.access_confirmations import officer_access_decide
from partners.services.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_send,
    officer_invite_new,
)
from selec.core.models import AuditEvent, OutboxMessage
from tests.helpers import (
    login_wizard_password_step,
    login_wizard_token_step,
    totp_now,
    verified_client,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Sofia-border-officer-2026"
LINK = re.compile(r"https?://\S+/account/invitation/(?P<token>[^/\s]+)/")


def _invite(admin: Officer, username: str = "lo.bg2") -> Officer:
    agency = Agency.objects.get(name="Bulgarian Police")
    return officer_invite_new(
        actor=admin,
        party=agency.party,
        agency=agency,
        username=username,
        first_name="Ivan",
        last_name="Petrov",
        email=f"{username}@example.org",
        role=Role.LIAISON_OFFICER,
        posted_at="hq",
    )


def _token_mailed_to(officer: Officer) -> str:
    message = OutboxMessage.objects.filter(to=officer.email).order_by("-id").first()
    assert message is not None
    match = LINK.search(message.body)
    assert match is not None, message.body
    return match["token"]


def _secret_shown(page: str) -> str:
    match = re.search(r"<code>([A-Z2-7]{32})</code>", page)
    assert match is not None
    return match[1]


def _accept(client: Client, token: str, *, code: str | None = None) -> Any:
    page = client.get(f"/account/invitation/{token}/")
    assert page.status_code == 200
    secret = _secret_shown(page.content.decode())
    return client.post(
        f"/account/invitation/{token}/",
        {
            "password": PASSWORD,
            "password_again": PASSWORD,
            "totp_code": code if code is not None else totp_now(secret),
        },
    )


def test_the_mail_holds_the_link_and_the_database_only_its_digest(
    directory_admin: Officer,
) -> None:
    officer = _invite(directory_admin)
    token = _token_mailed_to(officer)
    invitation = Invitation.objects.get(officer=officer)
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(hours=72)
    assert token not in str(list(Invitation.objects.filter(officer=officer).values()))
    events = AuditEvent.objects.filter(object_id=str(officer.pk), event="officer.invited")
    assert events.count() == 1
    assert token not in str(events.get().details)


def test_an_invited_account_cannot_sign_in(client: Client, directory_admin: Officer) -> None:
    officer = _invite(directory_admin)
    assert not officer.has_usable_password()
    response = login_wizard_password_step(client, officer.username, "")
    assert response.status_code == 200
    assert b"token-otp_token" not in response.content
    assert client.get("/")["Location"].startswith("/account/login/")


def test_the_link_sets_password_and_authenticator_and_then_signs_in(
    client: Client, directory_admin: Officer
) -> None:
    officer = _invite(directory_admin)
    token = _token_mailed_to(officer)
    page = client.get(f"/account/invitation/{token}/")
    secret = _secret_shown(page.content.decode())
    assert b'src="data:image/svg+xml;base64,' in page.content
    response = client.post(
        f"/account/invitation/{token}/",
        {"password": PASSWORD, "password_again": PASSWORD, "totp_code": totp_now(secret)},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert Invitation.objects.get(officer=officer).used_at is not None
    assert AuditEvent.objects.filter(
        object_id=str(officer.pk), event="officer.invitation_accepted"
    ).exists()

    # Signing in with both works; content waits for the NFP's confirmation.
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    login_wizard_password_step(client, officer.username, PASSWORD)
    assert login_wizard_token_step(client, totp_now(secret)).status_code == 302
    assert client.get("/exchanges/")["Location"] == "/account/"
    assert b"Your access awaits confirmation" in client.get("/account/").content


def test_content_opens_once_the_nfp_confirms(
    client: Client, directory_admin: Officer, nfp_bg: Officer
) -> None:
    officer = _invite(directory_admin)
    assert _accept(client, _token_mailed_to(officer)).status_code == 302
    officer.refresh_from_db()
    assert officer.content_access == ContentAccess.PENDING
    pending = officer.access_confirmations.get(status="pending")
    officer_access_decide(actor=nfp_bg, confirmation_id=pending.pk, confirm=True)
    officer.refresh_from_db()
    assert officer.content_access == ContentAccess.CONFIRMED


def test_a_link_works_once(client: Client, directory_admin: Officer) -> None:
    officer = _invite(directory_admin)
    token = _token_mailed_to(officer)
    assert _accept(client, token).status_code == 302
    again = Client().get(f"/account/invitation/{token}/")
    assert again.status_code == 410
    assert b"Ask your administrator" in again.content
    with pytest.raises(InvitationUnusable):
        invitation_accept(token=token, password=PASSWORD, totp_key="00" * 20, totp_code="000000")


def test_a_link_expires_after_72_hours(client: Client, directory_admin: Officer) -> None:
    officer = _invite(directory_admin)
    token = _token_mailed_to(officer)
    later = timezone.now() + dt.timedelta(hours=72, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(f"/account/invitation/{token}/")
    assert response.status_code == 410
    with mock.patch("django.utils.timezone.now", return_value=later - dt.timedelta(seconds=2)):
        assert client.get(f"/account/invitation/{token}/").status_code == 200


def test_unknown_expired_and_used_links_look_alike(client: Client) -> None:
    response = client.get("/account/invitation/not-a-token/")
    assert response.status_code == 410
    assert b"This link cannot be used" in response.content
    assert b"expired" not in response.content


def test_a_wrong_code_sets_nothing(client: Client, directory_admin: Officer) -> None:
    officer = _invite(directory_admin)
    token = _token_mailed_to(officer)
    response = _accept(client, token, code="000000")
    assert response.status_code == 400
    assert b"This code does not match" in response.content
    officer.refresh_from_db()
    assert not officer.has_usable_password()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert Invitation.objects.get(officer=officer).used_at is None


def test_a_weak_password_is_refused_by_the_validators(
    client: Client, directory_admin: Officer
) -> None:
    officer = _invite(directory_admin)
    token = _token_mailed_to(officer)
    page = client.get(f"/account/invitation/{token}/")
    secret = _secret_shown(page.content.decode())
    response = client.post(
        f"/account/invitation/{token}/",
        {"password": "short", "password_again": "short", "totp_code": totp_now(secret)},
    )
    assert response.status_code == 400
    assert b"at least 12 characters" in response.content
    officer.refresh_from_db()
    assert not officer.has_usable_password()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_sending_again_revokes_the_open_link(client: Client, directory_admin: Officer) -> None:
    officer = _invite(directory_admin)
    first = _token_mailed_to(officer)
    response = verified_client(client, directory_admin).post(
        f"/directory/manage/officers/{officer.pk}/invite/", follow=True
    )
    assert b"A new invitation was sent" in response.content
    second = _token_mailed_to(officer)
    assert second != first
    anonymous = Client()
    assert anonymous.get(f"/account/invitation/{first}/").status_code == 410
    assert anonymous.get(f"/account/invitation/{second}/").status_code == 200
    assert Invitation.objects.filter(officer=officer, revoked_at__isnull=False).count() == 1


def test_an_opened_account_gets_no_new_invitation(client: Client, directory_admin: Officer) -> None:
    officer = _invite(directory_admin)
    _accept(client, _token_mailed_to(officer))
    response = verified_client(Client(), directory_admin).post(
        f"/directory/manage/officers/{officer.pk}/invite/", follow=True
    )
    assert b"already opened" in response.content
    assert Invitation.objects.filter(officer=officer).count() == 1


def test_a_working_account_gets_no_invitation(directory_admin: Officer, lo_ro: Officer) -> None:
    with pytest.raises(ValidationError, match="already opened"):
        invitation_send(actor=directory_admin, officer=lo_ro)
    assert not Invitation.objects.filter(officer=lo_ro).exists()
