"""The product pages and files: 404 to whoever the product is not published to, the reading
audited, the PDF with its handling codes on every page, the XLSX of its figures."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from products.models import ProductAuditEvent, ProductStatus
from selec.core.models import AuditEvent
from selec.core.policy_values import Restrictions
from tests.analytics.statistics_rows import exchange, no_statistics, store  # noqa: F401
from tests.cases.scenario import second_analyst
from tests.products.scenario import BODY, add_figure, draft, published

# Enough text for several pages.
LONG = tuple((f"Route {n}", "\n\n".join([BODY * 6] * 5)) for n in range(1, 7))


def test_it_shows_the_product_to_its_reader_and_audits_the_consultation(analyst, lo_bg, login):
    product = published(analyst, second_analyst(), "Bulgarian Police")
    response = login(lo_bg).get(f"/products/{product.reference}/")
    assert response.status_code == 200
    assert "Cocaine reaches the region" in response.content.decode()
    assert AuditEvent.objects.filter(
        actor=lo_bg, event=ProductAuditEvent.CONSULTED, object_id=str(product.pk)
    ).exists()


def test_it_answers_404_to_the_outsider_and_for_a_draft(analyst, lo_bg, outsider, login):
    product = published(analyst, second_analyst(), "Bulgarian Police")
    draft_ = draft(analyst, "Bulgarian Police")
    client = login(outsider)
    for path in (f"/products/{product.reference}/", f"/products/{product.reference}/export/pdf/"):
        assert client.get(path).status_code == 404
    assert login(lo_bg).get(f"/products/{draft_.reference}/").status_code == 404


def test_the_author_cannot_publish_their_own_product_from_the_page(analyst, login):
    product = draft(analyst, "Bulgarian Police")
    client = login(analyst)
    assert client.post(f"/products/{product.reference}/submit/").status_code == 302
    response = client.post(f"/products/{product.reference}/publish/")
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.status == ProductStatus.IN_REVIEW


def test_an_analyst_drafts_a_product_in_the_page(analyst, login):
    response = login(analyst).post(
        "/products/new/",
        {
            "kind": "strategic_report",
            "title": "Cigarette smuggling 2006-2008",
            "period_start": "2006-01-01",
            "period_end": "2008-12-31",
            "h2": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/products/SELEC-AP-")
    page = login(analyst).get(response["Location"])
    assert page.status_code == 200
    assert "Add a section" in page.content.decode()
    # A second analyst reviews it: the page offers them the review, not the writing.
    reviewer = second_analyst()
    reference = response["Location"].split("/")[2]
    client = login(analyst)
    client.post(
        f"/products/{reference}/sections/", {"section-heading": "Findings", "section-body": BODY}
    )
    assert client.post(f"/products/{reference}/submit/").status_code == 302
    review = login(reviewer).get(f"/products/{reference}/").content.decode()
    assert "Publish to its audience" in review
    assert "Add a section" not in review


def test_a_liaison_officer_drafts_nothing(lo_ro, login):
    assert login(lo_ro).get("/products/new/").status_code == 404


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_carries_the_handling_codes_on_every_page(analyst, lo_bg, login):
    product = published(
        analyst,
        second_analyst(),
        "Bulgarian Police",
        restrictions=Restrictions(evidence=True, dissemination=True),
        sections=LONG,
    )
    response = login(lo_bg).get(f"/products/{product.reference}/export/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pages_text(response.content)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Handling codes: H1 H2" in text, f"page {number}"
        assert product.reference in text, f"page {number}"
        assert f"{number} / {len(pages)}" in text
    assert AuditEvent.objects.filter(
        actor=lo_bg, event=ProductAuditEvent.EXPORTED, object_id=str(product.pk)
    ).exists()


def test_an_unrestricted_product_says_h0_on_its_pages(analyst, lo_bg, login):
    product = published(analyst, second_analyst(), "Bulgarian Police", restrictions=Restrictions())
    pdf = login(lo_bg).get(f"/products/{product.reference}/export/pdf/").content
    assert all("Handling codes: H0" in text for text in pages_text(pdf))


@pytest.mark.usefixtures("no_statistics")
def test_the_xlsx_holds_the_frozen_tables_of_its_figures(analyst, lo_bg, login):
    store(exchange(2007, "RO", ["BG"], n=3))
    product = draft(analyst, "Bulgarian Police")
    add_figure(analyst, product, "totals")
    add_figure(analyst, product, "crime-types")
    from products.services import product_publish, product_submit

    product_submit(officer=analyst, product=product)
    product_publish(officer=second_analyst(), product=product)
    response = login(lo_bg).get(f"/products/{product.reference}/export/xlsx/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Totals 2006-2008", "Crime types 2008"]
    totals = book["Totals 2006-2008"]
    values = [row for row in totals.iter_rows(values_only=True) if row and row[0] == "Total"]
    assert values == [("Total", 0, 3, 0)]


def test_the_list_costs_a_fixed_number_of_queries(
    analyst, lo_bg, login, django_assert_max_num_queries
):
    reviewer = second_analyst()
    for _ in range(3):
        published(analyst, reviewer, "Bulgarian Police")
    client = login(lo_bg)
    client.get("/products/")
    with django_assert_max_num_queries(12):
        response = client.get("/products/")
    assert response.content.decode().count("SELEC-AP-") >= 3
