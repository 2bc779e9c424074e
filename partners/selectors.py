"""Reads of the directory, bounded and prefetched: each page costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from partners import policy
from partners.models import (
    AccessConfirmation,
    AccessConfirmationStatus,
    Agency,
    ContentAccess,
    Officer,
    Party,
    PartyStatus,
    Role,
)
from selec.core.models import ApiToken

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Where an officer's group ids are kept for the request (see officer_group_ids).
_GROUP_IDS = "selec_group_ids"
# Where the ids of the agencies of the officer's party are kept (see party_agency_ids).
_PARTY_AGENCY_IDS = "selec_party_agency_ids"


def officers_signing_in() -> QuerySet[Officer]:
    """Officers as each request loads the signed-in one (``partners.auth``): with the agency
    and party nearly every page reads, the ids of their groups, which every scoped read
    filters the permission rows by, and the ids of their party's agencies (a National Focal
    Point's scope), all in one query."""
    memberships = Officer.groups.through.objects.filter(officer_id=OuterRef("pk"))
    party_agencies = Agency.objects.filter(party_id=OuterRef("agency__party_id")).order_by("pk")
    return Officer._default_manager.select_related("agency__party").annotate(
        **{
            _GROUP_IDS: ArraySubquery(memberships.values("group_id")),
            _PARTY_AGENCY_IDS: ArraySubquery(party_agencies.values("pk")),
        }
    )


def officer_group_ids(officer: Officer) -> list[int]:
    """The officer's group ids: loaded with the officer on each request, or read once on first
    use (an officer loaded otherwise) and kept on the instance."""
    if not hasattr(officer, _GROUP_IDS):
        setattr(officer, _GROUP_IDS, list(officer.groups.values_list("pk", flat=True)))
    return getattr(officer, _GROUP_IDS)


def party_agency_ids(officer: Officer) -> tuple[int, ...]:
    """The ids of every agency of the officer's party, closed ones too (none without an
    agency): loaded with the officer on each request, or read once on first use."""
    if not hasattr(officer, _PARTY_AGENCY_IDS):
        ids: list[int] = []
        if officer.agency is not None:
            agencies = Agency.objects.filter(party_id=officer.agency.party_id).order_by("pk")
            ids = list(agencies.values_list("pk", flat=True))
        setattr(officer, _PARTY_AGENCY_IDS, ids)
    return tuple(getattr(officer, _PARTY_AGENCY_IDS))


def forget_group_ids(officer: Officer) -> None:
    """Drop the group ids kept on the instance (``officer_group_ids``): after a change of the
    officer's groups, the next use reads them afresh."""
    vars(officer).pop(_GROUP_IDS, None)


# The order the directory lists statuses in.
STATUS_ORDER = [
    PartyStatus.MEMBER,
    PartyStatus.OPERATIONAL_PARTNER,
    PartyStatus.OBSERVER,
    PartyStatus.FORMER,
]


def officer_profile(officer_id: int) -> Officer:
    """The officer with their agency and party (their task forces: ``taskforces.selectors``)."""
    return Officer.objects.select_related("agency__party").get(pk=officer_id)


def parties_grouped_by_status() -> list[tuple[StrOrPromise, list[Party]]]:
    """Parties under their status heading (members first), each with its agencies."""
    parties = Party.objects.prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.order_by("-is_national_focal_point", "name"))
    ).order_by("name")
    grouped: dict[str, list[Party]] = {status: [] for status in STATUS_ORDER}
    for party in parties:
        grouped[party.status].append(party)
    return [(PartyStatus(status).label, members) for status, members in grouped.items() if members]


def agencies_by_id(ids: Iterable[int]) -> dict[int, Agency]:
    """The agencies with their parties, by id, in one query: for pages that name a few dozen
    agencies on many rows, one instance each (building model instances is most of what such
    a page costs in Python) and no join of the agency and its party in the rows' query."""
    return Agency.objects.select_related("party").in_bulk(ids)


