"""Storing the products policy's decision with django-guardian: exactly the grants, nothing
else (as ``cases.permissions`` does for cases)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from partners.models import Party
from partners.selectors import group_ids_of
from partners.status_sync import (
    AccessImpact,
    AccessTally,
    holders_by_object,
    party_holders,
    restated,
)
from products.facts import products_facts
from products.models import Product, ProductGroupObjectPermission, ProductStatus
from products.policy import ProductFacts, ProductPerm, grants_for
from selec.core.object_permissions import permission_ids, store_exactly

BATCH = 500

Rows = set[tuple[int, int, int]]


def product_permission_ids() -> dict[ProductPerm, int]:
    return permission_ids("products", ProductPerm)


def _wanted(facts: dict[int, ProductFacts]) -> Rows:
    """(product id, group id, permission id) of every grant the policy decides."""
    perm_ids = product_permission_ids()
    grants = {pk: grants_for(f) for pk, f in facts.items()}
    groups = group_ids_of(p for g in grants.values() for p in g)
    return {
        (product_id, groups[principal], perm_ids[perm])
        for product_id, by_principal in grants.items()
        for principal, perms in by_principal.items()
        if principal in groups
        for perm in perms
    }


def product_permissions_sync(product_ids: Iterable[int]) -> None:
    """Make the stored object permissions of these products equal what the policy grants."""
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        wanted = _wanted(products_facts(Product.objects.filter(pk__in=batch)))
        store_exactly(ProductGroupObjectPermission, "group_id", batch, wanted)


def products_reaching_party(party: Party) -> list[int]:
    """Products addressed to one of the party's agencies (whose grants its status decides)."""
    return list(
        Product.audience.through.objects.filter(agency__party=party)
        .values_list("product_id", flat=True)
        .distinct()
    )


def product_permissions_status_impact(party: Party, status: str, *, write: bool) -> AccessImpact:
    """What the party taking ``status`` does to its agencies' and NFP's access to products
    (``partners.status_sync``): the policy's grants with the party restated, diffed with the
    stored rows; stored when ``write``."""
    ids = sorted(products_reaching_party(party))
    tally = AccessTally(app="products", holders=party_holders(party))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        products = list(Product.objects.filter(pk__in=batch))
        facts = {
            pk: dataclasses.replace(
                f, audience=tuple(restated(a, party.pk, status) for a in f.audience)
            )
            for pk, f in products_facts(products).items()
        }
        wanted = _wanted(facts)
        stored = ProductGroupObjectPermission.objects.filter(content_object_id__in=batch)
        before = holders_by_object(stored.values_list("content_object_id", "group_id"))
        after = holders_by_object((pk, group) for pk, group, _ in wanted)
        for product in products:
            tally.record(
                before=before[product.pk],
                after=after[product.pk],
                personal=facts[product.pk].personal_data,
                open_reference=product.reference
                if product.status == ProductStatus.PUBLISHED
                else "",
            )
        if write:
            store_exactly(ProductGroupObjectPermission, "group_id", batch, wanted)
    return tally.impact()
