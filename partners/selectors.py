"""Reads of the directory, bounded and prefetched: each page costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from partners.models import Agency, Officer, Party, PartyStatus, Role
from taskforces.models import TaskForceMembership

# The order the directory lists statuses in.
STATUS_ORDER = [
    PartyStatus.MEMBER,
    PartyStatus.OPERATIONAL_PARTNER,
    PartyStatus.OBSERVER,
    PartyStatus.FORMER,
]


def officer_profile(officer_id: int) -> Officer:
    return (
        Officer.objects.select_related("agency__party")
        .prefetch_related(
            Prefetch(
                "task_force_memberships",
                queryset=TaskForceMembership.objects.select_related("task_force", "sub_task_force"),
            )
        )
        .get(pk=officer_id)
    )


def parties_grouped_by_status() -> list[tuple[str, list[Party]]]:
    """Parties under their status heading (members first), each with its agencies."""
    parties = Party.objects.prefetch_related(
        Prefetch("agencies", queryset=Agency.objects.order_by("-is_national_focal_point", "name"))
    ).order_by("name")
    grouped: dict[str, list[Party]] = {status: [] for status in STATUS_ORDER}
    for party in parties:
        grouped[party.status].append(party)
    return [(PartyStatus(status).label, members) for status, members in grouped.items() if members]


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
    notice about their agencies' work goes to (the NFP reviews its country's traffic)."""
    return Officer.objects.filter(is_active=True).filter(
        Q(agency_id__in=list(agency_ids))
        | Q(role=Role.NFP_OFFICER, agency__party_id__in=list(nfp_party_ids))
    )
