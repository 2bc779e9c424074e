from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from partners.models import Officer
from selec.demo import current_totp, demo_password

pytestmark = pytest.mark.browser


def test_an_officer_logs_in_with_password_and_totp_and_sees_their_posting(
    seeded_live_server, page: Page
) -> None:
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{seeded_live_server.url}/directory/parties/")
    expect(page).to_have_url(f"{seeded_live_server.url}/account/login/?next=/directory/parties/")

    page.get_by_label("Username").fill("lo.ro")
    page.get_by_label("Password").fill(demo_password())
    page.get_by_role("button", name="Next").click()

    token_field = page.get_by_label("Token")
    expect(token_field).to_be_visible()
    token_field.fill(current_totp(Officer.objects.get(username="lo.ro")))
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Parties", exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Romania")).to_contain_text("Member state")
    page.get_by_role("link", name="SELEC Exchange").click()
    expect(page.get_by_role("heading", name="Welcome, Andrei Popescu")).to_be_visible()
    expect(page.get_by_text("Romanian Police", exact=True)).to_be_visible()
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_a_wrong_password_keeps_the_officer_out(seeded_live_server, page: Page) -> None:
    page.goto(f"{seeded_live_server.url}/account/login/")
    page.get_by_label("Username").fill("lo.ro")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    page.goto(f"{seeded_live_server.url}/")
    expect(page).to_have_url(f"{seeded_live_server.url}/account/login/?next=/")
