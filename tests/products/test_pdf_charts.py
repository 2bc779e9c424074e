"""A product's PDF draws each figure's chart above its table: the chart's texts (title, legend,
axes) are in the PDF beside the table's, the handling codes stay on every page, and a figure
that counts nothing says so instead of drawing an empty chart."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from analytics.models import Channel
from partners.models import Officer
from products.models import Product
from products.services import product_publish, product_submit
from selec.core.policy_values import Restrictions
from tests.analytics.statistics_rows import exchange, no_statistics, store  # noqa: F401
from tests.cases.scenario import second_analyst
from tests.products.scenario import BODY, add_figure, draft

pytestmark = pytest.mark.usefixtures("no_statistics")

# Enough text for the figures to start on a later page.
LONG = tuple((f"Route {n}", "\n\n".join([BODY * 6] * 5)) for n in range(1, 5))


def _published(analyst: Officer, *tables: str, **kwargs: object) -> Product:
    product = draft(analyst, "Bulgarian Police", **kwargs)  # type: ignore[arg-type]
    for table in tables:
        add_figure(analyst, product, table)
    product_submit(officer=analyst, product=product)
    return product_publish(officer=second_analyst(), product=product)


def _pages(client, product: Product) -> list[str]:
    response = client.get(f"/products/{product.reference}/export/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_pdf_draws_each_figures_chart_beside_its_table(analyst, lo_bg, login):
    store(
        exchange(2007, "RO", ["BG"], n=3),
        exchange(2008, "BG", ["RO"], n=2, kind="information"),
    )
    product = _published(
        analyst,
        "totals",
        "crime-types",
        restrictions=Restrictions(evidence=True, dissemination=True),
        sections=LONG,
    )
    pages = _pages(login(lo_bg), product)
    text = "\n".join(pages)
    lines = [line.strip() for line in text.splitlines()]
    # Each heading twice: the chart's title and the table's caption.
    assert text.count("Exchanges per channel, 2006\N{EN DASH}2008") == 2
    assert text.count("Exchanges initiated by member countries per type of crime, 2008") == 2
    # The legend's entries, each a line of its own (the table's rows carry their numbers).
    for channel in Channel:
        assert lines.count(str(channel.label)) == 1, channel
        assert text.count(str(channel.label)) == 2, channel
    assert "Requests Information exchanges" in lines
    # The crime area on the bar chart's axis, the years on the line chart's.
    assert "Drug trafficking" in lines
    assert {"2006", "2007", "2008"} <= set(lines)
    # The value axes: their titles, and their ticks (0 to 3 exchanges in steps of 1).
    assert lines.count("Exchanges") == 2
    assert {"0", "1", "2", "3"} <= set(lines)
    # The tables are still there.
    assert text.count("Total") == 2
    for number, page in enumerate(pages, start=1):
        assert "Handling codes: H1 H2" in page, f"page {number}"
        assert product.reference in page, f"page {number}"
        assert f"{number} / {len(pages)}" in page


def test_a_figure_that_counts_nothing_says_so_instead_of_a_chart(analyst, lo_bg, login):
    store(exchange(2007, "RO", ["BG"], n=3))
    # The parties table describes 2008, which counts nothing.
    product = _published(analyst, "parties")
    (page,) = _pages(login(lo_bg), product)
    assert "Nothing to count for these years." in page
    assert page.count("Exchanges per party, 2008") == 1  # the table's caption, no chart title
    assert "Total" in page
    assert "Handling codes: H2" in page
