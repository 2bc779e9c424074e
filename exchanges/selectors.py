"""Scoped reads of exchanges. An officer reaches an exchange only through an object permission
held by one of their groups (agency, NFP); everything else answers 404, the same as for an
exchange that does not exist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import Exact, In, IsNull
from django.http import Http404
from django.utils.translation import gettext_lazy

from exchanges.models import (
    Attachment,
    Exchange,
    ExchangeGroupObjectPermission,
    ListedReceipt,
    Recipient,
)
from exchanges.policy import Perm
from partners.models import Officer, Role
from partners.selectors import agencies_by_id, officer_group_ids, party_agency_ids
from selec.core.digests import DigestPurpose, keyed_digest, keyed_digests
from selec.core.object_permissions import permission_id, permissions_by_id

# The one answer for an attachment that does not exist and for one whose exchange the officer
# may not see. Django's debug page shows an Http404's message: the exchange's own message
# ("No exchange matches...") would tell the two apart.
NO_ATTACHMENT = "No attachment matches the given query."


class ExchangeIdRow(TypedDict):
    content_object_id: int


def exchange_ids_with_perm(
    officer: Officer, perm: Perm
) -> QuerySet[ExchangeGroupObjectPermission, ExchangeIdRow]:
    # The permission rows of the officer's groups, as a subquery; never a global permission.
    # The permission's id is a constant (see ``permission_id``): the planner then walks the
    # page's index and probes the rows of each exchange, whatever the officer may see.
    return ExchangeGroupObjectPermission.objects.filter(
        group_id__in=officer_group_ids(officer),
        permission_id=permission_id("exchanges", perm),
    ).values("content_object_id")


def exchanges_visible_to(officer: Officer) -> QuerySet[Exchange]:
    """The exchanges the officer may see, for a list that walks an index: the permission rows
    as one subquery the planner joins (see ``exchange_ids_with_perm``). A lookup of a few
    exchanges by key takes ``exchanges_visible_by_key``."""
    if not officer.is_active:
        return Exchange.objects.none()
    return Exchange.objects.filter(pk__in=exchange_ids_with_perm(officer, Perm.VIEW))


def exchanges_visible_by_key(officer: Officer) -> QuerySet[Exchange]:
    """The same exchanges as ``exchanges_visible_to``, for a lookup of a few by key (a
    reference, an id, a thread) that joins what it shows of them: each row found is checked
    by ``view_granted``, one index probe. As a semi-join the permission rows are one more
    relation for the planner to place among the joined ones, which it orders by trying each
    arrangement: at 100,000 exchanges, planning the thread page's lookup by reference took
    3.4 ms (its execution 0.2 ms), 1.6 ms with the probe."""
    if not officer.is_active:
        return Exchange.objects.none()
    return Exchange.objects.filter(view_granted(officer, exchange_column="pk"))


def view_granted(officer: Officer, *, exchange_column: str) -> IsNull:
    """The exchange whose id the outer row holds in ``exchange_column`` is one the officer
    may see: one of their groups holds its view permission (by the permission's id, see
    ``exchange_ids_with_perm``).

    A scalar subquery (``(SELECT ... LIMIT 1) IS NOT NULL``), not EXISTS or IN: PostgreSQL
    turns those into joins, planned with the rest of the query (see above) and, over a long
    list such as an agency's open receipts, run by hashing every permission row of the
    officer's groups (an NFP's reach the whole country's traffic) and sorting every row before
    the first, where this is one index probe per row read, in the order of the row's index,
    until the list is full. Only for active officers: the callers check."""
    return IsNull(
        Subquery(
            ExchangeGroupObjectPermission.objects.filter(
                group_id__in=officer_group_ids(officer),
                permission_id=permission_id("exchanges", Perm.VIEW),
                content_object_id=OuterRef(exchange_column),
            ).values("content_object_id")[:1]
        ),
        False,
    )


def officer_perms(officer: Officer, exchange: Exchange) -> frozenset[Perm]:
    return officer_perms_by_exchange(officer, [exchange.pk])[exchange.pk]


# What an officer who may read an exchange is told when they may not do more with it.
_PERM_REFUSED = {
    Perm.VIEW: gettext_lazy("You may not read %(reference)s."),
    Perm.REPLY: gettext_lazy("You may read %(reference)s but not reply to it."),
    Perm.FORWARD: gettext_lazy("You may read %(reference)s but not forward it."),
    Perm.REQUEST_DISSEMINATION: gettext_lazy(
        "You may read %(reference)s but not ask its provider to lift a restriction."
    ),
    Perm.MANAGE: gettext_lazy(
        "You may read %(reference)s but not manage it (change its restrictions, decide its requests)."
    ),
    Perm.EXPORT_EVIDENCE: gettext_lazy("You may read %(reference)s but not export evidence of it."),
}


def require_perm(officer: Officer, exchange: Exchange, perm: Perm) -> frozenset[Perm]:
    """404 if the officer may not see the exchange; 403 if they may see it but not do this."""
    return require_known_perm(exchange, officer_perms(officer, exchange), perm)


def require_known_perm(exchange: Exchange, perms: frozenset[Perm], perm: Perm) -> frozenset[Perm]:
    """``require_perm`` over permissions the caller has read already."""
    if Perm.VIEW not in perms:
        raise Http404("No exchange matches the given query.")
    if perm not in perms:
        # Translators: %(reference)s is an exchange reference.
        raise PermissionDenied(_PERM_REFUSED[perm] % {"reference": exchange.reference})
    return perms


def exchange_get_for_officer(
    officer: Officer, *, reference: str | None = None, pk: int | None = None
) -> Exchange:
    lookup = Q(reference=reference) if reference is not None else Q(pk=pk)
    # Both keys are unique: no ORDER BY (``first()`` would add one by id, for the planner
    # to weigh too). Not the parent (``in_reply_to``): the pages name it by its id (the thread
    # links the parent it loads, ``selectors_thread``), and joining the exchanges table to
    # itself tripled the time PostgreSQL took to plan the lookup (1.5 ms, against 0.55).
    found = (
        exchanges_visible_by_key(officer)
        .filter(lookup)
        .select_related("sender_agency__party", "author", "crime_area", "task_force")
    )[:1]
    for exchange in found:
        return exchange
    raise Http404("No exchange matches the given query.")


def officer_perms_by_exchange(
    officer: Officer, exchange_ids: list[int]
) -> dict[int, frozenset[Perm]]:
    """``officer_perms`` for many exchanges in one query.

    Not guardian's ``ObjectPermissionChecker.prefetch_perms``, which reads the same rows: it
    also reads the user-permission table (always empty here: grants go to groups only) and
    joins the permission and group tables for the officer's groups, which the request has
    already loaded. Measured on the demo data for one officer's exchanges: 2 queries and
    4.8 ms for the checker, 1 query and 2.8 ms here; the thread page and the API's actions
    call this on every request."""
    found: dict[int, set[Perm]] = {pk: set() for pk in exchange_ids}
    if officer.is_active and exchange_ids:
        # By the permission's id (known to the process, see ``permission_id``): no join to
        # the permission table.
        perm_of = permissions_by_id("exchanges", Perm)
        for exchange_id, perm_id in ExchangeGroupObjectPermission.objects.filter(
            content_object_id__in=exchange_ids, group_id__in=officer_group_ids(officer)
        ).values_list("content_object_id", "permission_id"):
            found[exchange_id].add(perm_of[perm_id])
    return {pk: frozenset(perms) for pk, perms in found.items()}


def attachment_get_for_officer(officer: Officer, attachment_id: int) -> Attachment:
    """An attachment, with its exchange, if the officer may see that exchange; 404 otherwise,
    the same answer whether the attachment does not exist or is not theirs to see."""
    attachment = (
        Attachment.objects.select_related("exchange")
        .filter(pk=attachment_id, exchange_id__in=exchanges_visible_to(officer).values("pk"))
        .first()
    )
    if attachment is None:
        raise Http404(NO_ATTACHMENT)
    return attachment


def restriction_text_now(exchange: Exchange) -> str:
    """The exchange's H3 text as stored now, decrypted: not as the instance at hand was loaded,
    so that a text the provider has just changed is the one confirmed and checked."""
    return Exchange.objects.only("uuid", "restriction_text").get(pk=exchange.pk).restriction_text


def restriction_digest(text: str) -> str:
    """What a confirmation keeps of the H3 text confirmed (``RestrictionConfirmation``)."""
    return keyed_digest(DigestPurpose.RESTRICTION_TEXT, text)


def restriction_digests(text: str) -> list[str]:
    """What a confirmation of this text may keep: its digest under the current audit key or
    under a previous one (a rotation of the key asks nobody to confirm again)."""
    return keyed_digests(DigestPurpose.RESTRICTION_TEXT, text)


def attachment_id_of_exchange(exchange: Exchange, attachment_id: int) -> int:
    """The attachment's id if it belongs to this exchange; 404 otherwise (an attachment is
    reached only through its own exchange's address)."""
    if not Attachment.objects.filter(pk=attachment_id, exchange=exchange).exists():
        raise Http404(NO_ATTACHMENT)
    return attachment_id


