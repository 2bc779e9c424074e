"""The daily pages pass axe-core's accessibility check in a real Chromium: no violation of
impact "serious" or "critical" (missing labels, text without enough contrast, a landmark or an
ARIA attribute used wrongly...).

axe-core is vendored under ``static/vendor/axe/`` and injected by the test only: the pages
never load it. Every rule axe runs by default is checked; none is switched off."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from exchanges.models import Exchange
from partners.models import Officer
from tests.browser.journeys import give_purpose, log_in
from tests.exchanges.scenario import send

pytestmark = pytest.mark.browser

# Loaded from the live server's own static files: the pages' Content Security Policy allows
# scripts from 'self' only, and an inline copy of the file would be refused.
AXE = "/static/vendor/axe/axe.min.js"
# What a person using a screen reader or a keyboard cannot get past; "moderate" and "minor"
# findings are advice, not barriers.
BLOCKING = {"serious", "critical"}
# The pages a liaison officer of Romania opens every day; the thread comes from the fixture.
DAILY_PAGES = {
    "dashboard": "/",
    "inbox": "/exchanges/",
    "compose": "/exchanges/new/",
    "hits-search": "/hits/search/",
    "account": "/account/",
    "notifications": "/notifications/",
}
PHONE = ViewportSize(width=390, height=844)
PURPOSE = "Follow-up of the Constanța container for the Romanian Police"


@pytest.fixture
def bulgarian_request(seeded_live_server) -> Exchange:
    """A request from Bulgaria to the Romanian Police naming a person: it fills the inbox, and
    its thread asks the Romanian officer why they open it."""
    return send(Officer.objects.get(username="lo.bg"), "Romanian Police", personal=True)


def blocking_violations(page: Page, base: str) -> list[str]:
    """Run axe-core on the page as it stands and describe each serious or critical violation:
    its rule, what it asks for and the selectors of the elements at fault."""
    page.add_script_tag(url=f"{base}{AXE}")
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
        if violation["impact"] in BLOCKING
    ]


def test_the_liaison_officers_daily_pages_have_no_serious_accessibility_violation(
    seeded_live_server, bulgarian_request: Exchange, page: Page
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "lo.ro")
    pages = {**DAILY_PAGES, "thread": f"/exchanges/{bulgarian_request.reference}/"}
    found: dict[str, list[str]] = {}
    for name, path in pages.items():
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        if name == "thread":
            # The thread first asks why one opens it; both that question and the thread count.
            if violations := blocking_violations(page, base):
                found["thread-purpose"] = violations
            give_purpose(page, PURPOSE)
            page.wait_for_load_state("networkidle")
        if violations := blocking_violations(page, base):
            found[name] = violations

    assert found == {}, "\n".join(f"{name}: {v}" for name, vs in found.items() for v in vs)


def test_at_phone_width_the_unfolded_menu_has_no_serious_accessibility_violation(
    seeded_live_server, page: Page
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "lo.ro")
    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Menu").click()
    # axe skips what is hidden: the menu's entries are checked once they show.
    expect(page.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    assert blocking_violations(page, base) == []


def test_the_login_page_has_no_serious_accessibility_violation(
    seeded_live_server, page: Page
) -> None:
    base = seeded_live_server.url
    page.goto(f"{base}/account/login/")
    assert blocking_violations(page, base) == []


def test_the_analysts_statistics_page_has_no_serious_accessibility_violation(
    seeded_live_server, page: Page
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "analyst")
    page.goto(f"{base}/analytics/")
    page.wait_for_load_state("networkidle")
    assert blocking_violations(page, base) == []
