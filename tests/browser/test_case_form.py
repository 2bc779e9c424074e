"""The case form in a real Chromium: each restriction box is drawn beside its own label, and
what the officer ticks by label is what the case stores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case
from tests.browser.journeys import log_in, save_last_page

pytestmark = pytest.mark.browser

PERSONAL_DATA = "Carries personal data"
H1 = "H1: not to be disclosed in judicial proceedings without the lead's permission"
H2 = "H2: not to be disseminated without the lead's permission"

# The name of the checkbox drawn on the same line as, and left of, the text that starts with
# the argument: the box an officer takes for that text's box.
BOX_BESIDE = """(text) => {
  const form = document.querySelector("main form");
  const walker = document.createTreeWalker(form, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.textContent.trim().startsWith(text)) {}
  if (!node) return "no such text";
  const range = document.createRange();
  range.selectNodeContents(node);
  const line = [...range.getClientRects()].find((r) => r.width > 0);
  const middle = line.top + line.height / 2;
  const beside = [...form.querySelectorAll("input[type=checkbox]")]
    .map((box) => [box, box.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.top <= middle && middle <= r.bottom && r.right <= line.left)
    .sort(([, a], [, b]) => b.right - a.right);
  return beside.length ? beside[0][0].name : null;
}"""


def test_the_officer_ticks_each_restriction_by_its_label_and_the_case_stores_it(
    seeded_live_server, page: Page, output_path: Path
) -> None:
    base = seeded_live_server.url
    log_in(page, base, "lo.ro")
    page.goto(f"{base}/cases/new/")

    # What the officer reads as each box's label is the box's own label.
    assert page.evaluate(BOX_BESIDE, PERSONAL_DATA) == "personal_data"
    assert page.evaluate(BOX_BESIDE, H1) == "h1"
    assert page.evaluate(BOX_BESIDE, H2) == "h2"

    page.get_by_label("Joint investigation").check()
    page.get_by_label("Name", exact=True).fill("Kapitan")
    page.get_by_label("Starts on").fill("2026-04-01")
    # H1 and H2, not personal data: a shift of one box would store the opposite.
    page.get_by_label(H1).check()
    page.get_by_label(H2).check()
    expect(page.get_by_label(PERSONAL_DATA)).not_to_be_checked()
    save_last_page(page, output_path, "case-form-restrictions")
    page.get_by_role("button", name="Open the case").click()

    expect(page).to_have_url(re.compile(r"/cases/SELEC-JI-[0-9-]+/$"))
    # By the reference in the address: a case's name is encrypted, no query matches it.
    case = Case.objects.get(reference=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert case.name == "Kapitan"
    assert (case.personal_data, case.restrict_evidence, case.restrict_dissemination) == (
        False,
        True,
        True,
    )

    # Editing it: personal data on, H1 off; the page shows each box with what is stored.
    page.goto(f"{base}/cases/{case.reference}/edit/")
    expect(page.get_by_label(H1)).to_be_checked()
    expect(page.get_by_label(H2)).to_be_checked()
    page.get_by_label(PERSONAL_DATA).check()
    page.get_by_label(H1).uncheck()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.reference}/$"))
    case.refresh_from_db()
    assert (case.personal_data, case.restrict_evidence, case.restrict_dissemination) == (
        True,
        False,
        True,
    )
