"""The compose page's recipient picker in a real Chromium, at a phone's width: a filter typed,
two agencies of two parties ticked with the keyboard alone, the "Who will see this" panel naming
them above the Send button, and the exchange reaching both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, ViewportSize, expect

from exchanges.models import Exchange
from partners.models import Agency
from tests.browser.journeys import log_in, recipient_box, save_last_page

pytestmark = pytest.mark.browser

PHONE = ViewportSize(width=390, height=844)


def test_two_agencies_of_two_parties_are_picked_with_the_keyboard_and_receive_the_exchange(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    refusals: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(message.text)

    page.on("console", note_refusal)
    base = seeded_live_server.url
    log_in(page, base, "lo.ro")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/exchanges/new/")
    page.get_by_label("Information", exact=True).check()

    search = page.get_by_label("Filter agencies")
    search.fill("bulgarian police")
    expect(page.get_by_text("1 of ")).to_be_visible()
    expect(recipient_box(page, "Hellenic Police")).to_be_hidden()
    # Enter goes to the agencies shown, it does not send the form.
    search.press("Enter")
    expect(recipient_box(page, "Bulgarian Police")).to_be_focused()
    page.keyboard.press("Space")
    expect(recipient_box(page, "Bulgarian Police")).to_be_checked()

    # Back to the filter with the up arrow; accents do not matter ("Türkiye").
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("turkiye")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(recipient_box(page, "Turkish Customs")).to_be_focused()
    page.keyboard.press("Space")
    expect(recipient_box(page, "Turkish Customs")).to_be_checked()
    # The filter hides Bulgarian Police now; its box stays ticked.
    expect(recipient_box(page, "Bulgarian Police")).to_be_hidden()
    expect(page.locator('input[name="recipients"]:checked')).to_have_count(2)
    search.fill("no such agency")
    expect(page.get_by_text("No agency matches the filter.")).to_be_visible()
    search.press("Escape")
    expect(search).to_have_value("")
    expect(recipient_box(page, "Hellenic Police")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/exchanges/new/$"))

    panel = page.locator("#audience-panel")
    expect(panel.get_by_text("Bulgarian Police", exact=True)).to_be_visible()
    expect(panel.get_by_text("Turkish Customs", exact=True)).to_be_visible()
    send = page.get_by_role("button", name="Send")
    panel_box, send_box = panel.bounding_box(), send.bounding_box()
    assert panel_box is not None
    assert send_box is not None
    assert panel_box["y"] + panel_box["height"] <= send_box["y"]
    save_last_page(page, output_path, "recipient-picker-compose")

    page.get_by_label("Crime area").select_option(label="Drug trafficking")
    page.get_by_label("Subject").fill("Cigarettes hidden in a timber load")
    page.get_by_label("Body").fill("Two trucks crossed at Kapitan Andreevo on Monday.")
    send.click()
    expect(page).to_have_url(re.compile(r"/exchanges/SELEC-\d{4}-\d{6}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    exchange = Exchange.objects.get(reference=reference)
    reached = set(exchange.recipients.values_list("agency__name", flat=True))
    assert reached == {"Bulgarian Police", "Turkish Customs"}
    assert Agency.objects.filter(name__in=reached).values("party").distinct().count() == 2
    save_last_page(page, output_path, "recipient-picker")
    assert refusals == []
