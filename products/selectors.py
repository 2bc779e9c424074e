"""Scoped reads of analytical products. Analysts see every product; any other officer reaches
a product only through an object permission held by one of their groups (agency, NFP),
which exists only once the product is published; everything else answers 404, the same as
for a product that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import cases_visible_to
from partners.models import Agency, Officer, PartyStatus
from partners.selectors import officer_group_ids, officers_concerned
from products.figures import Figure, shown
from products.models import (
    Product,
    ProductGroupObjectPermission,
    ProductSection,
    ProductStatus,
    ProductVersion,
)
from products.policy import (
    HELD_BY_AUDIENCE,
    ProductPerm,
    reads_products,
    sees_every_product,
    shows_content,
)
from selec.core.object_permissions import permission_id
from selec.core.service_helpers import max_length_of

LIST_LIMIT = 200
_REFERENCE_MAX = max_length_of(Product, "reference")


def products_visible_to(officer: Officer) -> QuerySet[Product]:
    if not officer.is_active or not reads_products(
        role=officer.role, has_agency=officer.agency_id is not None
    ):
        return Product.objects.none()
    if sees_every_product(role=officer.role):
        return Product.objects.all()
    held = ProductGroupObjectPermission.objects.filter(
        group_id__in=officer_group_ids(officer),
        permission_id=permission_id("products", ProductPerm.VIEW),
    )
    # The status as well: a product holds grants only once published, and keeps none before.
    return Product.objects.filter(
        pk__in=held.values("content_object_id"), status__in=HELD_BY_AUDIENCE
    )


def _not_found() -> Http404:
    return Http404(_("No analytical product matches the given query."))


def product_get_for_officer(officer: Officer, *, reference: str) -> Product:
    """The product the reference names, if the officer may see it; 404 otherwise."""
    if not (
        0 < len(reference) <= _REFERENCE_MAX
        and all(c.isascii() and (c.isalnum() or c == "-") for c in reference)
    ):
        raise _not_found()
    product = (
        products_visible_to(officer)
        .filter(reference=reference)
        .select_related("case", "author", "reviewer", "supersedes")
        .first()
    )
    if product is None:
        raise _not_found()
    return product


def product_list(officer: Officer) -> list[Product]:
    """The newest products the officer sees, with what the list shows (two queries)."""
    return list(
        products_visible_to(officer)
        .select_related("case", "author")
        .prefetch_related(Prefetch("crime_areas"))
        .order_by("-created_at", "-pk")[:LIST_LIMIT]
    )


@dataclass(frozen=True)
class ProductPage:
    product: Product
    content: bool  # False: the readers of a withdrawn product see its notice only
    sections: list[ProductSection]
    figures: list[Figure]
    audience: list[Agency]
    crime_areas: list[str]
    versions: list[ProductVersion]
    revisions: list[Product]  # revisions of this product (drafts included, for analysts)


def product_page(officer: Officer, product: Product) -> ProductPage:
    """What the product page, the PDF and the XLSX show (a fixed number of queries, and one
    more per live figure of a draft)."""
    content = shows_content(status=product.status, role=officer.role)
    analyst = sees_every_product(role=officer.role)
    sections = list(product.sections.all()) if content else []
    figures = [shown(f) for f in product.figures.all()] if content else []
    audience = list(product.audience.select_related("party").order_by("party__code", "name"))
    revisions = (
        list(products_visible_to(officer).filter(supersedes=product).order_by("pk"))
        if analyst or product.status == ProductStatus.SUPERSEDED
        else []
    )
    return ProductPage(
        product=product,
        content=content,
        sections=sections,
        figures=figures,
        audience=audience,
        crime_areas=[str(a) for a in product.crime_areas.order_by("position")],
        versions=list(product.versions.select_related("created_by")) if analyst else [],
        revisions=revisions,
    )


def product_readers(product: Product) -> QuerySet[Officer]:
    """Whom a notice about a published product goes to: the officers of its audience's
    agencies and of their parties' National Focal Points."""
    agencies = list(product.audience.values_list("pk", "party_id"))
    return officers_concerned(
        agency_ids=[pk for pk, _party in agencies],
        nfp_party_ids=sorted({party for _pk, party in agencies}),
    )


# --- What the forms offer ---------------------------------------------------------------------


def audience_choices() -> QuerySet[Agency]:
    """Agencies of the parties that still take part, by party."""
    return (
        Agency.objects.select_related("party")
        .exclude(party__status=PartyStatus.FORMER)
        .filter(closed_at__isnull=True)
        .order_by("party__code", "name")
    )


def cases_for_analysis(officer: Officer) -> QuerySet[Case]:
    """The cases an analyst may write an operational analysis of: those naming them."""
    return cases_visible_to(officer).order_by("-started_on", "-pk")