def agencies_for_directory(*, party_code: str | None = None) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("party").order_by(
        "party__name", "-is_national_focal_point", "name"
    )
    if party_code:
        agencies = agencies.filter(party__code=party_code)
    return agencies


def colleagues_of(officer: Officer) -> QuerySet[Officer]:
    """The active officers of the officer's own party; for secretariat staff, the secretariat."""
    officers = Officer.objects.filter(is_active=True).select_related("agency__party")
    if officer.agency_id is None:
        return officers.filter(agency__isnull=True)
    assert officer.agency is not None
    return officers.filter(agency__party_id=officer.agency.party_id).order_by(
        "agency__name", "last_name"
    )


def officers_concerned(
    *, agency_ids: Iterable[int] = (), nfp_party_ids: Iterable[int] = ()
) -> QuerySet[Officer]:
    """The active officers of these agencies and the NFP officers of these parties: whom a
    notice about their agencies' work goes to (the NFP reviews its country's traffic). An
    officer whose access awaits confirmation hears of nothing yet."""
    return Officer.objects.filter(is_active=True, content_access=ContentAccess.CONFIRMED).filter(
        Q(agency_id__in=list(agency_ids))
        | Q(role=Role.NFP_OFFICER, agency__party_id__in=list(nfp_party_ids))
    )


# --- Access confirmations ----------------------------------------------------------------------


def _with_access() -> QuerySet[Officer]:
    return Officer.objects.filter(
        is_active=True, agency__isnull=False, content_access=ContentAccess.CONFIRMED
    )


def _nfp_officers_with_access(party_id: int | OuterRef) -> QuerySet[Officer]:
    """The officers of the party's National Focal Point who have access."""
    return _with_access().filter(
        role=Role.NFP_OFFICER,
        agency__is_national_focal_point=True,
        # The plugin checks the union as one value: an OuterRef is as valid here as an int.
        agency__party_id=party_id,  # type: ignore[misc]
    )


def _nfp_deciders_exist() -> Exists:
    """Whether the NFP of a confirmation's party has an officer with access other than the
    subject and the requester (evaluated per confirmation row)."""
    return Exists(
        _nfp_officers_with_access(OuterRef("agency__party_id"))
        .exclude(pk=OuterRef("officer_id"))
        # No requester (the system asked): compare with 0, which no officer has, not NULL.
        .exclude(pk=Coalesce(OuterRef("requested_by_id"), Value(0)))
    )


def officer_facts(officer: Officer) -> policy.OfficerFacts:
    agency = officer.agency if officer.agency_id else None
    return policy.OfficerFacts(
        id=officer.pk,
        role=officer.role,
        agency_id=officer.agency_id,
        party_id=agency.party_id if agency else None,
        active=officer.is_active,
        content_confirmed=officer.content_access == ContentAccess.CONFIRMED,
    )


def _facts_of(confirmation: AccessConfirmation) -> policy.ConfirmationFacts:
    return policy.ConfirmationFacts(
        officer_id=confirmation.officer_id,
        requested_by_id=confirmation.requested_by_id,
        agency_id=confirmation.agency_id,
        party_id=confirmation.agency.party_id,
        nfp_can_decide=confirmation.nfp_can_decide,  # type: ignore[attr-defined]
    )


def _confirmations() -> QuerySet[AccessConfirmation]:
    return AccessConfirmation.objects.select_related(
        "officer", "agency__party", "requested_by", "decided_by"
    ).annotate(nfp_can_decide=_nfp_deciders_exist())


def confirmation_with_facts(
    confirmation_id: int, *, lock: bool = False
) -> tuple[AccessConfirmation, policy.ConfirmationFacts] | None:
    rows = _confirmations().filter(pk=confirmation_id)
    if lock:
        rows = rows.select_for_update(of=("self",))
    confirmation = rows.first()
    return (confirmation, _facts_of(confirmation)) if confirmation else None


