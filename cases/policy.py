"""Who may do what with a joint investigation or regional operation: the one place this is
decided.

Pure functions over plain facts (no database), as ``exchanges.policy`` is for exchanges:
``grants_for`` returns the object permissions each principal must hold, and
``cases.permissions`` stores exactly that with django-guardian.

The rules:
1. Only officers of participating agencies, the National Focal Points of participating parties
   and the analysts the case names see a case; everyone else gets 404.
2. The lead party's participating agencies manage it: edit, change its status, invite.
3. Participating agencies (of members and operational partners) and the named analysts add
   meetings and record results; an agency records the results of its own party, the lead's
   agencies and the analysts those of any participating party.
4. An observer follows a case (reads it) and only while the case carries no personal data (its
   flag, or an exchange linked to it): it cannot be invited otherwise, and loses the case at once
   when its party is downgraded to observer in a case that does carry personal data.
5. Former parties hold nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cases.models import CaseStatus
from partners.capabilities import capabilities_for, status_may_hold
from partners.models import PartyStatus, Role
from selec.core.policy_values import AgencyFacts, PolicyError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["PolicyError"]


class CasePerm(StrEnum):
    VIEW = "view_case"
    MANAGE = "manage_case"
    ADD_MEETING = "add_meeting_case"
    RECORD_RESULT = "record_result_case"


@dataclass(frozen=True)
class PartyFacts:
    id: int
    code: str
    name: str
    status: str


@dataclass(frozen=True)
class CaseFacts:
    lead_party_id: int
    # The participating parties (the lead among them) and their participating agencies.
    parties: tuple[PartyFacts, ...]
    agencies: tuple[AgencyFacts, ...]
    analyst_ids: frozenset[int]
    # The case's own flag, or an exchange linked to it that carries personal data.
    personal_data: bool


@dataclass(frozen=True)
class CasePrincipal:
    """Who holds a case permission: an agency's group, a party's NFP group, or an analyst."""

    kind: str  # "agency" | "nfp" | "analyst"
    id: int  # agency id, party id or officer id


def acts_in_operations(status: str) -> bool:
    return capabilities_for(status).may_take_part_in_operations


@dataclass(frozen=True)
class CaseActions:
    """What the case page offers an officer, from the permissions they hold on the case."""

    manage: bool  # invite, change the status, edit
    add_meeting: bool
    record_results: bool
    new_exchange: bool


def case_actions(
    perms: frozenset[CasePerm], *, status: str, has_agency: bool, records_for_a_party: bool
) -> CaseActions:
    """A closed case takes no new exchanges, meetings or results (its lead may reopen it);
    exchanges are sent by officers of an agency; results are offered when the officer may
    record them for at least one party (``records_for``)."""
    open_ = status != CaseStatus.CLOSED
    return CaseActions(
        manage=CasePerm.MANAGE in perms,
        add_meeting=open_ and CasePerm.ADD_MEETING in perms,
        record_results=open_ and records_for_a_party,
        new_exchange=open_ and has_agency,
    )


def works_on_cases(*, role: str, has_agency: bool) -> bool:
    """The cases pages: for officers of an agency (their party's cases) and SELEC analysts
    (the cases they are named on)."""
    return has_agency or role == Role.ANALYST


def may_open_case(*, role: str, party_status: str | None) -> bool:
    """Whether ``check_opener`` lets an officer open a case: ``party_status`` is that of the
    officer's agency, None for secretariat staff."""
    if party_status is not None:
        return acts_in_operations(party_status)
    return role == Role.ANALYST


def check_opener(*, role: str, agency: AgencyFacts | None) -> None:
    """Who opens a case: an officer of an agency whose party takes part in operations (its
    party leads the case), or a SELEC analyst of the secretariat (for the lead agency they
    name, and named on it)."""
    if agency is not None:
        check_lead(agency)
    elif role != Role.ANALYST:
        raise PolicyError(
            _(
                "Only officers of an agency and SELEC analysts open joint investigations and "
                "regional operations."
            )
        )


def grants_for(facts: CaseFacts) -> dict[CasePrincipal, frozenset[CasePerm]]:
    grants: dict[CasePrincipal, set[CasePerm]] = {}

    def grant(principal: CasePrincipal, *perms: CasePerm) -> None:
        grants.setdefault(principal, set()).update(perms)

    for agency in facts.agencies:
        if not status_may_hold(agency.party_status, personal_data=facts.personal_data):
            continue
        principal = CasePrincipal("agency", agency.id)
        grant(principal, CasePerm.VIEW)
        if acts_in_operations(agency.party_status):
            grant(principal, CasePerm.ADD_MEETING, CasePerm.RECORD_RESULT)
            if agency.party_id == facts.lead_party_id:
                grant(principal, CasePerm.MANAGE)
    for party in facts.parties:
        if status_may_hold(party.status, personal_data=facts.personal_data):
            grant(CasePrincipal("nfp", party.id), CasePerm.VIEW)
    for officer_id in facts.analyst_ids:
        grant(
            CasePrincipal("analyst", officer_id),
            CasePerm.VIEW,
            CasePerm.ADD_MEETING,
            CasePerm.RECORD_RESULT,
        )
    return {principal: frozenset(perms) for principal, perms in grants.items()}


def _named(party: PartyFacts | AgencyFacts) -> str:
    if isinstance(party, AgencyFacts):
        return f"{party.name} ({party.party_code})"
    return f"{party.name} ({party.code})"


def check_lead(lead: AgencyFacts) -> None:
    """A case is led by a party that takes part in operations."""
    if not acts_in_operations(lead.party_status):
        raise PolicyError(
            _(
                "%(agency)s cannot lead a joint investigation or operation: only members and "
                "operational partners take part in operations."
            )
            % {"agency": _named(lead)}
        )


def check_participants(
    agencies: tuple[AgencyFacts, ...],
    parties: tuple[PartyFacts, ...] = (),
    *,
    personal_data: bool,
    personal_data_reason: str = "",
) -> None:
    """Refuse participants the rules exclude, naming the first offender and the rule."""
    participants: tuple[AgencyFacts | PartyFacts, ...] = (*agencies, *parties)
    for who in participants:
        status = who.party_status if isinstance(who, AgencyFacts) else who.status
        if not capabilities_for(status).may_exchange:
            raise PolicyError(
                _("%(who)s cannot take part: its party no longer takes part in SELEC.")
                % {"who": _named(who)}
            )
        if personal_data and status == PartyStatus.OBSERVER:
            if personal_data_reason:
                raise PolicyError(
                    # Translators: reason says why the case carries personal data, e.g. "it is
                    # marked as carrying personal data".
                    _(
                        "%(who)s belongs to an observer: observers may join only a case that "
                        "carries no personal data, and this one does (%(reason)s)."
                    )
                    % {"who": _named(who), "reason": personal_data_reason}
                )
            raise PolicyError(
                _(
                    "%(who)s belongs to an observer: observers may join only a case that "
                    "carries no personal data, and this one does."
                )
                % {"who": _named(who)}
            )


def check_personal_data(facts: CaseFacts) -> None:
    """A case with an observer among its participants cannot carry personal data."""
    observers: list[AgencyFacts | PartyFacts] = [
        *(a for a in facts.agencies if a.party_status == PartyStatus.OBSERVER),
        *(p for p in facts.parties if p.status == PartyStatus.OBSERVER),
    ]
    if facts.personal_data and observers:
        raise PolicyError(
            _(
                "%(who)s takes part as an observer: a case with an observer "
                "cannot carry personal data (observers receive strategic information only)."
            )
            % {"who": _named(observers[0])}
        )


def check_analysts(roles: dict[int, str]) -> None:
    for officer_id, role in roles.items():
        if role != Role.ANALYST:
            raise PolicyError(
                _("Officer #%(id)s is not a SELEC analyst: only analysts are named on a case.")
                % {"id": officer_id}
            )


# The status a case may move to from each status; reopening a closed case is the lead's choice.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"active", "closed"}),
    "active": frozenset({"action_day", "closed"}),
    "action_day": frozenset({"active", "closed"}),
    "closed": frozenset({"active"}),
}


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(
            _status_name(status) for status in sorted(TRANSITIONS.get(current, frozenset()))
        ) or pgettext("case statuses", "none")
        raise PolicyError(
            # Translators: current and new are case statuses, e.g. "planned", "action day".
            _("A case that is %(current)s cannot become %(new)s (it may become: %(allowed)s).")
            % {"current": _status_name(current), "new": _status_name(new), "allowed": allowed}
        )


