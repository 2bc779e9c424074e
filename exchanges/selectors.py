"""Scoped reads of exchanges. An officer reaches an exchange only through an object permission
held by one of their groups (agency, NFP); everything else answers 404, the same as for an
exchange that does not exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from exchanges.models import Exchange, ExchangeGroupObjectPermission, Recipient
from exchanges.policy import Perm
from partners.models import Officer

PAGE_SIZE = 50


def _group_ids(officer: Officer) -> list[int]:
    # Cached on the instance: one query per request, whatever the number of checks.
    if not hasattr(officer, "_selec_group_ids"):
        officer._selec_group_ids = list(officer.groups.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return officer._selec_group_ids  # type: ignore[attr-defined]


def _ids_with_perm(officer: Officer, perm: Perm) -> QuerySet[ExchangeGroupObjectPermission]:
    # An indexed join (group, permission) → exchange, as a subquery; never a global permission.
    return ExchangeGroupObjectPermission.objects.filter(
        group_id__in=_group_ids(officer),
        permission__content_type__app_label="exchanges",
        permission__codename=perm.value,
    ).values("content_object_id")


def exchanges_visible_to(officer: Officer) -> QuerySet[Exchange]:
    if not officer.is_active:
        return Exchange.objects.none()
    return Exchange.objects.filter(pk__in=_ids_with_perm(officer, Perm.VIEW))


def officer_perms(officer: Officer, exchange: Exchange) -> frozenset[Perm]:
    if not officer.is_active:
        return frozenset()
    codenames = ExchangeGroupObjectPermission.objects.filter(
        content_object_id=exchange.pk, group_id__in=_group_ids(officer)
    ).values_list("permission__codename", flat=True)
    return frozenset(Perm(c) for c in codenames)


def require_perm(officer: Officer, exchange: Exchange, perm: Perm) -> frozenset[Perm]:
    """404 if the officer may not see the exchange; 403 if they may see it but not do this."""
    perms = officer_perms(officer, exchange)
    if Perm.VIEW not in perms:
        raise Http404("No exchange matches the given query.")
    if perm not in perms:
        raise PermissionDenied(
            f"You may read {exchange.reference} but not {perm.value.replace('_exchange', '').replace('_', ' ')} it."
        )
    return perms


def exchange_get_for_officer(
    officer: Officer, *, reference: str | None = None, pk: int | None = None
) -> Exchange:
    lookup = Q(reference=reference) if reference is not None else Q(pk=pk)
    exchange = (
        exchanges_visible_to(officer)
        .filter(lookup)
        .select_related("sender_agency__party", "author", "crime_area", "task_force", "in_reply_to")
        .first()
    )
    if exchange is None:
        raise Http404("No exchange matches the given query.")
    return exchange


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the (sent_at, id) of the last row shown."""

    sent_at: dt.datetime
    id: int


def inbox_page(
    officer: Officer, *, older_than: Cursor | None = None, limit: int = PAGE_SIZE
) -> list[Exchange]:
    """A page of the officer's visible exchanges, newest first, by keyset (no OFFSET, no COUNT)."""
    rows = (
        exchanges_visible_to(officer)
        .select_related("sender_agency__party", "crime_area")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Recipient.objects.select_related("agency__party").order_by("pk"),
            )
        )
    )
    if older_than is not None:
        rows = rows.filter(
            Q(sent_at__lt=older_than.sent_at) | Q(sent_at=older_than.sent_at, id__lt=older_than.id)
        )
    return list(rows.order_by("-sent_at", "-id")[: min(limit, 200)])
