"""Onboarding a new observer state, in a real Chromium: from the directory administrator's first
click to the new officer's first page.

The administrator registers Malta as an observer, its police as its National Focal Point and one
NFP officer, and is told the invitation was sent, never shown its link. The officer finds the
link in their mailbox (the outbox, which the test reads as the officer reads their e-mail),
opens it in a browser of their own, chooses a password, links an authenticator, signs in with
both and lands on their first page: their account, saying that their access to exchange
content awaits confirmation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from partners.models import ContentAccess, Officer
from selec.core.models import OutboxMessage
from tests.browser.journeys import (
    choose_in_menu,
    log_in,
    log_in_as_new_officer,
    save_last_page,
)
from tests.helpers import totp_now

pytestmark = pytest.mark.browser

CODE = "MT"  # not in the reference data: a state the directory does not know yet
STATE = "Malta"
LEGAL_BASIS = "Cooperation Agreement of 12 May 2025, Article 4"
AGENCY = "Malta Police Force"
USERNAME = "nfp.mt"
EMAIL = "maria.camilleri@pulizija.gov.mt"
PASSWORD = "Quiet-harbour-at-Marsaxlokk-2026"
INVITATION_PATH = re.compile(r"/account/invitation/[A-Za-z0-9_-]+/")


def _admin_registers_the_state(page: Page) -> None:
    choose_in_menu(page, "Directory", "Onboarding and status changes")
    expect(page.get_by_role("heading", name="Onboarding")).to_be_visible()
    page.get_by_role("button", name="Register a party").click()
    page.get_by_label("Kind").select_option(label="State")
    page.get_by_label("Code").fill(CODE)
    page.get_by_label("Name").fill(STATE)
    page.get_by_label("Status").select_option(label="Observer")
    page.get_by_label("Takes effect on").fill("2026-01-15")
    page.get_by_label("Legal basis").fill(LEGAL_BASIS)
    page.get_by_role("button", name="Register the party").click()
    expect(page.get_by_text(f"{STATE} registered. Now register its agencies.")).to_be_visible()


def _admin_registers_its_national_focal_point(page: Page) -> None:
    expect(page.get_by_role("heading", name=f"New agency of {STATE}")).to_be_visible()
    page.get_by_label("Name").fill(AGENCY)
    page.get_by_label("Kind").select_option(label="Police")
    page.get_by_label("This agency is the party's National Focal Point").check()
    page.get_by_role("button", name="Register the agency").click()
    expect(page.get_by_text(f"{AGENCY} registered for {CODE}.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{STATE} ({CODE})")
    expect(page.locator("dl.facts")).to_contain_text("Observer")
    expect(page.locator("dl.facts")).to_contain_text(LEGAL_BASIS)
    agency_row = page.locator("tbody tr").filter(has_text=AGENCY)
    expect(agency_row).to_contain_text("yes")
    expect(page.get_by_role("status").filter(has_text="Next step:")).to_contain_text(
        "Add the officers of its agencies"
    )


def _admin_adds_the_officer(page: Page) -> None:
    page.get_by_role("button", name="Add an officer").click()
    expect(page.get_by_role("heading", name=f"New officer of {STATE}")).to_be_visible()
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Camilleri")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Agency").select_option(label=AGENCY)
    page.get_by_label("Role").select_option(label="National focal point officer")
    page.get_by_label("Posted at").select_option(label="Home country")
    page.get_by_role("button", name="Create and send the invitation").click()
    expect(
        page.get_by_text(f"Account {USERNAME} created; invitation sent to {EMAIL}.")
    ).to_be_visible()
    officer_row = page.locator("tbody tr").filter(has_text=USERNAME)
    expect(officer_row).to_contain_text("Maria Camilleri")
    expect(officer_row).to_contain_text("Invited")
    expect(page.get_by_role("status").filter(has_text="Next step:")).to_contain_text(
        "Wait for the invited officers to set their password and their authenticator."
    )


def _invitation_path_in_the_mailbox() -> str:
    """The link of the one invitation sent to the officer's address, as a path: the e-mail
    names the installation's SITE_URL, the test's server listens elsewhere."""
    message = OutboxMessage.objects.get(to=EMAIL)
    assert message.subject == "[SELEC Exchange] Your invitation"
    assert f"username: {USERNAME}" in message.body
    found = INVITATION_PATH.search(message.body)
    assert found is not None, message.body
    return found.group(0)


def _officer_opens_the_account(page: Page, base: str, invitation_path: str) -> str:
    """Follow the link, choose the password, enrol the authenticator; the key (base32)."""
    page.set_default_timeout(10_000)
    page.goto(base + invitation_path)
    expect(page.get_by_role("heading", name="Open your account")).to_be_visible()
    expect(page.get_by_text(USERNAME, exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your authenticator key")).to_be_visible()
    secret = page.locator("p", has_text="Key:").locator("code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_label("The six-digit code your authenticator app shows").fill(totp_now(secret))
    page.get_by_role("button", name="Open my account").click()
    expect(page.get_by_text("Your account is ready: sign in with your username")).to_be_visible()
    return secret


def test_an_observer_state_is_onboarded_up_to_its_officers_first_page(
    seeded_live_server, page: Page, browser: Browser, output_path: Path
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "admin")
    _admin_registers_the_state(page)
    _admin_registers_its_national_focal_point(page)
    _admin_adds_the_officer(page)

    invitation_path = _invitation_path_in_the_mailbox()
    # The administrator was told the invitation left, and never shown the link.
    assert invitation_path not in page.content()
    expect(page.get_by_text("/account/invitation/")).to_have_count(0)

    # The officer, in a browser of their own.
    officer_context = browser.new_context(base_url=base)
    try:
        officer_page = officer_context.new_page()
        secret = _officer_opens_the_account(officer_page, base, invitation_path)
        # The link worked once.
        officer_page.goto(base + invitation_path)
        expect(officer_page.get_by_role("heading", name="This link cannot be used")).to_be_visible()

        log_in_as_new_officer(officer_page, base, USERNAME, PASSWORD, secret)
        # An officer whose access awaits confirmation lands on their account page, which says
        # so; the menu offers nothing of the exchanges yet.
        expect(officer_page).to_have_url(f"{base}/account/")
        expect(officer_page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
        expect(
            officer_page.get_by_role("heading", name="Your access awaits confirmation")
        ).to_be_visible()
        facts = officer_page.locator("dl.facts")
        expect(facts).to_contain_text("Maria Camilleri")
        expect(facts).to_contain_text("National focal point officer")
        expect(facts).to_contain_text(f"{AGENCY} ({CODE})")
        expect(facts).to_contain_text("Awaiting confirmation")
        request_row = officer_page.locator("tbody tr").filter(has_text="Account created")
        expect(request_row).to_contain_text("Pending")
        expect(
            officer_page.get_by_role("link", name="Your access awaits confirmation")
        ).to_be_visible()
        expect(officer_page.get_by_role("link", name="Inbox")).to_have_count(0)
        save_last_page(officer_page, output_path, "onboarding-officer-first-page")
    finally:
        officer_context.close()

    officer = Officer.objects.get(username=USERNAME)
    assert officer.content_access == ContentAccess.PENDING

    # The administrator's roster follows the officer: active, awaiting the NFP's confirmation.
    page.reload()
    expect(page.locator("tbody tr").filter(has_text=USERNAME)).to_contain_text(
        "Active, awaiting NFP confirmation"
    )