def _status_name(status: str) -> str:
    """A case status as a sentence names it: "action day"."""
    if status in CaseStatus.values:
        return str(CaseStatus(status).label).lower()
    return status.replace("_", " ")


_AS_A: dict[str, StrOrPromise] = {
    PartyStatus.OBSERVER: gettext_lazy("an observer"),
    PartyStatus.FORMER: gettext_lazy("a former member"),
}


def check_result_party(facts: CaseFacts, *, party_id: int) -> None:
    """Results are reported by a participating party that takes part in operations."""
    party = next((p for p in facts.parties if p.id == party_id), None)
    if party is None:
        raise PolicyError(_("Results are recorded for a party taking part in the case."))
    if not acts_in_operations(party.status):
        raise PolicyError(
            # Translators: what is "an observer" or "a former member".
            _("%(party)s is %(what)s: only members and operational partners report results.")
            % {"party": _named(party), "what": _AS_A.get(party.status, party.status)}
        )


def records_for(
    perms: frozenset[CasePerm], *, officer_agency: AgencyFacts | None, party_id: int
) -> bool:
    """Whose results an officer records: their own party's; the lead's agencies and the named
    analysts (who have no agency), those of any participating party."""
    if CasePerm.RECORD_RESULT not in perms:
        return False
    if CasePerm.MANAGE in perms or officer_agency is None:
        return True
    return officer_agency.party_id == party_id


