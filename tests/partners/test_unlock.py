"""A directory administrator unlocks a locked-out login sooner, with a reason, audited."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from partners.models import Officer, PartnerAuditEvent
from partners.selectors_lifecycle import failed_logins_of
from partners.services.officers import officer_login_unlock
from selec.core.models import AuditEvent
from selec.demo import demo_password
from tests.helpers import login_wizard_password_step, verified_client

pytestmark = pytest.mark.django_db

REASON = "Called from the Sofia desk, typed the old password"


@pytest.fixture(autouse=True)
def _fresh_counts():
    # The address slow-down (selec.core.login_throttle) counts in the cache: another matter.
    cache.clear()
    yield
    cache.clear()


def _lock(username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_wizard_password_step(Client(), username, "not-the-password")
    cache.clear()
    assert login_wizard_password_step(Client(), username, demo_password()).status_code == 429


def test_an_admin_unlocks_with_a_reason_and_it_is_audited(
    lo_bg: Officer, directory_admin: Officer, django_assert_max_num_queries
) -> None:
    _lock("lo.bg")
    admin = verified_client(Client(), directory_admin)
    page = f"/directory/manage/officers/{lo_bg.pk}/unlock/"
    with django_assert_max_num_queries(6):
        shown = admin.get(page)
    recorded = failed_logins_of("lo.bg")
    assert recorded >= settings.AXES_FAILURE_LIMIT
    assert f"<dd>{recorded}</dd>".encode() in shown.content

    done = admin.post(page, {"reason": REASON}, follow=True)

    assert b"Login of lo.bg unlocked." in done.content
    assert not AccessAttempt.objects.filter(username="lo.bg").exists()
    event = AuditEvent.objects.get(event=PartnerAuditEvent.OFFICER_LOGIN_UNLOCKED)
    assert (event.actor_username, event.object_id) == ("admin", str(lo_bg.pk))
    assert REASON not in str(event.details)  # kept encrypted as the justification
    response = login_wizard_password_step(Client(), "lo.bg", demo_password())
    assert b"token-otp_token" in response.content


def test_without_a_reason_nothing_is_unlocked(lo_bg: Officer, directory_admin: Officer) -> None:
    _lock("lo.bg")
    admin = verified_client(Client(), directory_admin)
    assert (
        admin.post(f"/directory/manage/officers/{lo_bg.pk}/unlock/", {"reason": " "}).status_code
        == 400
    )
    with pytest.raises(ValidationError):
        officer_login_unlock(actor=directory_admin, officer=lo_bg, reason="")
    assert AccessAttempt.objects.filter(username="lo.bg").exists()
    assert not AuditEvent.objects.filter(event=PartnerAuditEvent.OFFICER_LOGIN_UNLOCKED).exists()


def test_an_unlocked_login_has_nothing_to_clear_and_records_nothing(
    lo_bg: Officer, directory_admin: Officer
) -> None:
    admin = verified_client(Client(), directory_admin)
    done = admin.post(
        f"/directory/manage/officers/{lo_bg.pk}/unlock/", {"reason": REASON}, follow=True
    )
    assert b"nothing changed" in done.content
    assert not AuditEvent.objects.filter(event=PartnerAuditEvent.OFFICER_LOGIN_UNLOCKED).exists()


@pytest.mark.parametrize("persona", ["lo_ro", "nfp_bg", "analyst", "dpo", "outsider"])
def test_the_unlock_page_answers_404_to_everyone_but_admins(
    request: pytest.FixtureRequest, persona: str, lo_bg: Officer
) -> None:
    _lock("lo.bg")
    page = verified_client(Client(), request.getfixturevalue(persona))
    path = f"/directory/manage/officers/{lo_bg.pk}/unlock/"
    assert page.get(path).status_code == 404
    assert page.post(path, {"reason": REASON}).status_code == 404
    assert AccessAttempt.objects.filter(username="lo.bg").exists()


def test_an_unknown_officer_answers_404_to_an_admin(directory_admin: Officer) -> None:
    admin = verified_client(Client(), directory_admin)
    assert admin.get("/directory/manage/officers/999999/unlock/").status_code == 404
    assert admin.get("/directory/manage/officers/999999/offboard/").status_code == 404
