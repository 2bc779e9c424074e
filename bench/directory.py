"""The agencies and officers the generated exchanges come from and go to.

The demo personas cover nine agencies; every other agency whose party takes part in SELEC gets
one officer of its own (an NFP officer for a National Focal Point), created and confirmed
through the directory services as an administrator would, so that every agency can send,
read and be notified, and every member's National Focal Point has its group.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from exchanges.facts import agency_facts, load_agencies
from exchanges.permissions import exchange_permission_ids, principal_groups
from exchanges.policy import Perm, Principal, may_hold
from partners.capabilities import capabilities_for
from partners.models import (
    AccessConfirmation,
    AccessConfirmationStatus,
    Agency,
    ContentAccess,
    Officer,
    Posting,
    Role,
)
from partners.selectors import officers_concerned, officers_who_decide
from partners.services.access_confirmations import (
    officer_access_confirm_by_operator,
    officer_access_decide,
)
from partners.services.officers import officer_create
from selec.core.policy_values import AgencyFacts

HEAVY_AGENCY_OF = "lo.ro"
NFP_PERSONA = "nfp.ro"
OBSERVER_PERSONA = "obs.at"
ANALYST_PERSONA = "analyst"
CONFIRMATION_NOTE = "Officer of the benchmark database."


@dataclass(frozen=True)
class Author:
    id: int
    username: str
    agency_name: str
    party_code: str


@dataclass(frozen=True)
class Desk:
    """An agency as the generator uses it."""

    facts: AgencyFacts
    kind: str
    is_nfp: bool
    # Officers who write its exchanges and read what it receives (never empty).
    authors: tuple[Author, ...]
    # Whom a notice about an exchange addressed to it reaches (its officers, its NFP's).
    notified: tuple[int, ...]

    @property
    def id(self) -> int:
        return self.facts.id

    @property
    def party_id(self) -> int:
        return self.facts.party_id

    def may_hold(self, *, personal_data: bool) -> bool:
        return may_hold(self.facts, personal_data=personal_data)


@dataclass(frozen=True)
class Directory:
    desks: tuple[Desk, ...]
    by_id: dict[int, Desk]
    heavy: Desk
    groups: dict[Principal, int]
    # (kind, id) of a principal ("agency"/"nfp") to its group: the cases' principals too.
    groups_by_key: dict[tuple[str, int], int]
    exchange_perm_ids: dict[Perm, int]
    analyst_id: int


def _with_access() -> list[Officer]:
    return list(
        Officer.objects.select_related("agency__party").filter(
            is_active=True, agency__isnull=False, content_access=ContentAccess.CONFIRMED
        )
    )


def _confirm(officer: Officer) -> None:
    """Confirm a new officer's access as the directory's rules ask: by their National Focal
    Point (or a colleague with access), or by the operator for the first of a party."""
    confirmation = AccessConfirmation.objects.select_related("agency").get(
        officer=officer, status=AccessConfirmationStatus.PENDING
    )
    decider = officers_who_decide(confirmation).first()
    if decider is None:
        officer_access_confirm_by_operator(officer=officer, note=CONFIRMATION_NOTE)
        return
    try:
        officer_access_decide(
            actor=decider, confirmation_id=confirmation.pk, confirm=True, note=CONFIRMATION_NOTE
        )
    except PermissionDenied:
        officer_access_confirm_by_operator(officer=officer, note=CONFIRMATION_NOTE)


def staff_every_agency() -> int:
    """One confirmed officer for each agency that takes part in SELEC and has none; the
    National Focal Points first, so that they confirm their country's others. Returns how
    many were created."""
    staffed = {o.agency_id for o in _with_access()}
    agencies = [
        a
        for a in Agency.objects.select_related("party").order_by("-is_national_focal_point", "pk")
        if a.pk not in staffed and capabilities_for(a.party.status).may_exchange
    ]
    for agency in agencies:
        nfp = agency.is_national_focal_point
        officer = officer_create(
            actor=None,
            username=f"bench.{agency.party.code.lower()}.{agency.pk}",
            password=None,
            role=Role.NFP_OFFICER if nfp else Role.LIAISON_OFFICER,
            agency=agency,
            posted_at=Posting.HOME if nfp else Posting.HQ,
            first_name="Bench",
            last_name=agency.name[:150],
            email=f"bench.{agency.pk}@bench.selec.invalid",
        )
        _confirm(officer)
    return len(agencies)


def _agency_id(officer: Officer) -> int:
    if officer.agency_id is None:
        raise ValueError(f"{officer.username} belongs to no agency")
    return officer.agency_id


def load_directory() -> Directory:
    officers = _with_access()
    authors: dict[int, list[Author]] = {}
    for officer in sorted(officers, key=lambda o: o.pk):
        agency = officer.agency
        assert agency is not None  # _with_access() reads officers of an agency only
        authors.setdefault(agency.pk, []).append(
            Author(officer.pk, officer.username, agency.name, agency.party.code)
        )
    agencies = load_agencies(Agency.objects.values_list("pk", flat=True))
    desks = []
    for agency in agencies:
        if agency.pk not in authors or not capabilities_for(agency.party.status).may_exchange:
            continue
        notified = officers_concerned(agency_ids=[agency.pk], nfp_party_ids=[agency.party_id])
        desks.append(
            Desk(
                facts=agency_facts(agency),
                kind=agency.kind,
                is_nfp=agency.is_national_focal_point,
                authors=tuple(authors[agency.pk]),
                notified=tuple(sorted(notified.values_list("pk", flat=True))),
            )
        )
    by_id = {d.id: d for d in desks}
    personas = {
        o.username: o
        for o in Officer.objects.select_related("agency__party").filter(
            username__in=[HEAVY_AGENCY_OF, NFP_PERSONA, OBSERVER_PERSONA, ANALYST_PERSONA]
        )
    }
    groups = principal_groups(agencies)
    return Directory(
        desks=tuple(desks),
        by_id=by_id,
        heavy=by_id[_agency_id(personas[HEAVY_AGENCY_OF])],
        groups=groups,
        groups_by_key={(p.kind, p.id): g for p, g in groups.items()},
        exchange_perm_ids=exchange_permission_ids(),
        analyst_id=personas[ANALYST_PERSONA].pk,
    )