def check_meeting_parties(facts: CaseFacts, party_ids: frozenset[int]) -> None:
    known = {p.id for p in facts.parties}
    if not party_ids <= known:
        raise PolicyError(_("A meeting's participants are parties taking part in the case."))


def check_period(started_on: dt.date, ended_on: dt.date | None) -> None:
    if ended_on is not None and ended_on < started_on:
        raise PolicyError(_("The end of the period comes after its start."))


# --- The results report ---------------------------------------------------------------------


class ReportBy(StrEnum):
    """What the columns of the results report are: one per operation, per operation of a series
    in a year (Mirage 2003, Mirage 2004), per year, or per reporting party."""

    OPERATION = "operation"
    SERIES = "series"
    YEAR = "year"
    PARTY = "party"


class ReportScope(StrEnum):
    ALL_CASES = "all"  # every case (analysts, observers' strategic totals)
    VISIBLE_CASES = "visible"  # the cases the officer sees (their participants)


@dataclass(frozen=True)
class ResultsReportAccess:
    scope: ReportScope | None
    groupings: tuple[ReportBy, ...]

    @property
    def sees_report(self) -> bool:
        return self.scope is not None and bool(self.groupings)

    @property
    def strategic_only(self) -> bool:
        return ReportBy.OPERATION not in self.groupings


NO_REPORT = ResultsReportAccess(scope=None, groupings=())
# Totals per series and year, and per year, over every case: no reference, no party.
STRATEGIC_GROUPINGS = (ReportBy.SERIES, ReportBy.YEAR)


def results_report_access(*, role: str, party_status: str | None) -> ResultsReportAccess:
    """Who reads the results report, over which cases, grouped how.

    Analysts: every case's results, in every grouping (counts and metadata only, as the
    statistics: a case's name and seizure descriptions are not in the report). Officers of
    members and operational partners: the cases they take part in (those they see), in every
    grouping. Observers: the strategic totals of every case, per series and year and per
    year — no operation's reference, no party's figures (as the statistics keep the parties
    table from them). Everyone else (DPO, directory administrators, former members): nothing."""
    if role == Role.ANALYST:
        return ResultsReportAccess(scope=ReportScope.ALL_CASES, groupings=tuple(ReportBy))
    if role in (Role.DPO, Role.DIRECTORY_ADMIN) or party_status is None:
        return NO_REPORT
    capabilities = capabilities_for(party_status)
    if capabilities.may_take_part_in_operations:
        return ResultsReportAccess(scope=ReportScope.VISIBLE_CASES, groupings=tuple(ReportBy))
    if capabilities.receives_strategic_information_only:
        return ResultsReportAccess(scope=ReportScope.ALL_CASES, groupings=STRATEGIC_GROUPINGS)
    return NO_REPORT
