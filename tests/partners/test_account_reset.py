"""A forgotten password reset by an e-mailed link: the page answers the same whether the
address exists; the link (Django's token, mailed through the outbox) works once and expires;
a reset signs every session out and still leaves the authenticator's code to the login."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partners.models import Officer, PartnerAuditEvent
from selec.core.models import OutboxMessage
from selec.demo import demo_password
from tests.helpers import login_wizard_password_step
from tests.partners.account_helpers import (
    NEW_PASSWORD,
    events,
    mails_to,
    second_browser,
    signed_out,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/account/password-reset/[^/\s]+/[^/\s]+/)")


def _ask(client: Client, email: str):
    return client.post("/account/password-reset/", {"email": email})


def _link_of(officer: Officer) -> str:
    [mail] = [m for m in mails_to(officer) if "Reset your password" in m.subject]
    match = LINK.search(mail.body)
    assert match is not None, mail.body
    return match.group(1)


def _set_password(client: Client, link: str):
    # Django moves the token out of the address into the session, then shows the form.
    landing = client.get(link)
    assert landing.status_code == 302
    form_url = landing["Location"]
    return client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client: Client, lo_ro: Officer
) -> None:
    known = _ask(client, lo_ro.email)
    unknown = _ask(Client(), "nobody@demo.selec.invalid")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/account/password-reset/sent/"
    assert OutboxMessage.objects.filter(to="nobody@demo.selec.invalid").count() == 0
    assert len(mails_to(lo_ro)) == 1
    [event] = events(lo_ro, PartnerAuditEvent.PASSWORD_RESET_REQUESTED)
    assert event.actor_username == "system"


def test_asking_again_at_once_sends_no_second_mail(client: Client, lo_ro: Officer) -> None:
    _ask(client, lo_ro.email)
    _ask(client, lo_ro.email.upper())
    assert len(mails_to(lo_ro)) == 1


def test_the_link_sets_a_new_password_once(client: Client, lo_ro: Officer) -> None:
    other = second_browser(lo_ro)
    _ask(client, lo_ro.email)
    link = _link_of(lo_ro)
    response = _set_password(client, link)
    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/done/"
    lo_ro.refresh_from_db()
    assert lo_ro.check_password(NEW_PASSWORD)
    assert signed_out(other)
    [event] = events(lo_ro, PartnerAuditEvent.PASSWORD_RESET)
    assert event.details["sessions_ended"] == 1
    assert "Your password was changed" in mails_to(lo_ro)[-1].subject
    # Spent: the same link now opens nothing.
    again = Client().get(link, follow=True)
    assert b"This link no longer works" in again.content


def test_an_expired_link_opens_nothing(client: Client, lo_ro: Officer) -> None:
    class Earlier(PasswordResetTokenGenerator):
        def _now(self) -> dt.datetime:
            return dt.datetime.now() - dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    uid = urlsafe_base64_encode(force_bytes(lo_ro.pk))
    link = f"/account/password-reset/{uid}/{Earlier().make_token(lo_ro)}/"
    response = client.get(link, follow=True)
    assert b"This link no longer works" in response.content
    lo_ro.refresh_from_db()
    assert lo_ro.check_password(demo_password())


def test_the_next_login_still_asks_for_the_authenticator_code(
    client: Client, lo_ro: Officer
) -> None:
    _ask(client, lo_ro.email)
    _set_password(client, _link_of(lo_ro))
    fresh = Client()
    response = login_wizard_password_step(fresh, "lo.ro", NEW_PASSWORD)
    assert response.status_code == 200
    assert b"token-otp_token" in response.content
    assert signed_out(fresh)


def test_a_deactivated_officer_gets_no_link(client: Client, lo_ro: Officer) -> None:
    Officer.objects.filter(pk=lo_ro.pk).update(is_active=False)
    assert _ask(client, lo_ro.email)["Location"] == "/account/password-reset/sent/"
    assert mails_to(lo_ro) == []
