"""Changing one's own password: the current password and a fresh authenticator code are both
required; the other sessions are signed out (whoever knew the old password loses them), the
current one stays; audited, and the officer is told by e-mail."""

from __future__ import annotations

import pytest
from django.test import Client

from partners.models import Officer, PartnerAuditEvent
from partners.models_lifecycle import OfficerSession
from selec.demo import demo_password
from tests.partners.account_helpers import (
    NEW_PASSWORD,
    events,
    fresh_code,
    mails_to,
    second_browser,
    signed_out,
    wrong_code,
)

pytestmark = pytest.mark.django_db


def _change(client: Client, officer: Officer, **overrides: str):
    data = {
        "current_password": demo_password(),
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        "totp_code": fresh_code(officer),
        **overrides,
    }
    return client.post("/account/password/", data)


def test_the_page_asks_for_the_current_password_and_a_code(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/account/password/")
    assert response.status_code == 200
    for name in ("current_password", "new_password1", "new_password2", "totp_code"):
        assert f'name="{name}"'.encode() in response.content


def test_it_changes_the_password_and_signs_out_the_other_sessions(login, lo_ro: Officer) -> None:
    other = second_browser(lo_ro)
    client = login(lo_ro)
    response = _change(client, lo_ro)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    lo_ro.refresh_from_db()
    assert lo_ro.check_password(NEW_PASSWORD)
    # This browser stays signed in; the other one is out at its next click.
    assert client.get("/account/").status_code == 200
    assert signed_out(other)
    open_keys = set(
        OfficerSession.objects.filter(officer=lo_ro, ended_at__isnull=True).values_list(
            "session_key", flat=True
        )
    )
    assert open_keys == {client.session.session_key}


def test_the_change_is_audited_and_mailed(login, lo_ro: Officer) -> None:
    second_browser(lo_ro)
    _change(login(lo_ro), lo_ro)
    [event] = events(lo_ro, PartnerAuditEvent.PASSWORD_CHANGED)
    assert event.actor_username == "lo.ro"
    assert event.details["sessions_ended"] == 1
    assert NEW_PASSWORD not in str(event.details)
    [mail] = mails_to(lo_ro)
    assert mail.subject == "[SELEC Exchange] Your password was changed"
    assert "tell your National Focal Point" in mail.body


@pytest.mark.parametrize(
    ("field", "bad"),
    [("current_password", "not-my-password-at-all"), ("totp_code", None)],
)
def test_a_wrong_current_password_or_code_changes_nothing(
    login, lo_ro: Officer, field: str, bad: str | None
) -> None:
    other = second_browser(lo_ro)
    client = login(lo_ro)
    response = _change(client, lo_ro, **{field: bad if bad is not None else wrong_code(lo_ro)})
    assert response.status_code == 400
    assert b"Nothing was saved." in response.content
    lo_ro.refresh_from_db()
    assert lo_ro.check_password(demo_password())
    assert not signed_out(other)
    assert events(lo_ro, PartnerAuditEvent.PASSWORD_CHANGED) == []
    assert mails_to(lo_ro) == []


def test_a_weak_or_mismatched_new_password_is_refused(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    assert _change(client, lo_ro, new_password1="short", new_password2="short").status_code == 400
    mismatched = _change(client, lo_ro, new_password2=NEW_PASSWORD + "x")
    assert mismatched.status_code == 400
    lo_ro.refresh_from_db()
    assert lo_ro.check_password(demo_password())
