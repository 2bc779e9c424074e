"""The data protection officer's journey, in a real Chromium: one access report and one erasure.

Romanian Police send Bulgarian Police an exchange naming a person in Cyrillic; Bulgarian Police
read it, saying why. The DPO finds that consultation, with its purpose, in the exchange's access
report, and again from the person's name typed in Latin letters; records the person's request
for erasure and forwards it; the provider erases the exchange from its queue and answers; the
DPO sees the request answered and the erasure in the report, and the recipient the content gone.
Only the first message is sent through the services: everything after it is done in the pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from partners.models import Officer
from tests.browser.journeys import choose_in_menu, give_purpose, log_in, save_last_page
from tests.exchanges.scenario import A_PERSON_NAMES, send

pytestmark = pytest.mark.browser

# The person of the exchange (scenario.A_PERSON: "Ђорђе Ђорђевић"), as the DPO types them.
LATIN_NAMES = "Djordje Djordjevic"
DATE_OF_BIRTH = "1980-04-12"
BODY = "The courier Ђорђе Ђорђевић crosses at Calafat with forged invoices on Friday."
PURPOSE = "Calafat bridge smuggling inquiry 44/2026"
ERASURE_REASON = "The person's erasure request was upheld: the suspicion was cleared."


def _report_row(page: Page, event: str, username: str) -> Locator:
    """The rows of the access report shown for one event name done by one officer."""
    return page.locator("#access-report tbody tr").filter(has_text=event).filter(has_text=username)


def _dpo_reads_the_access_report(page: Page, reference: str) -> None:
    choose_in_menu(page, "Data protection", "Audit log")
    page.get_by_role("link", name="Access report of one exchange or case").click()
    page.get_by_label("Reference of an exchange or a case").fill(reference)
    page.get_by_role("button", name="Show its access report").click()
    expect(page.get_by_role("heading", name=f"Access report of {reference}")).to_be_visible()
    consultation = _report_row(page, "exchange.consulted", "lo.bg")
    expect(consultation.first).to_be_visible()
    expect(consultation.first).to_contain_text(PURPOSE)


def _dpo_asks_who_saw_the_person(page: Page, reference: str) -> None:
    choose_in_menu(page, "Data protection", "Who saw a person")
    page.get_by_label("Names", exact=True).fill(LATIN_NAMES)
    page.get_by_label("Date of birth").fill(DATE_OF_BIRTH)
    page.get_by_role("button", name="Show its access report").click()
    expect(page.get_by_role("heading", name="Access report of an entity")).to_be_visible()
    expect(page.locator("#entity-found").get_by_role("link", name=reference)).to_be_visible()
    consultation = _report_row(page, "exchange.consulted", "lo.bg").filter(has_text=reference)
    expect(consultation.first).to_contain_text(PURPOSE)
    expect(page.get_by_text(LATIN_NAMES)).to_have_count(0)


def _dpo_records_an_erasure_request(page: Page, reference: str) -> str:
    """Search the person, check what is shown of the exchange, forward the request; its
    reference (DSR-YYYY-NNNN)."""
    choose_in_menu(page, "Data protection", "Data subject requests")
    # A link drawn as a button (role="button"): that is its role for the browser too.
    page.get_by_role("button", name="Search a person and record a request").click()
    page.get_by_label("Names").fill(LATIN_NAMES)
    page.get_by_label("Date of birth").fill(DATE_OF_BIRTH)
    page.get_by_role("button", name="Search").click()
    match = page.locator(f"#match-{reference}")
    expect(match).to_contain_text("Romanian Police")
    expect(match).to_contain_text("Held")
    # Its reference opens its access report (not followed here: the journey read it already).
    expect(match.get_by_role("link", name=reference)).to_have_attribute(
        "href", f"/dpo/access/{reference}/"
    )
    expect(page.get_by_text("Calafat")).to_have_count(0)
    expect(page.get_by_text(A_PERSON_NAMES)).to_have_count(0)
    page.get_by_label("Erasure", exact=True).check()
    page.get_by_label("How the request came in").fill("Letter of the person's lawyer, 3 March")
    page.get_by_role("button", name="Record and forward").click()
    heading = page.get_by_role("heading", name=re.compile(r"Data subject request DSR-\d{4}-\d+"))
    expect(heading).to_be_visible()
    expect(page.get_by_text("recorded and forwarded to the providers").first).to_be_visible()
    expect(page.locator("#subject-items")).to_contain_text(reference)
    found = re.search(r"DSR-\d{4}-\d+", heading.inner_text())
    assert found is not None
    return found.group(0)


def _provider_erases_and_answers(page: Page, request_reference: str, reference: str) -> None:
    choose_in_menu(page, "Records", "Data subject requests")
    page.get_by_role("link", name=request_reference).click()
    page.get_by_role("link", name="Erase this exchange").click()
    expect(page.get_by_text("This is a dry run: nothing has been removed yet.")).to_be_visible()
    expect(page.get_by_role("list", name="Who is told")).to_contain_text("Bulgarian Police")
    page.get_by_label("Why the content is no longer needed").fill(ERASURE_REASON)
    page.get_by_label("I understand that the erasure cannot be undone.").check()
    page.get_by_role("button", name=f"Erase {reference} now").click()
    expect(page.get_by_role("heading", name=f"{reference} is erased")).to_be_visible()
    expect(page.get_by_text(f"The content of {reference} is erased.")).to_be_visible()

    # The erasure page leads back to the request's item, where the decision is recorded.
    page.get_by_role("link", name="Back to the data subject request").click()
    expect(page.get_by_role("heading", name=re.compile(request_reference))).to_be_visible()
    page.get_by_label("Erased", exact=True).check()
    page.get_by_role("button", name="Send the answer to the DPO").click()
    expect(page.get_by_text(f"Your answer on {reference} for {request_reference}")).to_be_visible()
    expect(
        page.locator("#subject-queue tbody tr").filter(has_text=request_reference)
    ).to_contain_text("Erased")


def _dpo_sees_the_answer_and_the_erasure(
    page: Page, request_reference: str, reference: str
) -> None:
    choose_in_menu(page, "Data protection", "Data subject requests")
    row = page.locator("#subject-requests tbody tr").filter(has_text=request_reference)
    expect(row).to_contain_text("Answered")
    expect(row).to_contain_text("1 of 1 answered")
    row.get_by_role("link", name=request_reference).click()
    item = page.locator("#subject-items tbody tr").filter(has_text=reference)
    expect(item).to_contain_text("Erased")
    item.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Access report of {reference}")).to_be_visible()
    expect(_report_row(page, "retention.erased", "lo.ro")).to_have_count(1)
    expect(_report_row(page, "exchange.consulted", "lo.bg").first).to_contain_text(PURPOSE)


def test_the_dpo_follows_a_persons_data_from_its_access_report_to_its_erasure(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    exchange = send(
        Officer.objects.get(username="lo.ro"),
        "Bulgarian Police",
        code="H0",
        personal=True,
        subject="Courier crossing at Calafat",
        body=BODY,
    )
    reference = exchange.reference
    thread = f"{base}/exchanges/{reference}/"

    log_in(page, base, "lo.bg")
    page.goto(thread)
    give_purpose(page, PURPOSE)
    expect(page.get_by_text(BODY).first).to_be_visible()

    log_in(page, base, "dpo")
    _dpo_reads_the_access_report(page, reference)
    _dpo_asks_who_saw_the_person(page, reference)
    request_reference = _dpo_records_an_erasure_request(page, reference)

    log_in(page, base, "lo.ro")
    _provider_erases_and_answers(page, request_reference, reference)

    log_in(page, base, "dpo")
    _dpo_sees_the_answer_and_the_erasure(page, request_reference, reference)
    save_last_page(page, output_path, "dpo-journey-report")

    log_in(page, base, "lo.bg")
    page.goto(thread)
    expect(page.get_by_text("The provider erased this exchange's content").first).to_be_visible()
    expect(page.get_by_text("forged invoices")).to_have_count(0)
    save_last_page(page, output_path, "dpo-journey-thread")