def officers_who_decide(confirmation: AccessConfirmation) -> QuerySet[Officer]:
    """The officers who may confirm or refuse (``policy.may_confirm``), as one query."""
    nfp = _nfp_officers_with_access(confirmation.agency.party_id)
    exclude = [confirmation.officer_id, confirmation.requested_by_id]
    nfp = nfp.exclude(pk__in=[pk for pk in exclude if pk])
    if nfp.exists():
        return nfp
    return (
        _with_access()
        .filter(agency_id=confirmation.agency_id)
        .exclude(pk__in=[pk for pk in exclude if pk])
    )


# A party rarely has more than a handful of changes waiting; the page shows this many at most.
CONFIRMATIONS_PAGE = 100


def confirmations_to_decide(officer: Officer) -> list[AccessConfirmation]:
    """The pending confirmations this officer decides, oldest first (bounded).

    Narrowed in SQL to the rows ``policy.may_confirm`` lets the officer decide before the page
    is cut (else other officers' rows could fill it), and each checked by the policy still."""
    facts = officer_facts(officer)
    # An officer with access has an agency, hence a party.
    if not facts.has_access or facts.party_id is None:
        return []
    # The NFP decides where it can; elsewhere an officer of the confirmation's agency.
    decides = Q(nfp_can_decide=False, agency_id=facts.agency_id)
    if facts.role == Role.NFP_OFFICER:
        decides |= Q(nfp_can_decide=True)
    pending = (
        _confirmations()
        .filter(status=AccessConfirmationStatus.PENDING, agency__party_id=facts.party_id)
        .filter(decides)
        # Never the subject nor the requester (a NULL requester is kept).
        .exclude(officer_id=facts.id)
        .exclude(requested_by_id=facts.id)
        .order_by("requested_at", "id")[:CONFIRMATIONS_PAGE]
    )
    return [c for c in pending if policy.may_confirm(facts, _facts_of(c))]


def confirmations_decided_by(officer: Officer, *, limit: int = 20) -> list[AccessConfirmation]:
    return list(_confirmations().filter(decided_by=officer).order_by("-decided_at", "-id")[:limit])


def confirmations_of(officer: Officer, *, limit: int = 10) -> list[AccessConfirmation]:
    """The officer's own confirmation requests, newest first: what their account waits for."""
    return list(_confirmations().filter(officer=officer).order_by("-requested_at", "-id")[:limit])


def api_tokens_of(officer: Officer, *, limit: int) -> list[ApiToken]:
    """The officer's own tokens, newest first (an officer has a handful)."""
    return list(ApiToken.objects.filter(officer=officer).order_by("-created_at", "-id")[:limit])


def api_token_of(officer: Officer, pk: int) -> ApiToken:
    """One of the officer's own tokens; 404 for anyone else's, as for one that does not exist."""
    token = ApiToken.objects.filter(pk=pk, officer=officer).first()
    if token is None:
        raise Http404(_("No such token."))
    return token


class GroupPrincipal(Protocol):
    @property
    def kind(self) -> str: ...  # "agency" | "nfp" (others hold no group)

    @property
    def id(self) -> int: ...  # agency id or party id


P = TypeVar("P", bound=GroupPrincipal)


def group_ids_of(principals: Iterable[P]) -> dict[P, int]:
    """The group of each principal that has one: an agency's group, a party's NFP group."""
    principals = set(principals)
    agency_ids = {p.id for p in principals if p.kind == "agency"}
    party_ids = {p.id for p in principals if p.kind == "nfp"}
    groups_by_kind = {
        "agency": dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "group_id")),
        "nfp": dict(
            Party.objects.filter(pk__in=party_ids, nfp_group__isnull=False).values_list(
                "pk", "nfp_group_id"
            )
        ),
    }
    return {
        p: groups_by_kind[p.kind][p.id]
        for p in principals
        if p.id in groups_by_kind.get(p.kind, {})
    }
