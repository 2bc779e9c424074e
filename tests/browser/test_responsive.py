"""The daily pages at a phone's width (390 x 844) and a desktop's (1280 x 800), in a real
Chromium: nothing is wider than the window, the main menu folds behind a button the keyboard
works at phone width, and the browser finds the favicon instead of a 404.

The screenshots of the inbox, the compose page and a thread at phone width are saved in the
test's output folder (pytest-playwright's ``--output``, default ``test-results/``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, ViewportSize, expect

from exchanges.models import Exchange
from partners.models import Officer
from tests.browser.journeys import give_purpose, log_in, save_last_page
from tests.exchanges.scenario import send

pytestmark = pytest.mark.browser

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)
# The pages a liaison officer of Romania opens every day; the thread comes from the fixture.
DAILY_PAGES = {
    "dashboard": "/",
    "inbox": "/exchanges/",
    "compose": "/exchanges/new/",
    "hits-search": "/hits/search/",
    "account": "/account/",
}
# At phone width these are saved, to look at what an officer on a phone sees.
SCREENSHOTS = {"inbox", "compose", "thread"}
PURPOSE = "Follow-up of the Constanța container for the Romanian Police"


@pytest.fixture
def bulgarian_request(seeded_live_server) -> Exchange:
    """A request from Bulgaria to the Romanian Police naming a person: it fills the inbox, and
    its thread asks the Romanian officer why they open it."""
    return send(Officer.objects.get(username="lo.bg"), "Romanian Police", personal=True)


@pytest.fixture
def failed_responses(page: Page) -> Iterator[list[str]]:
    """Every answer of 400 or more the browser gets while the test runs (a missing favicon,
    a stylesheet or a script that does not load)."""
    failures: list[str] = []

    def note(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", note)
    yield failures
    page.remove_listener("response", note)


def _overflow(page: Page) -> int:
    """By how many pixels the page is wider than the window (0 when it fits)."""
    return int(
        page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")
    )


def _widest_elements(page: Page) -> list[str]:
    """What sticks out of the window, to name the culprit when a page overflows: elements
    inside a box that scrolls or clips are not the page's overflow, so they are left out,
    unless they are positioned and may escape it."""
    return list(
        page.evaluate(
            """() => {
                const clipped = (e) => {
                    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                        if (getComputedStyle(a).overflowX !== "visible") return true;
                    }
                    return false;
                };
                return [...document.querySelectorAll("body *")]
                    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .filter((e) => !clipped(e) || getComputedStyle(e).position !== "static")
                    .slice(0, 5)
                    .map((e) => `${e.tagName.toLowerCase()}.${e.className}#${e.id} `
                        + `(${Math.round(e.getBoundingClientRect().right)} px)`);
            }"""
        )
    )


def _log_in(page: Page, base: str, username: str, viewport: ViewportSize) -> None:
    # The login step expects the "Inbox" link in view, as at a desktop's width.
    page.set_viewport_size(DESKTOP)
    log_in(page, base, username)
    page.set_viewport_size(viewport)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_daily_page_is_wider_than_the_window(
    seeded_live_server,
    bulgarian_request: Exchange,
    failed_responses: list[str],
    page: Page,
    output_path: Path,
    viewport: ViewportSize,
) -> None:
    base = seeded_live_server.url
    _log_in(page, base, "lo.ro", viewport)
    pages = {**DAILY_PAGES, "thread": f"/exchanges/{bulgarian_request.reference}/"}
    too_wide: dict[str, list[str]] = {}
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        if name == "thread":
            give_purpose(page, PURPOSE)
        page.wait_for_load_state("networkidle")
        if _overflow(page):
            too_wide[name] = _widest_elements(page)
        if viewport == PHONE and name in SCREENSHOTS:
            save_last_page(page, output_path, f"phone-{name}")

    # The statistics are the analyst's page.
    _log_in(page, base, "analyst", viewport)
    page.goto(f"{base}/analytics/")
    expect(page.locator("canvas[data-chart]").first).to_be_visible()
    if _overflow(page):
        too_wide["statistics"] = _widest_elements(page)

    assert too_wide == {}, too_wide
    assert failed_responses == []


def test_at_phone_width_the_menu_folds_behind_a_button_the_keyboard_opens(
    seeded_live_server, page: Page
) -> None:
    base = seeded_live_server.url
    _log_in(page, base, "lo.ro", PHONE)
    menu = page.get_by_role("button", name="Menu")
    inbox = page.get_by_role("link", name="Inbox", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(inbox).to_be_hidden()

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(inbox).to_be_visible()
    # The drop-downs open in place, inside the window.
    page.locator("header summary", has_text="Directory").click()
    expect(page.get_by_role("link", name="Task forces", exact=True)).to_be_visible()
    assert _overflow(page) == 0

    page.locator("header summary", has_text="Directory").click()  # folds the drop-down again

    # Escape from within the menu folds it and gives the focus back to its button.
    inbox.focus()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(inbox).to_be_hidden()

    page.keyboard.press("Space")
    inbox.click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    # A new page starts with the menu folded again.
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_at_desktop_width_the_menu_is_shown_and_its_button_is_not(
    seeded_live_server, page: Page
) -> None:
    _log_in(page, seeded_live_server.url, "lo.ro", DESKTOP)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="New exchange")).to_be_visible()


def test_the_favicon_is_linked_from_every_page_and_answered_at_favicon_ico(
    seeded_live_server, page: Page
) -> None:
    base = seeded_live_server.url
    page.goto(f"{base}/account/login/")  # a page that every visitor, signed in or not, sees
    icon = page.locator("link[rel=icon]")
    expect(icon).to_have_attribute("type", "image/svg+xml")
    linked = page.request.get(icon.evaluate("(link) => link.href"))
    assert linked.status == 200
    assert linked.headers["content-type"].startswith("image/svg+xml")

    # Browsers ask for /favicon.ico of their own accord; the answer leads to the same file.
    conventional = page.request.get(f"{base}/favicon.ico")
    assert conventional.status == 200
    assert "/static/favicon" in conventional.url
    assert conventional.body() == linked.body()