def references_visible_to(officer: Officer, exchange_ids: Iterable[int | None]) -> dict[int, str]:
    """The references of those exchanges the officer may see, in one query (the others stay
    unnamed: a reply's parent may be out of the officer's reach)."""
    ids = [pk for pk in exchange_ids if pk is not None]
    if not ids:
        return {}
    return dict(exchanges_visible_by_key(officer).filter(pk__in=ids).values_list("pk", "reference"))


def exchange_for_api(
    officer: Officer, *, reference: str | None = None, pk: int | None = None
) -> Exchange:
    """``exchange_get_for_officer`` with the receipts the API shows, in two more queries."""
    exchange = exchange_get_for_officer(officer, reference=reference, pk=pk)
    attach_receipts([exchange])
    return exchange


def attach_receipts(exchanges: list[Exchange]) -> None:
    """Give each exchange its receipts, in order, as ``listed_receipts`` (read-only
    ``ListedReceipt`` values, not model instances), and the sender's and each recipient's
    agency with its party: two queries whatever the number of exchanges. One instance per
    agency named, not one per mention: a page names a few dozen agencies on hundreds of rows,
    and building model instances is most of what a page costs in Python."""
    receipts = list(
        Recipient.objects.filter(exchange_id__in=[exchange.pk for exchange in exchanges])
        .order_by("pk")
        .values(*_LISTED_COLUMNS)
    )
    named = {exchange.sender_agency_id for exchange in exchanges}
    named.update(receipt["agency_id"] for receipt in receipts)
    agencies = agencies_by_id(named)
    listed: dict[int, list[ListedReceipt]] = {exchange.pk: [] for exchange in exchanges}
    for receipt in receipts:
        listed[receipt["exchange_id"]].append(
            ListedReceipt(**receipt, agency=agencies[receipt["agency_id"]])
        )
    for exchange in exchanges:
        exchange.sender_agency = agencies[exchange.sender_agency_id]
        exchange.listed_receipts = listed[exchange.pk]


