"""The four journeys of liaison officers and national focal points, in a real Chromium.

Each journey logs in with password and TOTP as the demo personas do, and saves a screenshot of
its last page in the test's output folder (pytest-playwright's ``--output``, default
``test-results/``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from exchanges.models import Exchange, Recipient
from partners.models import Officer
from tests.browser.journeys import (
    MINIMAL_PDF,
    choose_recipients,
    give_purpose,
    log_in,
    save_last_page,
)
from tests.exchanges.scenario import send

pytestmark = pytest.mark.browser


def _reveal_every_message(page: Page) -> None:
    """Scroll through the thread: each message's content loads as it comes into view."""
    for section in page.locator("section.message-content[hx-get]").all():
        section.scroll_into_view_if_needed()
        page.mouse.wheel(0, 200)  # a real scroll: what wakes the content up
    page.wait_for_load_state("networkidle")


def _thread(base: str, exchange: Exchange | str) -> str:
    reference = exchange if isinstance(exchange, str) else exchange.reference
    return f"{base}/exchanges/{reference}/"


def test_journey_1_an_urgent_h2_request_is_read_acknowledged_and_answered(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "lo.ro")
    page.get_by_role("link", name="New exchange").click()
    page.get_by_label("Request for assistance").check()
    choose_recipients(page, "Bulgarian Police", "Turkish Customs")
    page.get_by_label("Crime area").select_option(label="Drug trafficking")
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_label("Subject").fill("Heroin consignment through Kapitan Andreevo")
    page.get_by_label("Body").fill("A lorry with 40 kg of heroin is expected on 3 December.")
    page.get_by_label(re.compile("H2: not to be disseminated")).check()
    page.get_by_label("Contains personal data").check()
    page.get_by_label("Source reliability").select_option("B")
    page.get_by_label("Information accuracy").select_option("2")
    page.locator("summary", has_text="People").click()
    page.get_by_label("Names").first.fill("Ђорђе Ђорђевић")
    page.locator("input[type=file][name=attachments]").set_input_files(
        files=[
            FilePayload(name="seizure-report.pdf", mimeType="application/pdf", buffer=MINIMAL_PDF)
        ]
    )
    expect(page.get_by_text("National Focal Point of Bulgaria").first).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/exchanges/SELEC-\d{4}-\d{6}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[1]

    log_in(page, base, "nfp.bg")
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("link", name=reference).first.click()
    expect(page.get_by_text("A lorry with 40 kg of heroin")).to_have_count(0)
    give_purpose(page, "Follow-up of the Kapitan Andreevo crossing for the Bulgarian agencies")
    expect(page.get_by_text("A lorry with 40 kg of heroin").first).to_be_visible()
    page.get_by_role("button", name="Acknowledge receipt").first.click()
    expect(page.get_by_text("acknowledged").first).to_be_visible()

    log_in(page, base, "lo.bg")
    page.goto(_thread(base, reference))
    give_purpose(page, "Border police inquiry 17/2026")
    page.get_by_role("button", name="Reply", exact=True).first.click()
    page.get_by_label("Message").fill("The lorry was stopped at the border; driver arrested.")
    page.get_by_label("Source reliability").select_option("A")
    page.get_by_label("Information accuracy").select_option("1")
    page.get_by_role("button", name="Send the reply").click()
    _reveal_every_message(page)
    expect(page.get_by_text("driver arrested").first).to_be_visible()

    log_in(page, base, "lo.ro")
    page.goto(_thread(base, reference))
    _reveal_every_message(page)
    expect(page.get_by_text("driver arrested").first).to_be_visible()
    exchange = Exchange.objects.get(reference=reference)
    bulgaria = Recipient.objects.get(exchange=exchange, agency__name="Bulgarian Police")
    assert bulgaria.acknowledged_at is not None
    assert bulgaria.answered_at is not None
    assert exchange.attachments.get().content_type == "application/pdf"
    save_last_page(page, output_path, "journey-1")


