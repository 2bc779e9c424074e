"""Reads of the onboarding pages: bounded and prefetched, a fixed number of queries each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from partners import policy_onboarding
from partners.models import ROLES_OF_AN_AGENCY, Agency, Invitation, Officer, Party
from partners.policy_onboarding import Stage

# A party has tens of officers; past this many the page shows the first ones and says so.
OFFICERS_SHOWN = 300


@dataclass(frozen=True)
class OfficerRow:
    officer: Officer
    stage: Stage
    may_invite: bool


@dataclass(frozen=True)
class Roster:
    agencies: list[Agency]
    officers: list[OfficerRow]
    more_officers: bool
    next_step: str


def parties_for_onboarding() -> QuerySet[Party]:
    """Every party (a few dozen) with how many agencies and officers it has."""
    return Party.objects.annotate(
        agency_count=Count("agencies", distinct=True),
        officer_count=Count("agencies__officers", distinct=True),
    ).order_by("name")


def party_for_onboarding(code: str) -> Party:
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise Http404
    return party


def officer_for_onboarding(pk: int) -> Officer:
    """An officer of an agency (secretariat staff are not onboarded here), with their party."""
    officer = (
        Officer.objects.select_related("agency__party")
        .filter(pk=pk, role__in=[r.value for r in ROLES_OF_AN_AGENCY])
        .first()
    )
    if officer is None:
        raise Http404
    return officer


def open_agencies_of(party: Party) -> QuerySet[Agency]:
    """The agencies an officer of ``party`` may be assigned to."""
    return Agency.objects.filter(party=party, closed_at__isnull=True).order_by(
        "-is_national_focal_point", "name"
    )


def party_roster(party: Party) -> Roster:
    """The party's agencies and officers, each officer with the stage of their account."""
    agencies = list(Agency.objects.filter(party=party).order_by("-is_national_focal_point", "name"))
    open_invitations = Invitation.objects.filter(
        used_at__isnull=True, revoked_at__isnull=True
    ).only("officer_id", "expires_at")
    officers = list(
        Officer.objects.filter(agency__party=party)
        .select_related("agency")
        .prefetch_related(Prefetch("invitations", open_invitations, to_attr="open_invitations"))
        .order_by("agency__name", "last_name", "first_name", "pk")[: OFFICERS_SHOWN + 1]
    )
    now = timezone.now()
    rows = [_row(officer, now) for officer in officers[:OFFICERS_SHOWN]]
    return Roster(
        agencies=agencies,
        officers=rows,
        more_officers=len(officers) > OFFICERS_SHOWN,
        next_step=policy_onboarding.next_step(
            agency_count=len(agencies),
            has_nfp=any(agency.is_national_focal_point for agency in agencies),
            stages=[row.stage for row in rows],
        ),
    )


def _row(officer: Officer, now: dt.datetime) -> OfficerRow:
    invitations = getattr(officer, "open_invitations", [])
    has_password = officer.has_usable_password()
    return OfficerRow(
        officer=officer,
        stage=policy_onboarding.officer_stage(
            is_active=officer.is_active,
            has_usable_password=has_password,
            open_invitation_expires_at=invitations[0].expires_at if invitations else None,
            now=now,
            content_access=officer.content_access,
        ),
        may_invite=policy_onboarding.may_invite(
            is_active=officer.is_active, has_usable_password=has_password
        ),
    )
