"""API token lifecycle: issued by the officer themselves after a fresh authenticator code and
shown once, hashed at rest, revocable (by the officer or a directory admin), audited, and
revoked for good when the officer is deactivated."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from partners.api_auth import api_token_issue, api_token_revoke
from partners.models import Officer
from partners.services.officers import officer_update_assignment
from selec.core.models import ApiToken, AuditAction, AuditEvent
from selec.demo import current_totp
from tests.helpers import issued_token

pytestmark = pytest.mark.django_db

TOKEN_SHAPE = re.compile(r"selec_[A-Za-z0-9_-]{43}")


def _events_of(token: ApiToken) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.filter(object_type="selec.apitoken", object_id=str(token.pk))
        .order_by("id")
        .values_list("action", "reason", "actor_username")
    )


def test_it_issues_a_token_stored_only_as_its_hash(
    directory_admin: Officer, lo_ro: Officer
) -> None:
    token, plain = issued_token(lo_ro)
    assert TOKEN_SHAPE.fullmatch(plain)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert stored.prefix == plain[:12]
    assert plain not in {str(value) for value in vars(stored).values()}
    assert stored.expires_at - stored.created_at == dt.timedelta(days=90)
    assert stored.last_used_at is None
    assert stored.revoked_at is None


def test_two_tokens_of_one_officer_differ(lo_ro: Officer) -> None:
    _, first = issued_token(lo_ro)
    _, second = issued_token(lo_ro)
    assert first != second


def test_issuing_is_audited_without_the_token(directory_admin: Officer, lo_ro: Officer) -> None:
    token, plain = issued_token(lo_ro, days=30)
    assert _events_of(token) == [(AuditAction.GRANT, "API token issued", "lo.ro")]
    event = AuditEvent.objects.get(object_type="selec.apitoken", object_id=str(token.pk))
    assert event.details["officer"] == "lo.ro"
    assert event.details["prefix"] == token.prefix
    assert plain not in str(event.details)


def test_revoking_is_audited_once(directory_admin: Officer, lo_ro: Officer) -> None:
    token, _ = issued_token(lo_ro)
    api_token_revoke(actor=directory_admin, token=token)
    first_revocation = token.revoked_at
    api_token_revoke(actor=directory_admin, token=token)
    assert token.revoked_at == first_revocation is not None
    assert _events_of(token) == [
        (AuditAction.GRANT, "API token issued", "lo.ro"),
        (AuditAction.ALTERATION, "API token revoked", "admin"),
    ]


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_token_lasts_one_to_365_days(lo_ro: Officer, days: int) -> None:
    with pytest.raises(ValidationError) as error:
        issued_token(lo_ro, days=days)
    assert "days" in error.value.message_dict
    assert not ApiToken.objects.filter(officer=lo_ro).exists()


def test_an_inactive_officer_gets_no_token(directory_admin: Officer, lo_al: Officer) -> None:
    officer_update_assignment(
        actor=directory_admin,
        officer=lo_al,
        role=lo_al.role,
        agency=lo_al.agency,
        posted_at=lo_al.posted_at,
        is_active=False,
    )
    with pytest.raises(ValidationError) as error:
        issued_token(lo_al)
    assert "officer" in error.value.message_dict


def test_a_token_is_issued_only_with_a_current_code_of_the_officers_own_authenticator(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    for code in ("", "000000", "12345", "abcdef", current_totp(lo_bg)):
        TOTPDevice.objects.filter(user=lo_ro).update(last_t=-1)
        if code == current_totp(lo_ro):
            continue  # another officer's code may coincide with this one's, rarely
        with pytest.raises(ValidationError) as error:
            api_token_issue(officer=lo_ro, totp_code=code)
        assert "totp_code" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_a_code_already_used_does_not_issue_a_second_token(lo_ro: Officer) -> None:
    TOTPDevice.objects.filter(user=lo_ro).update(last_t=-1)
    code = current_totp(lo_ro)
    api_token_issue(officer=lo_ro, totp_code=code)
    with pytest.raises(ValidationError, match="new code"):
        api_token_issue(officer=lo_ro, totp_code=code)
    assert ApiToken.objects.filter(officer=lo_ro).count() == 1


def test_deactivating_an_officer_revokes_every_token_and_reactivating_revives_none(
    directory_admin: Officer, lo_al: Officer, nfp_bg: Officer
) -> None:
    first, first_plain = issued_token(lo_al)
    second, _ = issued_token(lo_al)

    def assign(active: bool) -> None:
        officer_update_assignment(
            actor=directory_admin,
            officer=lo_al,
            role=lo_al.role,
            agency=lo_al.agency,
            posted_at=lo_al.posted_at,
            is_active=active,
        )

    assign(False)
    for token in (first, second):
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert _events_of(token)[-1] == (AuditAction.ALTERATION, "officer deactivated", "admin")
    assign(True)
    assert ApiToken.objects.filter(officer=lo_al, revoked_at__isnull=True).count() == 0
    response = APIClient().get("/api/v1/exchanges/", HTTP_AUTHORIZATION=f"Token {first_plain}")
    assert response.status_code == 401


# --- the officer's account page --------------------------------------------------------------


def test_an_officer_issues_their_own_token_on_their_account_page_shown_once(
    login, lo_ro: Officer
) -> None:
    client = login(lo_ro)
    assert client.get("/account/").status_code == 200
    TOTPDevice.objects.filter(user=lo_ro).update(last_t=-1)
    response = client.post(
        "/account/tokens/", {"days": "30", "totp_code": current_totp(lo_ro)}, follow=True
    )
    assert response.status_code == 200
    shown = TOKEN_SHAPE.findall(response.content.decode())
    assert len(shown) == 1
    token = ApiToken.objects.get(officer=lo_ro)
    assert token.key_hash == hashlib.sha256(shown[0].encode()).hexdigest()
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert _events_of(token) == [(AuditAction.GRANT, "API token issued", "lo.ro")]
    again = client.get("/account/").content.decode()
    assert token.prefix in again
    assert shown[0] not in again


def test_the_account_page_refuses_a_token_without_a_fresh_code(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    response = client.post("/account/tokens/", {"days": "30", "totp_code": "000000"})
    assert response.status_code == 400
    assert "new code from your authenticator" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_officer_revokes_their_own_token_and_nobody_elses(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    own, _ = issued_token(lo_ro)
    other, _ = issued_token(lo_bg)
    client = login(lo_ro)
    assert client.post(f"/account/tokens/{other.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{own.pk}/revoke/").status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None
    assert other.revoked_at is None


# --- the admin -------------------------------------------------------------------------------

ADMIN = "/admin/selec/apitoken/"


def test_a_directory_admin_cannot_issue_a_token_for_anyone(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:
    client = login(directory_admin)
    assert client.get(f"{ADMIN}add/").status_code == 403
    response = client.post(f"{ADMIN}add/", {"officer": "lo.ro", "days": "30"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    # The list offers no way to add one either.
    assert f"{ADMIN}add/" not in client.get(ADMIN).content.decode()


def test_the_admin_list_shows_officer_dates_and_last_use(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:
    token, _ = issued_token(lo_ro)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    content = login(directory_admin).get(ADMIN).content.decode()
    for column in ("Officer", "Created at", "Expires at", "Last used at", "Revoked at"):
        assert column in content
    assert "lo.ro" in content or str(lo_ro) in content
    assert "active" in content


def test_a_directory_admin_revokes_tokens_in_the_admin(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:
    token, _ = issued_token(lo_ro)
    client = login(directory_admin)
    response = client.post(
        ADMIN, {"action": "revoke_tokens", "_selected_action": [str(token.pk)]}, follow=True
    )
    assert b"1 token revoked." in response.content
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _events_of(token)[-1] == (AuditAction.ALTERATION, "API token revoked", "admin")


# --- guessing the authenticator code ---------------------------------------------------------


def _wrong_code(officer: Officer) -> str:
    """A well-formed code the officer's authenticator does not show now (nor one step off)."""
    device = TOTPDevice.objects.get(user=officer, name="default")
    shown = set()
    for offset in range(-device.tolerance - 1, device.tolerance + 2):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time() + offset * device.step
        shown.add(f"{totp.token():0{device.digits}d}")
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in shown)


