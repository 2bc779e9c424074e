"""Reading the facts the products policy decides on, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from cases.facts import cases_facts
from cases.models import Case
from exchanges.facts import agency_facts
from partners.models import Agency
from products.models import Product, ProductFigure
from products.policy import ProductFacts


def products_facts(products: Iterable[Product]) -> dict[int, ProductFacts]:
    """The policy facts of many products at once (three queries, and the cases' own five when
    operational analyses are among them)."""
    products = list(products)
    ids = [p.pk for p in products]
    audience: dict[int, list[Agency]] = defaultdict(list)
    for row in Product.audience.through.objects.filter(product_id__in=ids).select_related(
        "agency__party"
    ):
        audience[row.product_id].append(row.agency)
    tables: dict[int, set[str]] = defaultdict(set)
    for product_id, table in ProductFigure.objects.filter(product_id__in=ids).values_list(
        "product_id", "table"
    ):
        tables[product_id].add(table)
    case_ids = {p.case_id for p in products if p.case_id is not None}
    cases = list(Case.objects.filter(pk__in=case_ids)) if case_ids else []
    by_case = cases_facts(cases) if cases else {}
    references = {c.pk: c.reference for c in cases}
    facts = {}
    for product in products:
        case = by_case.get(product.case_id) if product.case_id is not None else None
        facts[product.pk] = ProductFacts(
            kind=product.kind,
            status=product.status,
            personal_data=product.personal_data or bool(case and case.personal_data),
            audience=tuple(
                agency_facts(a) for a in sorted(audience[product.pk], key=lambda a: a.pk)
            ),
            tables=frozenset(tables[product.pk]),
            case_agency_ids=frozenset(a.id for a in case.agencies) if case else frozenset(),
            case_reference=references.get(product.case_id, "") if product.case_id else "",
        )
    return facts


def product_facts(product: Product) -> ProductFacts:
    return products_facts([product])[product.pk]
