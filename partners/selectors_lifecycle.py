"""Reads of the account lifecycle: authenticator resets and who decides them, the officers,
agencies and parties an administrator offboards. Each page reads a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from partners import policy_lifecycle
from partners.models import Agency, ContentAccess, Officer, Party, Role
from partners.models_lifecycle import AuthenticatorReset, AuthenticatorResetStatus
from partners.policy_onboarding import onboards
from partners.selectors import officer_facts

# Requests are rare (a lost phone); a page shows this many at most.
RESETS_PAGE = 100


def is_directory_admin(officer: Officer) -> bool:
    """``policy_onboarding.onboards`` of the officer: the one rule of who manages the directory."""
    return onboards(
        role=officer.role, is_active=officer.is_active, is_superuser=officer.is_superuser
    )


def _with_access_besides_subject() -> QuerySet[Officer]:
    return Officer.objects.filter(
        is_active=True, agency__isnull=False, content_access=ContentAccess.CONFIRMED
    ).exclude(pk=OuterRef("officer_id"))


def _resets() -> QuerySet[AuthenticatorReset]:
    """Requests with their officer (agency, party) and whether the officer's NFP, or agency,
    has someone with access other than the officer (evaluated per row)."""
    others = _with_access_besides_subject()
    return AuthenticatorReset.objects.select_related(
        "officer__agency__party", "confirmed_by", "reset_by"
    ).annotate(
        nfp_can_confirm=Exists(
            others.filter(
                role=Role.NFP_OFFICER,
                agency__is_national_focal_point=True,
                agency__party_id=OuterRef("officer__agency__party_id"),
            )
        ),
        colleague_can_confirm=Exists(others.filter(agency_id=OuterRef("officer__agency_id"))),
    )


def reset_facts(reset: AuthenticatorReset) -> policy_lifecycle.ResetFacts:
    agency = reset.officer.agency if reset.officer.agency_id else None
    return policy_lifecycle.ResetFacts(
        officer_id=reset.officer_id,
        agency_id=reset.officer.agency_id,
        party_id=agency.party_id if agency else None,
        status=reset.status,
        confirmed_by_id=reset.confirmed_by_id,
        nfp_can_confirm=reset.nfp_can_confirm,  # type: ignore[attr-defined]
        colleague_can_confirm=reset.colleague_can_confirm,  # type: ignore[attr-defined]
    )


def reset_with_facts(
    reset_id: int, *, lock: bool = False
) -> tuple[AuthenticatorReset, policy_lifecycle.ResetFacts] | None:
    rows = _resets().filter(pk=reset_id)
    if lock:
        rows = rows.select_for_update(of=("self",))
    reset = rows.first()
    return (reset, reset_facts(reset)) if reset else None


def resets_to_confirm(officer: Officer) -> list[AuthenticatorReset]:
    """The open requests whose officer's identity this officer confirms, oldest first: narrowed
    in SQL to those ``policy_lifecycle.may_confirm_identity`` can allow, each checked by it."""
    facts = officer_facts(officer)
    admin = is_directory_admin(officer)
    mine = Q(pk__in=[])
    if admin:
        mine |= Q(officer__agency__isnull=True) | Q(
            nfp_can_confirm=False, colleague_can_confirm=False
        )
    if facts.has_access and facts.party_id is not None:
        mine |= Q(
            nfp_can_confirm=False, colleague_can_confirm=True, officer__agency_id=facts.agency_id
        )
        if facts.role == Role.NFP_OFFICER:
            mine |= Q(nfp_can_confirm=True, officer__agency__party_id=facts.party_id)
    rows = (
        _resets()
        .filter(status=AuthenticatorResetStatus.REQUESTED)
        .filter(mine)
        .exclude(officer_id=officer.pk)
        .order_by("requested_at", "id")[:RESETS_PAGE]
    )
    return [
        r
        for r in rows
        if policy_lifecycle.may_confirm_identity(facts, admin=admin, reset=reset_facts(r))
    ]


def resets_confirmed() -> list[AuthenticatorReset]:
    """The requests an administrator may now carry out, oldest first."""
    return list(
        _resets()
        .filter(status=AuthenticatorResetStatus.CONFIRMED)
        .order_by("confirmed_at", "id")[:RESETS_PAGE]
    )


def resets_recent(*, limit: int = 20) -> list[AuthenticatorReset]:
    """The requests lately closed (reset or refused), newest first."""
    return list(
        _resets()
        .filter(status__in=[AuthenticatorResetStatus.DONE, AuthenticatorResetStatus.REFUSED])
        .order_by("-requested_at", "-id")[:limit]
    )


def offers_reset_confirmations(officer: Officer) -> bool:
    """Whom the confirmations page is for: NFP officers and colleagues with access, and
    directory administrators (for the secretariat's requests)."""
    facts = officer_facts(officer)
    return facts.has_access or is_directory_admin(officer)


def officer_for_admin(pk: int) -> Officer:
    officer = Officer.objects.select_related("agency__party").filter(pk=pk).first()
    if officer is None:
        raise Http404(_("No such officer."))
    return officer


def agency_for_admin(pk: int) -> Agency:
    agency = Agency.objects.select_related("party").filter(pk=pk).first()
    if agency is None:
        raise Http404(_("No such agency."))
    return agency


def active_officers_of(*, agency_ids: list[int]) -> QuerySet[Officer]:
    return Officer.objects.filter(agency_id__in=agency_ids, is_active=True).select_related(
        "agency__party"
    )


def nfp_officers_of(party_id: int) -> QuerySet[Officer]:
    """The NFP officers of a party with access: told when an account of their party closes."""
    return Officer.objects.filter(
        is_active=True,
        content_access=ContentAccess.CONFIRMED,
        role=Role.NFP_OFFICER,
        agency__party_id=party_id,
    )


def identity_confirmers(reset: policy_lifecycle.ResetFacts) -> QuerySet[Officer]:
    """Who may confirm the request (``policy_lifecycle.may_confirm_identity``), as one query."""
    who = policy_lifecycle.identity_confirmer(reset)
    if who is policy_lifecycle.IdentityConfirmer.ADMIN:
        return resetting_admins(exclude=[reset.officer_id])
    # Only secretariat staff (confirmed by an admin) have no agency, hence no party.
    assert reset.agency_id is not None
    assert reset.party_id is not None
    with_access = Officer.objects.filter(
        is_active=True, agency__isnull=False, content_access=ContentAccess.CONFIRMED
    ).exclude(pk=reset.officer_id)
    if who is policy_lifecycle.IdentityConfirmer.NFP:
        return with_access.filter(role=Role.NFP_OFFICER, agency__party_id=reset.party_id)
    return with_access.filter(agency_id=reset.agency_id)


def resetting_admins(*, exclude: list[int]) -> QuerySet[Officer]:
    """The active directory administrators, but these."""
    return Officer.objects.filter(is_active=True, role=Role.DIRECTORY_ADMIN).exclude(pk__in=exclude)


def failed_logins_of(username: str) -> int:
    """The failed logins django-axes holds against the username (what an unlock clears)."""
    from axes.models import AccessAttempt

    total = AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))
    return int(total["n"] or 0)


def party_by_code_for_admin(code: str) -> Party:
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise Http404(_("No such party."))
    return party


def agencies_of_party(party: Party) -> list[Agency]:
    """The party's agencies with their active officers counted (one query)."""
    return list(
        party.agencies.annotate(
            active_officers=Count("officers", filter=Q(officers__is_active=True))
        ).order_by("-is_national_focal_point", "name")
    )
