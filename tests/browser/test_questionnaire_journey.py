"""A threat assessment's questionnaire in a real Chromium: the analyst drafts it from the
product's page and sends it; Bulgaria's National Focal Point finds it in the menu and answers;
the analyst reads the answer and takes it into the draft as a section.

Screenshots of the pages are saved in the test's output folder (``test-results/``)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from partners.models import Officer
from products.models import ProductKind
from products.models_questionnaires import Questionnaire
from tests.browser.journeys import log_in, save_last_page
from tests.products.scenario import draft

pytestmark = pytest.mark.browser

ROUTES = "Which routes do the cocaine shipments take into your country?"
ANSWER = "Containers through the port of Burgas, then by road to the north."


def test_the_member_states_answer_a_questionnaire_that_feeds_the_draft(
    page: Page, seeded_live_server, output_path
) -> None:
    base = seeded_live_server.url
    product = draft(
        Officer.objects.get(username="analyst"),
        "Bulgarian Police",
        kind=ProductKind.THREAT_ASSESSMENT,
        title="Cocaine in South-East Europe",
    )

    log_in(page, base, "analyst")
    page.goto(f"{base}/products/{product.reference}/")
    page.get_by_role("button", name="New questionnaire").click()
    deadline = dt.date.today() + dt.timedelta(days=14)
    page.get_by_label("Deadline").fill(deadline.isoformat())
    page.get_by_label("Questions about Drug trafficking").fill(ROUTES)
    page.get_by_role("button", name="Save the questionnaire (not sent yet)").click()
    expect(page.get_by_text(ROUTES)).to_be_visible()
    page.get_by_role("button", name="Send to the member states").click()
    expect(page.get_by_text("Open: answers are taken.")).to_be_visible()
    questionnaire = Questionnaire.objects.get(product=product)

    log_in(page, base, "nfp.bg")
    page.get_by_role("link", name="Questionnaires").click()
    page.get_by_role("link", name=product.reference).first.click()
    expect(page.get_by_role("heading", name="The answers of BG")).to_be_visible()
    page.get_by_label(f"1. {ROUTES}").fill(ANSWER)
    page.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_label(f"1. {ROUTES}")).to_have_value(ANSWER)
    save_last_page(page, output_path, "questionnaire-answered-by-bg")

    log_in(page, base, "analyst")
    page.goto(f"{base}/products/questionnaires/{questionnaire.uuid}/")
    expect(page.get_by_text(ANSWER)).to_be_visible()
    page.get_by_role("button", name="Add every answered question to the draft").click()
    expect(page).to_have_url(f"{base}/products/{product.reference}/")
    expect(page.get_by_role("heading", name=f"Drug trafficking: {ROUTES}")).to_be_visible()
    expect(page.get_by_text(f"BG — {ANSWER}")).to_be_visible()
    save_last_page(page, output_path, "questionnaire-in-the-draft")
