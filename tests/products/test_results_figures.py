"""Figures of operation results in an analytical product: the seeds' Mirage 2003/2004 table as a
product's figure, the seizures in their units, frozen at publication, readable by observers
(strategic totals only), never per party or per operation, and a product page whose query count
does not grow with its figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from cases.services_results import SeizureInput, result_record
from partners.models import Officer, Party
from products.models import ResultsFigure
from products.selectors import product_page
from products.services import product_figure_add, product_publish, product_revise, product_submit
from tests.cases.results_scenario import SEEDS_MIRAGE, enter_mirage, operation, report
from tests.cases.scenario import second_analyst
from tests.products.scenario import draft

pytestmark = pytest.mark.django_db


def add_results(analyst: Officer, product, table: str, **kwargs) -> None:
    product_figure_add(
        officer=analyst,
        product=product,
        table=table,
        first_year=kwargs.pop("first_year", 2003),
        last_year=kwargs.pop("last_year", 2004),
        **kwargs,
    )


def rows_of(table) -> list[tuple[str, list]]:
    return [(row.label, list(row.counts)) for row in table.rows]


def test_the_seeds_mirage_table_is_a_figure_of_a_product(analyst, lo_ro, lo_bg, obs_at) -> None:
    enter_mirage(lo_ro, lo_bg)
    product = draft(analyst, "Bulgarian Police", "Police of Austria")
    add_results(analyst, product, ResultsFigure.COUNTS, series="Mirage")
    (figure,) = product_page(analyst, product).figures
    assert not figure.frozen
    assert [c.label for c in figure.table.count_columns] == ["Mirage 2003", "Mirage 2004"]
    assert rows_of(figure.table) == [(label, values) for label, values in SEEDS_MIRAGE]
    assert figure.table.chart_labels() == ["Mirage 2003", "Mirage 2004"]
    assert figure.table.heading.startswith(
        "Operation results: persons, victims and exchanges: Mirage, 2003"
    )

    # Published to a member's agency and an observer's: strategic totals, which both read.
    product_submit(officer=analyst, product=product)
    product = product_publish(officer=second_analyst(), product=product)
    # A correction entered afterwards changes the report, not the published product.
    report(lo_bg, mirage_case(2004), "BG", dt.date(2005, 1, 10), victims_identified=9)
    for reader in (lo_bg, obs_at):
        (shown,) = product_page(reader, product).figures
        assert shown.frozen
        assert rows_of(shown.table)[0] == ("Victims identified", [463, 601])
        assert shown.data_as_of is not None


def mirage_case(year: int) -> Case:
    return Case.objects.get(series="Mirage", started_on__year=year)


def test_seizures_keep_their_units_and_decimals_through_publication(analyst, lo_ro, lo_bg, login):
    first = operation(
        lo_ro, "Bulgarian Police", series="Containment", started_on=dt.date(2002, 5, 1)
    )
    second = operation(
        lo_ro, "Bulgarian Police", series="Containment", started_on=dt.date(2003, 5, 1)
    )
    for case, seized in (
        (first, [("heroin", "584", "kg", ""), ("cash", "12500.50", "currency", "EUR")]),
        (second, [("cannabis", "188.9", "kg", "")]),
    ):
        result_record(
            officer=lo_bg,
            case=case,
            party_id=Party.objects.get(code="BG").pk,
            reported_on=dt.date(2003, 12, 1),
            counts={"persons_arrested": 5},
            seizures=[
                SeizureInput(item=i, quantity=Decimal(q), unit=u, currency=c)
                for i, q, u, c in seized
            ],
        )
    product = draft(analyst, "Bulgarian Police")
    add_results(analyst, product, ResultsFigure.SEIZURES, first_year=2002, last_year=2003)
    add_results(
        analyst, product, ResultsFigure.COUNTS, first_year=2002, last_year=2003, grouping="year"
    )
    seizures, counts = product_page(analyst, product).figures
    expected = [
        ("Heroin (kg)", [584, 0]),
        ("Cannabis / marijuana (kg)", [0, 188.9]),
        ("Cash (EUR)", [12500.5, 0]),
    ]
    assert rows_of(seizures.table) == expected
    assert [c.label for c in counts.table.count_columns] == ["2002", "2003"]
    assert rows_of(counts.table) == [("Persons arrested", [5, 5])]

    product_submit(officer=analyst, product=product)
    product = product_publish(officer=second_analyst(), product=product)
    frozen_seizures, _counts = product_page(lo_bg, product).figures
    assert frozen_seizures.frozen
    assert rows_of(frozen_seizures.table) == expected

    book = openpyxl.load_workbook(
        io.BytesIO(login(lo_bg).get(f"/products/{product.reference}/export/xlsx/").content)
    )
    sheet = book[book.sheetnames[0]]
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Heroin (kg)"]
    assert values == [("Heroin (kg)", 584, 0)]


@pytest.mark.parametrize("grouping", ["party", "operation", "anything"])
def test_a_figure_never_shows_results_per_party_or_per_operation(analyst, grouping) -> None:
    product = draft(analyst, "Bulgarian Police")
    with pytest.raises(ValidationError) as refused:
        add_results(analyst, product, ResultsFigure.COUNTS, grouping=grouping)
    assert "per series and year, or per year" in str(refused.value.message_dict["grouping"])
    assert not product.figures.exists()


def test_a_statistics_table_takes_no_grouping_or_series_and_a_revision_keeps_them(analyst) -> None:
    product = draft(analyst, "Bulgarian Police")
    product_figure_add(
        officer=analyst,
        product=product,
        table="totals",
        first_year=2006,
        last_year=2008,
        grouping="year",
        series="Mirage",
    )
    add_results(analyst, product, ResultsFigure.COUNTS, grouping="year", series="  Mirage ")
    assert list(product.figures.values_list("table", "grouping", "series")) == [
        ("totals", "", ""),
        ("results_counts", "year", "Mirage"),
    ]
    # The same results figure twice is refused as the same table twice is.
    with pytest.raises(ValidationError, match="already shows this table"):
        add_results(analyst, product, ResultsFigure.COUNTS, grouping="year", series="Mirage")
    product_submit(officer=analyst, product=product)
    published = product_publish(officer=second_analyst(), product=product)
    revision = product_revise(officer=analyst, product=published)
    assert list(revision.figures.values_list("table", "grouping", "series")) == [
        ("totals", "", ""),
        ("results_counts", "year", "Mirage"),
    ]


def test_the_figure_form_offers_the_results_and_adds_one(analyst, lo_ro, lo_bg, login) -> None:
    enter_mirage(lo_ro, lo_bg)
    product = draft(analyst, "Bulgarian Police")
    client = login(analyst)
    page = client.get(f"/products/{product.reference}/")
    assert 'value="results_counts"' in page.content.decode()
    response = client.post(
        f"/products/{product.reference}/figures/",
        {
            "figure-table": "results_counts",
            "figure-first_year": 2003,
            "figure-last_year": 2004,
            "figure-grouping": "series",
            "figure-series": "Mirage",
            "figure-caption": "Mirage, the seeds' table",
        },
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mirage 2003" in text
    assert "Mirage 2004" in text
    assert ">463<" in text
    refused = client.post(
        f"/products/{product.reference}/figures/",
        {
            "figure-table": "results_counts",
            "figure-first_year": 2003,
            "figure-last_year": 2004,
            "figure-grouping": "party",
        },
    )
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert product.figures.count() == 1


def _page_queries(client, url: str, django_assert_max_num_queries, count: int):
    client.get(url)
    with django_assert_max_num_queries(count) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_published_product_page_costs_the_same_with_one_figure_or_four(
    analyst, lo_ro, lo_bg, login, django_assert_max_num_queries
) -> None:
    enter_mirage(lo_ro, lo_bg)
    reviewer = second_analyst()
    counts = []
    for figures in (1, 4):
        product = draft(
            analyst, "Bulgarian Police", sections=[("Findings", "One"), ("More", "Two")]
        )
        tables = ["totals", ResultsFigure.COUNTS, ResultsFigure.SEIZURES, "task-forces"]
        for table in tables[:figures]:
            add_results(analyst, product, table)
        product_submit(officer=analyst, product=product)
        product = product_publish(officer=reviewer, product=product)
        counts.append(
            _page_queries(
                login(lo_bg), f"/products/{product.reference}/", django_assert_max_num_queries, 30
            )
        )
    assert counts[0] == counts[1]
