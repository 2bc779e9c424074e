"""Steps the browser journeys share: logging in as a persona, saying why one opens a thread,
saving the last page."""

from __future__ import annotations

from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from partners.models import Officer
from selec.demo import current_totp, demo_password
from tests.helpers import totp_now

# A minimal, valid one-page PDF: what an officer would attach.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def log_in(page: Page, base_url: str, username: str) -> None:
    """Log in with password and TOTP, starting from a fresh session."""
    page.set_default_timeout(10_000)
    page.context.clear_cookies()
    page.goto(f"{base_url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password())
    page.get_by_role("button", name="Next").click()
    officer = Officer.objects.get(username=username)
    # A journey logs the same persona in twice within one 30-second TOTP step, and django-otp
    # rightly refuses a code used before; forget the last use, as the next step would.
    TOTPDevice.objects.filter(user=officer).update(last_t=-1)
    page.get_by_label("Token").fill(current_totp(officer))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("link", name="Inbox")).to_be_visible()


def give_purpose(page: Page, purpose: str) -> None:
    """Say why one opens the thread, as its page asks at the first visit, and wait for it."""
    page.get_by_label("Why do you open this thread?").fill(purpose)
    page.get_by_role("button", name="Record my purpose and open the thread").click()
    expect(page.get_by_text("Your purpose is recorded").first).to_be_visible()


def save_last_page(page: Page, output_path: str | Path, name: str) -> Path:
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def recipient_box(page: Page, agency: str) -> Locator:
    """The box of one agency in the compose page's recipient picker."""
    picker = page.get_by_role("group", name="Recipients", exact=True)
    return picker.get_by_role("checkbox", name=agency, exact=True)


def choose_recipients(page: Page, *agencies: str) -> None:
    """Tick the agencies' boxes in the compose page's recipient picker."""
    for agency in agencies:
        recipient_box(page, agency).check()


def choose_in_menu(page: Page, menu: str, item: str) -> None:
    """Open one of the main menu's drop-downs ("Records", "Data protection"...) and follow one
    of its entries, as an officer does: the entry is looked for in that drop-down only."""
    dropdown = page.locator("header details.dropdown").filter(
        has=page.locator("summary", has_text=menu)
    )
    dropdown.locator("summary").click()
    dropdown.get_by_role("link", name=item, exact=True).click()


def log_in_as_new_officer(
    page: Page, base_url: str, username: str, password: str, totp_secret: str
) -> None:
    """Log in as an officer who is not a demo persona: with the password they chose and a code
    of the authenticator key (base32) they enrolled."""
    page.set_default_timeout(10_000)
    page.goto(f"{base_url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Next").click()
    # The enrolment spent this 30-second step's code, and django-otp rightly refuses a code
    # used before; forget the last use, as the next step would.
    TOTPDevice.objects.filter(user__username=username).update(last_t=-1)
    page.get_by_label("Token").fill(totp_now(totp_secret))
    page.get_by_role("button", name="Next").click()
