"""A product as files: PDF (rendered by WeasyPrint from ``products/pdf.html``: each figure's
chart, drawn as inline SVG by ``analytics.svg_charts``, above its table; the handling codes in
the margin of every page) and XLSX (its figures' tables, one sheet each with its
native chart, written by ``analytics.exports`` as the statistics are)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from analytics.exports import xlsx_bytes
from analytics.svg_charts import svg_chart
from products.selectors import ProductPage
from selec.core.spreadsheets import XLSX_MEDIA_TYPE, as_download

PDF_MEDIA_TYPE = "application/pdf"
FORMATS = ("pdf", "xlsx")


def css_string(text: str) -> str:
    """A CSS string holding ``text`` (for the margin boxes' ``content``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return f'"{" ".join(escaped.split())}"'


def pdf_bytes(page: ProductPage) -> bytes:
    product = page.product
    codes = " ".join(product.handling_codes)
    context = {
        "page": page,
        "product": product,
        # Each figure with its chart as inline SVG (None when its table counts nothing): the
        # PDF runs no JavaScript, and the SVG names nothing to fetch.
        "figures": [
            (figure, svg_chart(figure.table, chart_id=f"figure-{i}"))
            for i, figure in enumerate(page.figures, start=1)
        ],
        # Translators: in the margin of every page of a product's PDF; codes are e.g. "H1 H2".
        "margin_codes": css_string(_("Handling codes: %(codes)s") % {"codes": codes}),
        "margin_reference": css_string(product.reference),
    }
    html = render_to_string("products/pdf.html", context)
    # The document names no file, image or style sheet outside itself: nothing is fetched
    # while it is rendered, whatever a text typed into it might try to name.
    # Imported here, not with the module: WeasyPrint loads Pango (over a second), which every
    # process that loads the URLs (web and Celery workers, commands) would pay otherwise.
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"A product's PDF fetches nothing ({url[:40]!r}).")


def pdf_response(page: ProductPage) -> HttpResponse:
    response = HttpResponse(pdf_bytes(page), content_type=PDF_MEDIA_TYPE)
    return as_download(response, f"{page.product.reference}.pdf")


def xlsx_response(page: ProductPage) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes([figure.table for figure in page.figures]), content_type=XLSX_MEDIA_TYPE
    )
    return as_download(response, f"{page.product.reference}.xlsx")
