"""API token lifecycle: issued by a command or the admin and shown once, hashed at rest,
revocable, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from partners.models import Officer
from partners.services import officer_update_assignment
from selec.api_auth import api_token_issue, api_token_revoke
from selec.models import ApiToken, AuditAction, AuditEvent

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
    token, plain = api_token_issue(actor=directory_admin, officer=lo_ro)
    assert TOKEN_SHAPE.fullmatch(plain)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert stored.prefix == plain[:12]
    assert plain not in {str(value) for value in vars(stored).values()}
    assert stored.expires_at - stored.created_at == dt.timedelta(days=90)
    assert stored.last_used_at is None
    assert stored.revoked_at is None


def test_two_tokens_of_one_officer_differ(lo_ro: Officer) -> None:
    _, first = api_token_issue(actor=None, officer=lo_ro)
    _, second = api_token_issue(actor=None, officer=lo_ro)
    assert first != second


def test_issuing_is_audited_without_the_token(directory_admin: Officer, lo_ro: Officer) -> None:
    token, plain = api_token_issue(actor=directory_admin, officer=lo_ro, days=30)
    assert _events_of(token) == [(AuditAction.GRANT, "API token issued", "admin")]
    event = AuditEvent.objects.get(object_type="selec.apitoken", object_id=str(token.pk))
    assert event.details["officer"] == "lo.ro"
    assert event.details["prefix"] == token.prefix
    assert plain not in str(event.details)


def test_revoking_is_audited_once(directory_admin: Officer, lo_ro: Officer) -> None:
    token, _ = api_token_issue(actor=directory_admin, officer=lo_ro)
    api_token_revoke(actor=directory_admin, token=token)
    first_revocation = token.revoked_at
    api_token_revoke(actor=directory_admin, token=token)
    assert token.revoked_at == first_revocation is not None
    assert _events_of(token) == [
        (AuditAction.GRANT, "API token issued", "admin"),
        (AuditAction.ALTERATION, "API token revoked", "admin"),
    ]


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_token_lasts_one_to_365_days(lo_ro: Officer, days: int) -> None:
    with pytest.raises(ValidationError) as error:
        api_token_issue(actor=None, officer=lo_ro, days=days)
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
        api_token_issue(actor=directory_admin, officer=lo_al)
    assert "officer" in error.value.message_dict


# --- the command -----------------------------------------------------------------------------


def test_the_command_prints_the_token_once_and_the_prefix_aside(lo_ro: Officer) -> None:
    out, err = StringIO(), StringIO()
    call_command("issue_api_token", "lo.ro", stdout=out, stderr=err)
    plain = out.getvalue().strip()
    assert TOKEN_SHAPE.fullmatch(plain)  # alone on standard output, for scripts
    token = ApiToken.objects.get(officer=lo_ro)
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token.prefix in err.getvalue()
    assert plain not in err.getvalue()
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    assert _events_of(token) == [(AuditAction.GRANT, "API token issued", "system")]


def test_the_command_takes_the_days_of_validity(lo_bg: Officer) -> None:
    call_command("issue_api_token", "lo.bg", "--days", "7", stdout=StringIO(), stderr=StringIO())
    token = ApiToken.objects.get(officer=lo_bg)
    assert token.expires_at - token.created_at == dt.timedelta(days=7)


def test_the_command_refuses_an_unknown_officer_and_bad_days(lo_ro: Officer) -> None:
    with pytest.raises(CommandError, match="No officer named 'nobody'"):
        call_command("issue_api_token", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="1 to 365 days"):
        call_command("issue_api_token", "lo.ro", "--days", "0", stdout=StringIO())
    assert not ApiToken.objects.exists()


# --- the admin -------------------------------------------------------------------------------

ADMIN = "/admin/selec/apitoken/"


def test_a_directory_admin_issues_a_token_shown_once_in_the_admin(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:  # type: ignore[no-untyped-def]
    client = login(directory_admin)
    assert client.get(f"{ADMIN}add/").status_code == 200
    response = client.post(f"{ADMIN}add/", {"officer": "lo.ro", "days": "30"}, follow=True)
    assert response.status_code == 200
    shown = TOKEN_SHAPE.findall(response.content.decode())
    assert len(shown) == 1
    token = ApiToken.objects.get(officer=lo_ro)
    assert token.key_hash == hashlib.sha256(shown[0].encode()).hexdigest()
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert _events_of(token) == [(AuditAction.GRANT, "API token issued", "admin")]
    # Shown once: neither the list nor the token's page show it again, nor its hash.
    for page in (ADMIN, f"{ADMIN}{token.pk}/change/"):
        content = client.get(page).content.decode()
        assert token.prefix in content
        assert shown[0] not in content
        assert token.key_hash not in content


def test_the_admin_list_shows_officer_dates_and_last_use(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:  # type: ignore[no-untyped-def]
    token, _ = api_token_issue(actor=directory_admin, officer=lo_ro)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    content = login(directory_admin).get(ADMIN).content.decode()
    for column in ("Officer", "Created at", "Expires at", "Last used at", "Revoked at"):
        assert column in content
    assert "lo.ro" in content or str(lo_ro) in content
    assert "active" in content


def test_a_directory_admin_revokes_tokens_in_the_admin(
    login, directory_admin: Officer, lo_ro: Officer
) -> None:  # type: ignore[no-untyped-def]
    token, _ = api_token_issue(actor=directory_admin, officer=lo_ro)
    client = login(directory_admin)
    response = client.post(
        ADMIN, {"action": "revoke_tokens", "_selected_action": [str(token.pk)]}, follow=True
    )
    assert b"1 token(s) revoked." in response.content
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _events_of(token)[-1] == (AuditAction.ALTERATION, "API token revoked", "admin")


def test_an_officer_who_is_not_a_directory_admin_cannot_issue_tokens(login, lo_ro: Officer) -> None:  # type: ignore[no-untyped-def]
    client = login(lo_ro)
    response = client.post(f"{ADMIN}add/", {"officer": "lo.ro", "days": "30"})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