# The receipt's columns a ``ListedReceipt`` holds (its agency is the one loaded for the page).
_LISTED_COLUMNS = tuple(field.name for field in fields(ListedReceipt) if field.name != "agency")


# --- The officer's scope --------------------------------------------------------------------
#
# The inbox and the agency's work on the dashboard read relative to the officer's scope: their
# agency for a liaison officer, every agency of their party for an officer of a National Focal
# Point (who reviews the country's traffic). The scope only narrows what
# ``exchanges_visible_to`` allows; it never widens it.


@dataclass(frozen=True)
class Scope:
    agency_id: int | None = None
    party_id: int | None = None
    # A party's scope: the ids of its agencies, as constants in the SQL. Joined by the party's
    # id instead, PostgreSQL estimates a party's receipts as an average party's and, for the
    # party that holds a third of them, reads every unread receipt of its agencies before the
    # first row (96 ms for "only unread" at a million exchanges; 13 ms with the ids).
    agency_ids: tuple[int, ...] = ()

    def receipts(self) -> Q:
        """The receipts (``Recipient`` rows) held by the scope."""
        if self.party_id is not None:
            return Q(agency_id__in=self.agency_ids)
        return Q(agency_id=self.agency_id)

    def senders(self) -> Q:
        """The exchanges sent from the scope."""
        if self.party_id is not None:
            return Q(sender_agency_id__in=self.agency_ids)
        return Q(sender_agency_id=self.agency_id)

    def sent_the_outer_exchange(self) -> Q:
        """In a subquery of receipts (``Recipient`` rows) run for each exchange of an outer
        query: that exchange was sent from the scope. Its sender is read from the outer row
        (which the inbox's indexes carry), not by joining each receipt's exchange: the join
        read the exchange's row again for every entry the inbox walked past."""
        sender = OuterRef("sender_agency_id")
        if self.party_id is not None:
            return Q(In(sender, self.agency_ids))
        return Q(Exact(sender, self.agency_id))

    def held_agency_ids(self) -> tuple[int, ...]:
        """The agencies whose receipts the scope holds."""
        if self.party_id is not None:
            return self.agency_ids
        assert self.agency_id is not None
        return (self.agency_id,)

    def holds(self, agency_id: int, party_id: int) -> bool:
        if self.party_id is not None:
            return party_id == self.party_id
        return agency_id == self.agency_id


def officer_scope(officer: Officer) -> Scope | None:
    """None for secretariat staff: exchanges are not theirs to read."""
    if officer.agency_id is None:
        return None
    if officer.role == Role.NFP_OFFICER:
        assert officer.agency is not None
        return Scope(party_id=officer.agency.party_id, agency_ids=party_agency_ids(officer))
    return Scope(agency_id=officer.agency_id)