def test_journey_2_forwarding_under_h2_waits_for_the_providers_grant(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    exchange = send(
        Officer.objects.get(username="lo.ro"),
        "Bulgarian Police",
        "Turkish Customs",
        code="H2",
        personal=True,
        body="Courier network between Ruse and Thessaloniki.",
    )

    log_in(page, base, "lo.bg")
    page.goto(_thread(base, exchange))
    give_purpose(page, "Courier network inquiry 8/2026")
    # Under H2, Forward is not offered as a live button: the reason, and the way to ask.
    forward = page.get_by_role("button", name="Forward", exact=True).first
    expect(forward).to_have_attribute("aria-disabled", "true")
    expect(
        page.get_by_text(
            "H2: the provider has not allowed this exchange to be shared further"
        ).first
    ).to_be_visible()
    page.get_by_role("link", name="Ask the provider", exact=True).first.click()
    page.get_by_label(re.compile("Share", re.IGNORECASE)).first.check()
    page.get_by_label("Agencies to share with").select_option(label=["Hellenic Police"])
    page.get_by_label("Intended use").fill("Joint investigation with the Hellenic Police")
    page.get_by_label("Justification").fill("The courier lives in Thessaloniki.")
    page.get_by_role("button", name="Send the request to the provider").click()

    log_in(page, base, "lo.ro")
    page.get_by_role("link", name="Dissemination").click()
    page.get_by_role("button", name="Grant").first.click()

    log_in(page, base, "lo.bg")
    page.goto(_thread(base, exchange))
    page.get_by_role("button", name="Forward", exact=True).first.click()
    page.get_by_label("Forward to").select_option(label=["Hellenic Police"])
    page.get_by_label("Why these agencies need it").fill("Granted by the provider.")
    page.get_by_role("button", name="Forward").click()

    log_in(page, base, "lo.gr")
    page.goto(_thread(base, exchange))
    give_purpose(page, "Forwarded by the Bulgarian Police: the Thessaloniki courier")
    expect(page.get_by_text("Courier network between Ruse and Thessaloniki.").first).to_be_visible()

    log_in(page, base, "lo.al")
    response = page.goto(_thread(base, exchange))
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text("Courier network")).to_have_count(0)
    save_last_page(page, output_path, "journey-2")


def test_journey_3_personal_data_never_reaches_an_observer(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    before = Exchange.objects.count()
    log_in(page, base, "lo.ro")
    page.get_by_role("link", name="New exchange").click()
    page.get_by_label("Information", exact=True).check()
    choose_recipients(page, "Police of Austria")
    page.get_by_label("Crime area").select_option(label="Trafficking in human beings")
    page.get_by_label("Subject").fill("Victims recruited through a modelling agency")
    page.get_by_label("Body").fill("Names of the recruiters in the attached list.")
    page.get_by_label("Contains personal data").check()
    page.get_by_label("Source reliability").select_option("B")
    page.get_by_label("Information accuracy").select_option("3")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("observer").first).to_be_visible()
    expect(page.get_by_text("Police of Austria (AT)").first).to_be_visible()
    assert Exchange.objects.count() == before

    page.get_by_label("Contains personal data").uncheck()
    page.get_by_label("Source reliability").select_option("")
    page.get_by_label("Information accuracy").select_option("")
    page.get_by_label("Body").fill(
        "Trend: recruitment through fake modelling agencies is rising in the region."
    )
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/exchanges/SELEC-\d{4}-\d{6}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    assert Exchange.objects.count() == before + 1

    log_in(page, base, "obs.at")
    page.goto(_thread(base, reference))
    give_purpose(page, "Regional trend analysis for the Austrian police")
    expect(page.get_by_text("fake modelling agencies").first).to_be_visible()
    save_last_page(page, output_path, "journey-3")


def test_journey_4_the_purpose_then_the_h3_text_come_before_the_content(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    exchange = send(
        Officer.objects.get(username="lo.ro"),
        "Bulgarian Police",
        code="H3",
        body="Surveillance of the garage in Pleven starts on Monday.",
    )
    log_in(page, base, "lo.bg")
    page.goto(_thread(base, exchange))
    # First why the thread is opened (a blank answer is refused with its reason), then the H3.
    page.get_by_role("button", name="Record my purpose and open the thread").click()
    expect(page.get_by_text("Say why you open this thread.").first).to_be_visible()
    expect(page.get_by_text(exchange.restriction_text)).to_have_count(0)
    give_purpose(page, "Pleven garage surveillance, case 21/2026")
    expect(page.get_by_text(exchange.restriction_text).first).to_be_visible()
    expect(page.get_by_text("Surveillance of the garage")).to_have_count(0)
    page.get_by_role("button", name="I have read and will respect this restriction").click()
    expect(
        page.get_by_text("Surveillance of the garage in Pleven starts on Monday.").first
    ).to_be_visible()
    save_last_page(page, output_path, "journey-4")
