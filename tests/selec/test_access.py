"""Deny by default: the URL map, the login with password and TOTP, enrolment and lockout."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Agency, Officer, Role
from partners.services.access_confirmations import officer_access_confirm_by_operator
from partners.services.officers import officer_create
from selec.core import session_refresh
from selec.demo import current_totp, demo_password
from tests.helpers import login_wizard_password_step, login_wizard_token_step, totp_now

# The only views an anonymous client may reach. Adding one here is a security decision.
PUBLIC_VIEWS = {
    "two_factor:login",
    "healthz",
    "readyz",
    # The invitation's page (an unknown link answers 410) and the lost authenticator's request.
    "invitation_accept",
    "lifecycle:authenticator_lost",
    # A forgotten password: the request, its answer, the link's page and the end.
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # Browsers ask for /favicon.ico of their own accord: it redirects to the static SVG.
    "favicon",
}

_CONVERTER_SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x/y",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _example_path(parts: list[str]) -> str:
    """Turn the route or regex of every level of a URL pattern into one concrete path."""
    path = ""
    for part in parts:
        part = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _CONVERTER_SAMPLES[m.group(1) or "str"], part)
        # Named regex groups: take the first alternative of an alternation, else a sample value.
        part = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", part)
        part = re.sub(r"\(\?P<\w+>[^)]*\)", "1", part)
        part = part.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
        path += part
    return "/" + path


def _walk(patterns: list, prefix: list[str], namespace: str) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, [*prefix, str(pattern.pattern)], ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", _example_path([*prefix, str(pattern.pattern)])


ALL_URLS = sorted(set(_walk(get_resolver().url_patterns, [], "")))


def test_the_url_map_is_enumerated() -> None:
    names = {name for name, _ in ALL_URLS}
    assert {"home", "healthz", "two_factor:login", "party_list", "admin:index"} <= names
    assert len(ALL_URLS) > 30  # the admin's pages are in it too


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ALL_URLS)
def test_every_url_is_public_or_refused_to_an_anonymous_client(
    client: Client, name: str, path: str
) -> None:
    match = resolve(path)
    response = client.get(path)
    if match.view_name in PUBLIC_VIEWS:
        # The favicon's address redirects to the static file; the other public views answer.
        expected = (302,) if match.view_name == "favicon" else (200, 410, 503)
        assert response.status_code in expected
        return
    if path.startswith("/api/"):
        # The API authenticates callers itself (partners.api_auth) and refuses in JSON.
        assert response.status_code in (401, 403), (
            f"{path} ({match.view_name}) answered {response.status_code}"
        )
        if path.startswith("/api/v1/"):  # the schema and its docs page have their own formats
            assert response["Content-Type"] == "application/json", response["Content-Type"]
        return
    assert response.status_code == 302, (
        f"{path} ({match.view_name}) answered {response.status_code}"
    )
    assert response["Location"].startswith("/account/login/"), response["Location"]


@pytest.mark.django_db
def test_a_password_without_the_totp_code_does_not_log_in(client: Client, lo_ro: Officer) -> None:
    response = login_wizard_password_step(client, "lo.ro", demo_password())
    assert response.status_code == 200
    assert b"token-otp_token" in response.content  # the wizard now asks for the code
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_a_wrong_totp_code_is_refused(client: Client, lo_ro: Officer) -> None:
    login_wizard_password_step(client, "lo.ro", demo_password())
    wrong = f"{(int(current_totp(lo_ro)) + 1) % 1_000_000:06d}"
    response = login_wizard_token_step(client, wrong)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_and_totp_code_land_on_the_home_page(client: Client, lo_ro: Officer) -> None:
    login_wizard_password_step(client, "lo.ro", demo_password())
    response = login_wizard_token_step(client, current_totp(lo_ro))
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"Romanian Police" in home.content
    assert b"Member state" in home.content


@pytest.mark.django_db
def test_first_login_enrols_an_authenticator_with_a_qr_code(client: Client) -> None:
    newcomer = officer_create(
        actor=None,
        username="lo.md",
        password="Chisinau-liaison-2026",
        role=Role.LIAISON_OFFICER,
        agency=Agency.objects.get(name="Moldovan Police"),
    )
    response = login_wizard_password_step(client, "lo.md", "Chisinau-liaison-2026")
    assert response.status_code == 302
    # With no authenticator yet, every page leads to enrolment.
    assert client.get("/")["Location"] == "/account/two_factor/setup/"
    assert client.get("/directory/parties/")["Location"] == "/account/two_factor/setup/"

    client.post("/account/two_factor/setup/", {"setup_view-current_step": "welcome"})
    qr = client.get("/account/two_factor/qrcode/")
    assert qr.status_code == 200
    assert qr["Content-Type"].startswith("image/svg+xml")
    secret = client.session["django_two_factor-qr_secret_key"]
    response = client.post(
        "/account/two_factor/setup/",
        {"setup_view-current_step": "generator", "generator-token": totp_now(secret)},
    )
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    # Enrolled, but the account reaches nothing until Moldova's side confirms it.
    assert client.get("/")["Location"] == "/account/"
    assert b"awaits confirmation" in client.get("/account/").content
    officer_access_confirm_by_operator(officer=newcomer, note="first officer of Moldova")
    assert client.get("/").status_code == 200
    # Backup codes can be generated straight after enrolment, with a fresh code (the one the
    # enrolment used is spent: django-otp refuses it twice).
    TOTPDevice.objects.filter(user=newcomer).update(last_t=-1)
    response = client.post("/account/backup-codes/", {"totp_code": totp_now(secret)})
    assert response.status_code == 200
    assert StaticDevice.objects.get(user=newcomer).token_set.count() == 10
    # two_factor's own page, which would show them again without a code, leads to ours.
    assert client.get("/account/two_factor/backup/tokens/")["Location"] == "/account/backup-codes/"


@pytest.mark.django_db
def test_an_enrolled_officer_cannot_add_a_device_without_the_code(
    client: Client, lo_ro: Officer
) -> None:
    # A password alone must not let anyone register an authenticator of their own.
    client.force_login(lo_ro)
    response = client.get("/account/two_factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_the_account_is_locked_after_the_configured_failures(
    client: Client, lo_bg: Officer
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login_wizard_password_step(client, "lo.bg", "not-the-password")
    assert response.status_code in (200, 429)
    # Even the right password is refused now.
    response = login_wizard_password_step(client, "lo.bg", demo_password())
    assert response.status_code == 429
    assert b"Account temporarily locked" in response.content
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock(client: Client, lo_bg: Officer) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_wizard_password_step(client, "lo.bg", "not-the-password")
    response = login_wizard_password_step(client, "lo.bg", demo_password())
    assert response.status_code == 200
    assert b"token-otp_token" in response.content


@pytest.mark.django_db
def test_an_unverified_session_reaches_no_page_but_login(client: Client, lo_ro: Officer) -> None:
    client.force_login(lo_ro)  # password accepted, TOTP never given
    for path in ["/", "/directory/parties/", "/directory/officers/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    assert client.get("/account/login/").status_code == 200


@pytest.mark.django_db
def test_the_admin_is_refused_to_an_officer_who_is_not_a_directory_admin(
    login, lo_ro: Officer
) -> None:
    client = login(lo_ro)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"] or "/account/login/" in response["Location"]


@pytest.mark.django_db
def test_the_admin_opens_for_a_verified_directory_admin(login, directory_admin: Officer) -> None:
    client = login(directory_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Parties" in response.content


def test_the_session_expires_after_idle_time() -> None:
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 60


def _session_expiry(client: Client) -> dt.datetime:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


@pytest.mark.django_db
def test_pages_do_not_write_the_session_more_than_once_a_minute(
    login, lo_ro: Officer, monkeypatch
) -> None:
    start = timezone.now()
    monkeypatch.setattr(session_refresh.timezone, "now", lambda: start)
    client = login(lo_ro)
    client.get("/exchanges/")
    first = _session_expiry(client)
    with CaptureQueriesContext(connection) as queries:
        client.get("/exchanges/")
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in writes if "django_session" in sql]
    assert _session_expiry(client) == first


@pytest.mark.django_db
def test_a_request_after_a_minute_extends_the_session(login, lo_ro: Officer, monkeypatch) -> None:
    client = login(lo_ro)
    client.get("/exchanges/")
    first = _session_expiry(client)
    later = timezone.now() + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)
    monkeypatch.setattr(session_refresh.timezone, "now", lambda: later)
    client.get("/exchanges/")
    assert _session_expiry(client) > first


def test_passwords_are_hashed_with_argon2() -> None:
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/account/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert b"<script>" not in response.content
