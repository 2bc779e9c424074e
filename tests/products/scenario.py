"""Building analytical products for tests through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cases.models import Case
from partners.models import Officer
from products.models import Product, ProductKind
from products.services import (
    ProductDetails,
    product_draft,
    product_figure_add,
    product_publish,
    product_section_save,
    product_submit,
)
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids

H2 = Restrictions(dissemination=True)
BODY = "Cocaine reaches the region's ports in containers from South America."


def draft(
    analyst: Officer,
    *audience: str,
    kind: str = ProductKind.STRATEGIC_REPORT,
    personal: bool = False,
    case: Case | None = None,
    restrictions: Restrictions = H2,
    sections: Sequence[tuple[str, str]] = (("Findings", BODY),),
    title: str = "Drug routes through the Balkans",
) -> Product:
    product = product_draft(
        officer=analyst,
        kind=kind,
        case=case,
        details=ProductDetails(
            title=title,
            period_start=dt.date(2006, 1, 1),
            period_end=dt.date(2008, 12, 31),
            crime_area_ids=[CrimeArea.objects.get(code="drugs").pk],
            audience_ids=agency_ids(*audience),
            restrictions=restrictions,
            personal_data=personal,
        ),
    )
    for heading, body in sections:
        product_section_save(officer=analyst, product=product, heading=heading, body=body)
    return product


def add_figure(analyst: Officer, product: Product, table: str = "totals") -> None:
    product_figure_add(
        officer=analyst, product=product, table=table, first_year=2006, last_year=2008
    )


def published(analyst: Officer, reviewer: Officer, *audience: str, **kwargs: object) -> Product:
    product = draft(analyst, *audience, **kwargs)  # type: ignore[arg-type]
    product_submit(officer=analyst, product=product)
    return product_publish(officer=reviewer, product=product)
