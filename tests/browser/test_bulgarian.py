# ruff: noqa: RUF001 - the page is in Bulgarian: its Cyrillic letters are meant.
"""A Bulgarian-speaking officer's day in a real Chromium: the login page follows the browser's
language, and once signed in the officer's own choice; they file an exchange and read one, and
every word on those pages is Bulgarian but the proper names (agencies, parties, people), the
references and codes, and the product's name.

Screenshots of the pages are saved in the test's output folder (``test-results/``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from exchanges.models import Exchange
from partners.models import Agency, Officer, Party
from selec.demo import current_totp, demo_password
from taskforces.models import CrimeArea
from tests.browser.journeys import save_last_page
from tests.exchanges.scenario import send

pytestmark = pytest.mark.browser

# What stays in Latin letters on a Bulgarian page besides the names the database holds: the
# product's name, time zones' abbreviations, the
# keys as keyboards print them, the file and unit names an officer types.
ALLOWED = {
    "SELEC",
    "Exchange",
    "TOTP",
    "UTC",
    "EET",
    "EEST",
    "CET",
    "CEST",
    "Escape",
    "Tab",
    "PDF",
    "KB",
    "MB",
    "API",
    "ISO",
    "IBAN",
    "VIN",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def _proper_names() -> set[str]:
    """Every word of the names a page may show as the directory wrote them."""
    names = [
        *Agency.objects.values_list("name", flat=True),
        *Party.objects.values_list("name", flat=True),
        *Officer.objects.values_list("first_name", flat=True),
        *Officer.objects.values_list("last_name", flat=True),
        *Officer.objects.values_list("username", flat=True),
        *Party.objects.values_list("code", flat=True),
    ]
    return {word for name in names for word in LATIN_WORD.findall(name)}


def _english_words(page: Page, *, besides: set[str]) -> list[str]:
    text = page.locator("body").inner_text()
    text = re.sub(r"SELEC-\d{4}-\d{6}", "", text)  # references
    text = re.sub(r"\S+@\S+", "", text)  # e-mail addresses
    return sorted(
        {
            word
            for word in LATIN_WORD.findall(text)
            if word not in ALLOWED and word not in besides and not re.fullmatch(r"H[0-3]", word)
        }
    )


def _log_in(page: Page, base: str, officer: Officer, *, names: set[str]) -> None:
    page.goto(f"{base}/account/login/")
    assert _english_words(page, besides=names) == []
    page.locator("input[name='auth-username']").fill(officer.username)
    page.locator("input[name='auth-password']").fill(demo_password())
    page.locator("form button[type='submit']").last.click()
    expect(page.locator("input[name='token-otp_token']")).to_be_visible()
    assert _english_words(page, besides=names) == []
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    page.locator("input[name='token-otp_token']").fill(current_totp(officer))
    page.locator("form button[type='submit']").last.click()
    expect(page.get_by_role("link", name="Входящи", exact=True)).to_be_visible()


@pytest.fixture
def bulgarian_page(browser: Browser, seeded_live_server) -> Page:
    context = browser.new_context(locale="bg-BG", base_url=seeded_live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_a_bulgarian_officer_files_and_reads_exchanges_in_bulgarian(
    seeded_live_server, bulgarian_page: Page, output_path: Path
) -> None:
    page, base = bulgarian_page, seeded_live_server.url
    officer = Officer.objects.get(username="lo.bg")
    Officer.objects.filter(pk=officer.pk).update(language="bg")
    # What the Romanian officer wrote is content, shown as written: its words are allowed.
    received = send(
        Officer.objects.get(username="lo.ro"),
        "Bulgarian Police",
        personal=True,
        subject="Cocaine shipment via Constanța",
        body="Container expected on 3 December.",
    )
    # So is its attachment's name, and its type as the file declares it (text/plain).
    attachment = received.attachments.get()
    written = f"{received.subject} {received.body} {attachment.filename} {attachment.content_type}"
    names = _proper_names() | set(LATIN_WORD.findall(written))

    # Before signing in, the page speaks the browser's language.
    page.goto(f"{base}/account/login/")
    expect(page.locator("html")).to_have_attribute("lang", "bg")
    _log_in(page, base, officer, names=names)
    for path in ("/", "/exchanges/", "/exchanges/new/"):
        page.goto(f"{base}{path}")
        english = _english_words(page, besides=names)
        assert english == [], (path, english)

    # File a request to the Romanian Police.
    page.get_by_label("Искане за съдействие").check()
    page.get_by_role("checkbox", name="Romanian Police", exact=True).check()
    page.locator("select[name='crime_area']").select_option(
        value=str(CrimeArea.objects.get(code="drugs").pk)
    )
    page.locator("input[name='subject']").fill("Хероин през Капитан Андреево")
    page.locator("textarea[name='body']").fill("Камион с 40 кг хероин се очаква на 3 декември.")
    page.locator("button[type='submit'][form='compose-form']").click()
    filed = Exchange.objects.filter(sender_agency__name="Bulgarian Police").latest("pk")
    expect(page).to_have_url(re.compile(rf"/exchanges/{filed.reference}/"))
    assert _english_words(page, besides=names) == []

    # Read what the Romanian Police sent: the purpose first, then the content.
    page.goto(f"{base}/exchanges/{received.reference}/")
    assert _english_words(page, besides=names) == []
    page.locator("textarea[name='purpose']").fill("Проверка по преписка 12/2026")
    page.locator(
        "form.purpose button[type='submit'], form:has(textarea[name='purpose']) button"
    ).first.click()
    expect(page.locator(".message-body").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert _english_words(page, besides=names) == []
    save_last_page(page, output_path, "bulgarian-thread")
