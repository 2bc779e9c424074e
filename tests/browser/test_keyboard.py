"""An officer who works with the keyboard alone: signs in, reaches the compose page through the
menu, files a request (the recipient found through the picker's filter and the arrow keys) and
reaches the saved views of the inbox. Every control is reached with Tab (never clicked, never
focused by the test), and used with the keys a keyboard user would press."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from exchanges.models import Exchange
from partners.models import Officer
from selec.demo import current_totp, demo_password

pytestmark = pytest.mark.browser

# More than any page has controls before the one looked for: a control that needs more is
# unreachable in practice.
MOST_TABS = 120


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focus is on the first element matching ``selector``."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} is not reached with Tab")


def test_an_officer_files_a_request_with_the_keyboard_alone(seeded_live_server, page: Page) -> None:
    base = seeded_live_server.url
    officer = Officer.objects.get(username="lo.ro")
    page.set_default_timeout(10_000)
    page.goto(f"{base}/account/login/")

    _tab_to(page, "input[name='auth-username']")
    page.keyboard.type(officer.username)
    page.keyboard.press("Tab")
    page.keyboard.type(demo_password())
    page.keyboard.press("Enter")
    expect(page.locator("input[name='token-otp_token']")).to_be_visible()
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    _tab_to(page, "input[name='token-otp_token']")
    page.keyboard.type(current_totp(officer))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/")

    # The skip link comes first, and the menu leads to the compose page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    _tab_to(page, "header a[href='/exchanges/new/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/exchanges/new/")

    _tab_to(page, "input[name='kind'][value='request']")
    page.keyboard.press("Space")
    _tab_to(page, "#recipient-filter")
    page.keyboard.type("Bulgarian Police")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Bulgarian Police", exact=True)).to_be_checked()
    _tab_to(page, "select[name='crime_area']")
    page.keyboard.type("Drug")
    _tab_to(page, "input[name='subject']")
    page.keyboard.type("Cocaine in a container at Constanța")
    _tab_to(page, "textarea[name='body']")
    page.keyboard.type("Arrival expected on 3 December.")
    _tab_to(page, "button[type='submit'][form='compose-form']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/exchanges/SELEC-\d{4}-\d{6}/"))

    sent = Exchange.objects.filter(sender_agency__name="Romanian Police").latest("pk")
    expect(page).to_have_url(re.compile(rf"/exchanges/{sent.reference}/"))
    assert sent.kind == "request"
    assert sent.crime_area.code == "drugs"
    assert list(sent.recipients.values_list("agency__name", flat=True)) == ["Bulgarian Police"]

    # The inbox's saved views are reached and used the same way.
    page.goto(f"{base}/exchanges/?kind=request")
    _tab_to(page, "input[name='name']")
    page.keyboard.type("Requests")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Requests", exact=True)).to_be_visible()
