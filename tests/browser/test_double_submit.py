"""Send clicked twice, in a real Chromium: both submissions reach the server, one exchange is
filed, and the officer lands on its thread.

Chromium itself drops the second of two clicks made before the first request leaves. The
double submission that files twice is the one the officer makes when the first answer is slow:
the first request has reached the server, its answer has not come back, they click again. The
test holds the first answer back (Playwright's routing sends the request and keeps the answer)
and clicks again.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import APIResponse, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from exchanges.models import Exchange
from partners.models import Officer
from tests.browser.journeys import choose_recipients, log_in, save_last_page

pytestmark = pytest.mark.browser

COMPOSE = re.compile(r"/exchanges/new/$")
KEY = re.compile(r'name="idempotency_key"\r\n\r\n([^\r]+)')


def test_send_clicked_again_while_the_first_answer_is_slow_files_one_exchange(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "lo.ro")
    page.goto(f"{base}/exchanges/new/")
    page.get_by_label("Information", exact=True).check()
    choose_recipients(page, "Bulgarian Police")
    page.get_by_label("Crime area").select_option(label="Drug trafficking")
    page.get_by_label("Subject").fill("Cigarettes hidden in a timber load")
    page.get_by_label("Body").fill("Two trucks crossed at Vidin on Monday.")
    held: list[APIResponse] = []
    held_routes: list[Route] = []
    keys: list[str] = []

    def slow_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.extend(KEY.findall(route.request.post_data or ""))
        if held:
            route.continue_()
        else:
            held.append(route.fetch(max_redirects=0))  # done by the server, not yet answered
            held_routes.append(route)

    page.route(COMPOSE, slow_first_answer)
    send = page.get_by_role("button", name="Send")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    assert box is not None
    # The mouse itself, as the officer clicks: a locator's click would wait for the navigation,
    # whose answer is the one held back.
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(*middle)
    while not held:
        page.wait_for_timeout(50)
    assert held[0].status == 302
    officer = Officer.objects.get(username="lo.ro")
    assert Exchange.objects.filter(author=officer).count() == 1

    page.mouse.click(*middle)

    expect(page).to_have_url(re.compile(r"/exchanges/SELEC-\d{4}-\d{6}/$"))
    expect(page.get_by_text("Cigarettes hidden in a timber load").first).to_be_visible()
    save_last_page(page, output_path, "send-clicked-twice")
    # Two submissions of the one rendered form, so under one key, and one exchange: the page's.
    assert len(keys) == 2
    assert len(set(keys)) == 1
    (exchange,) = Exchange.objects.filter(author=officer)
    assert page.url.endswith(f"/exchanges/{exchange.reference}/")
    assert held[0].headers["location"] == f"/exchanges/{exchange.reference}/"
    # The held answer is never delivered: the browser left that request for the second. Its
    # route is ended, or Playwright's pending handler outlives the page and is reported later.
    for route in held_routes:
        with contextlib.suppress(PlaywrightError):
            route.abort()
    page.unroute_all(behavior="wait")