def test_a_wrong_code_is_counted_on_the_authenticator_and_the_count_persists(
    lo_ro: Officer,
) -> None:
    TOTPDevice.objects.filter(user=lo_ro).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    with pytest.raises(ValidationError, match="new code"):
        api_token_issue(officer=lo_ro, totp_code=_wrong_code(lo_ro))
    # Not rolled back with the refusal: django-otp's throttle sees the guess.
    device = TOTPDevice.objects.get(user=lo_ro, name="default")
    assert device.throttling_failure_count == 1
    assert device.throttling_failure_timestamp is not None
    assert not ApiToken.objects.exists()


def test_after_wrong_codes_even_the_right_code_waits_for_the_throttle(lo_ro: Officer) -> None:
    TOTPDevice.objects.filter(user=lo_ro).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    for _ in range(3):
        with pytest.raises(ValidationError, match="new code"):
            api_token_issue(officer=lo_ro, totp_code=_wrong_code(lo_ro))
    # The first guess counted; the next ones came before its delay was over, and were refused
    # by the throttle without counting (django-otp's ThrottlingMixin).
    assert TOTPDevice.objects.get(user=lo_ro, name="default").throttling_failure_count == 1
    with pytest.raises(ValidationError, match="new code"):
        api_token_issue(officer=lo_ro, totp_code=current_totp(lo_ro))
    assert not ApiToken.objects.exists()
    # Once the delay is over, the right code goes through and the count starts again.
    TOTPDevice.objects.filter(user=lo_ro).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1)
    )
    api_token_issue(officer=lo_ro, totp_code=current_totp(lo_ro))
    assert ApiToken.objects.filter(officer=lo_ro).count() == 1
    assert TOTPDevice.objects.get(user=lo_ro, name="default").throttling_failure_count == 0


def test_a_wrong_code_on_the_account_page_is_counted_on_the_authenticator(
    login, lo_ro: Officer
) -> None:
    client = login(lo_ro)
    TOTPDevice.objects.filter(user=lo_ro).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    response = client.post("/account/tokens/", {"days": "30", "totp_code": _wrong_code(lo_ro)})
    assert response.status_code == 400
    assert TOTPDevice.objects.get(user=lo_ro, name="default").throttling_failure_count == 1
