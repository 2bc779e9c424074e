"""Backup codes made anew from the account: a fresh authenticator code is required, the new
codes are shown once, every earlier code stops working, and the change is audited."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from partners.models import Officer, PartnerAuditEvent
from partners.services.account import BACKUP_CODES_COUNT
from tests.partners.account_helpers import events, fresh_code, wrong_code

pytestmark = pytest.mark.django_db

CODE = re.compile(rb"<li><code>([a-z0-9]+)</code></li>")


def _codes_of(officer: Officer) -> set[str]:
    return set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))


def test_new_codes_are_shown_once_and_replace_the_old(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    first = client.post("/account/backup-codes/", {"totp_code": fresh_code(lo_ro)})
    assert first.status_code == 200
    shown = {code.decode() for code in CODE.findall(first.content)}
    assert len(shown) == BACKUP_CODES_COUNT
    assert _codes_of(lo_ro) == shown
    assert CODE.findall(client.get("/account/backup-codes/").content) == []
    second = client.post("/account/backup-codes/", {"totp_code": fresh_code(lo_ro)})
    renewed = {code.decode() for code in CODE.findall(second.content)}
    assert _codes_of(lo_ro) == renewed
    assert not renewed & shown
    assert StaticDevice.objects.filter(user=lo_ro).count() == 1
    regenerated = events(lo_ro, PartnerAuditEvent.BACKUP_CODES_REGENERATED)
    assert len(regenerated) == 2
    assert not any(code in str(e.details) for e in regenerated for code in renewed)


def test_a_wrong_code_keeps_the_old_codes(login, lo_ro: Officer) -> None:
    client = login(lo_ro)
    client.post("/account/backup-codes/", {"totp_code": fresh_code(lo_ro)})
    before = _codes_of(lo_ro)
    response = client.post("/account/backup-codes/", {"totp_code": wrong_code(lo_ro)})
    assert response.status_code == 400
    assert CODE.findall(response.content) == []
    assert _codes_of(lo_ro) == before
    assert len(events(lo_ro, PartnerAuditEvent.BACKUP_CODES_REGENERATED)) == 1
