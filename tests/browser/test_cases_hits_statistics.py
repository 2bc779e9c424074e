"""The pages of cases, hits and statistics in a real Chromium, where their scripts and links
matter: seizure lines added in the page, a hit's "Request details" link prefilling a request,
and the statistics charts drawn under the strict content security policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import ConsoleMessage, Page, expect

from cases.models import Seizure
from partners.models import Officer, Party
from tests.browser.journeys import log_in, recipient_box, save_last_page
from tests.cases.scenario import open_case
from tests.hits.scenario import a_hit

pytestmark = pytest.mark.browser


def test_the_lead_adds_a_seizure_line_in_the_page_and_the_case_totals_each_item(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    case = open_case(Officer.objects.get(username="lo.ro"), "Bulgarian Police", name="Danube")
    log_in(page, base, "lo.ro")
    page.goto(f"{base}/cases/{case.reference}/results/new/")
    page.locator("select[name=party]").select_option(str(Party.objects.get(code="BG").pk))
    page.locator("input[name=reported_on]").fill("2026-03-20")
    page.locator("input[name=persons_arrested]").fill("4")
    lines = [("heroin", "12.5", "kg"), ("amphetamines", "3000", "tablets"), ("heroin", "7.5", "kg")]
    # The form renders two blank lines; the third comes from the button.
    page.get_by_role("button", name="Add a seizure line").click()
    for index, (item, quantity, unit) in enumerate(lines):
        page.locator(f"select[name=seizure-{index}-item]").select_option(item)
        page.locator(f"input[name=seizure-{index}-quantity]").fill(quantity)
        page.locator(f"select[name=seizure-{index}-unit]").select_option(unit)
    page.get_by_role("button", name="Record the results").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/(#results)?$"))
    assert Seizure.objects.filter(result__case=case).count() == 3
    expect(page.get_by_text("Heroin 20 kg", exact=True)).to_be_visible()
    expect(page.get_by_text("Amphetamines 3,000 tablets", exact=True)).to_be_visible()
    save_last_page(page, output_path, "case-results")


def test_request_details_on_a_hit_opens_a_request_to_the_other_provider(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    hit = a_hit(Officer.objects.get(username="lo.ro"), Officer.objects.get(username="lo.bg"))
    theirs = hit.exchange_b if hit.exchange_a.sender_agency.party.code == "RO" else hit.exchange_a
    log_in(page, base, "lo.ro")
    page.get_by_role("link", name="Hits", exact=True).click()
    page.get_by_role("link", name="Request details").click()

    expect(page).to_have_url(re.compile(r"/exchanges/new/\?"))
    expect(recipient_box(page, "Bulgarian Police")).to_be_checked()
    expect(page.locator('input[name="recipients"]:checked')).to_have_count(1)
    expect(page.get_by_label("Subject")).to_have_value(f"Details on hit with {theirs.reference}")
    save_last_page(page, output_path, "hit-request-details")


def test_the_statistics_charts_are_drawn_under_the_content_security_policy(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    call_command("load_demo_history", verbosity=0)
    refusals: list[str] = []

    def note_refusal(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refusals.append(message.text)

    page.on("console", note_refusal)
    log_in(page, seeded_live_server.url, "analyst")
    page.goto(f"{seeded_live_server.url}/analytics/?from=2006&to=2008")

    expect(page.locator("canvas[data-chart]")).to_have_count(2)
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".map((canvas) => Boolean(window.Chart && Chart.getChart(canvas)))"
    )
    assert drawn == [True, True]
    expect(page.get_by_role("cell", name="9196")).to_be_visible()
    assert refusals == []
    save_last_page(page, output_path, "statistics")
