"""Writes to cases: one use case per function, one transaction, one audit event.

Here the case itself: opening it with its first participants, editing it, moving it through its
statuses, inviting participants, and the audited consultation of its content. Its meetings are
written by ``cases.services_meetings`` and its results by ``cases.services_results``, with the
few helpers they share with these (marked below).

Who may do what is decided by ``cases.policy``; every function that changes the facts it decides
on (participants, analysts, personal data) stores the result again with
``case_permissions_sync`` before it returns. Reads of content are audited by the services too:
the case page as a consultation (here), a meeting's attachment as a disclosure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import policy
from cases.facts import case_facts, linked_personal_data, party_facts
from cases.models import (
    REFERENCE_CODES,
    Case,
    CaseAuditEvent,
    CaseKind,
    CaseReferenceCounter,
    CaseStatus,
)
from cases.notify import notify_new_participants
from cases.permissions import case_permissions_sync
from cases.policy import CasePerm
from cases.selectors import require_case_perm
from exchanges.facts import agency_facts, load_agencies
from partners.models import Agency, Officer, Party, Role
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.policy_values import PolicyError, Restrictions
from selec.core.service_helpers import counter_next, max_length_of, refused_as

# The statuses a case may be opened with; the others are reached by changing its status.
OPENING_STATUSES = (CaseStatus.PLANNED, CaseStatus.ACTIVE)


@dataclass(frozen=True)
class CaseDetails:
    """What the lead writes about a case: shared by opening and editing it."""

    name: str
    started_on: dt.date
    ended_on: dt.date | None = None
    task_force_id: int | None = None
    crime_area_id: int | None = None
    description: str = ""
    restrictions: Restrictions = field(default_factory=Restrictions)
    personal_data: bool = False
    # The operation's series ("Mirage"): a public label, never a target's name.
    series: str = ""


def allocate_case_reference(kind: CaseKind | str, year: int) -> str:
    """The next ``SELEC-JI-YYYY-NNNN`` (or ``-RO-``), counted per year and kind, consecutive and
    never repeated (``counter_next``)."""
    number = counter_next(CaseReferenceCounter, year=year, kind=str(CaseKind(kind)))
    return f"SELEC-{REFERENCE_CODES[CaseKind(kind)]}-{year}-{number:04d}"


# --- Shared with the services of the case's meetings and results ----------------------------------


def locked_case(case: Case) -> Case:
    """The case as stored, locked until the transaction ends: changes to one case happen one
    after the other, each seeing the last one's result."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("lead_party", "task_force", "crime_area")
        .get(pk=case.pk)
    )


_CLOSED_TO = {
    "meetings": gettext_lazy("%(reference)s is closed: reopen it before adding meetings."),
    "results": gettext_lazy("%(reference)s is closed: reopen it before adding results."),
}


def require_open(case: Case, what: str) -> None:
    """Refuse new meetings or results (``what``: "meetings" or "results") in a closed case: it
    is reopened first."""
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"case": [_CLOSED_TO[what] % {"reference": case.reference}]})


# --- The days a caller dates things by ------------------------------------------------------

# A case's period, a meeting's days, a result's report: none before 1900 (the first day a date
# of birth may name), none after 2100 (a typing error, not a plan). Beyond them a day is
# refused: year 78 would be kept, and shown on the timeline at the local mean time of the
# zone's oldest rules (+01:44:24), which is not an offset an API may answer.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def day_errors(**days: dt.date | None) -> dict[str, list[str]]:
    """The errors of the days given (by field name) that fall outside FIRST_DAY..LAST_DAY."""
    message = _("Choose a day from %(first)s to %(last)s.") % {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }
    return {
        name: [message]
        for name, day in days.items()
        if day is not None and not FIRST_DAY <= day <= LAST_DAY
    }


# --- The case itself ------------------------------------------------------------------------------


def _validate_details(details: CaseDetails) -> None:
    errors = day_errors(started_on=details.started_on, ended_on=details.ended_on)
    if not details.name.strip():
        errors["name"] = [_("A name is required.")]
    elif len(details.name.strip()) > max_length_of(Case, "name"):
        errors["name"] = [_("A name has at most 120 characters.")]
    try:
        policy.check_period(details.started_on, details.ended_on)
    except PolicyError as exc:
        errors.setdefault("ended_on", []).append(str(exc))
    if len(_series(details.series)) > max_length_of(Case, "series"):
        errors["series"] = [_("A series has at most 60 characters.")]
    if details.restrictions.text and len(details.restrictions.text) > 2000:
        errors["restriction_text"] = [_("The H3 text has at most 2000 characters.")]
    if errors:
        raise ValidationError(errors)


def _series(text: str) -> str:
    """A series as the report groups it: its words separated by single spaces."""
    return " ".join(text.split())


def _apply_details(case: Case, details: CaseDetails) -> None:
    case.name = details.name.strip()
    case.series = _series(details.series)
    case.started_on, case.ended_on = details.started_on, details.ended_on
    case.task_force_id, case.crime_area_id = details.task_force_id, details.crime_area_id
    case.description = details.description
    case.restrict_evidence = details.restrictions.evidence
    case.restrict_dissemination = details.restrictions.dissemination
    case.restriction_text = details.restrictions.text.strip()
    case.personal_data = details.personal_data


def _analysts(analyst_ids: Sequence[int]) -> list[Officer]:
    """The officers named as analysts, all of them active SELEC analysts."""
    ids = set(analyst_ids)
    found = list(Officer.objects.filter(pk__in=ids, is_active=True))
    if len(found) != len(ids):
        raise ValidationError({"analysts": [_("Choose analysts among the active SELEC analysts.")]})
    with refused_as("analysts"):
        policy.check_analysts({o.pk: o.role for o in found})
    return found


def _agencies(agency_ids: Sequence[int]) -> list[Agency]:
    agencies = load_agencies(agency_ids)
    if len(agencies) != len(set(agency_ids)):
        raise ValidationError({"agencies": [_("Choose existing agencies.")]})
    return agencies


def _lead_agency(officer: Officer, lead_agency_id: int | None) -> Agency:
    """An officer of an agency opens a case led by their agency's party; a SELEC analyst opens
    one for the lead agency they name (and is named on it)."""
    own = None
    if officer.agency_id is not None:
        if lead_agency_id not in (None, officer.agency_id):
            raise ValidationError({"lead_agency": [_("Your own agency leads the cases you open.")]})
        own = Agency.objects.select_related("party").get(pk=officer.agency_id)
    try:
        policy.check_opener(role=officer.role, agency=agency_facts(own) if own else None)
    except PolicyError as exc:
        raise PermissionDenied(str(exc)) from exc
    if own is not None:
        return own
    if lead_agency_id is None:
        raise ValidationError({"lead_agency": [_("Name the agency that leads the case.")]})
    found = load_agencies([lead_agency_id])
    if not found:
        raise ValidationError({"lead_agency": [_("Choose an existing agency.")]})
    return found[0]


@transaction.atomic
def case_create(
    *,
    officer: Officer,
    kind: CaseKind | str,
    details: CaseDetails,
    status: CaseStatus | str = CaseStatus.PLANNED,
    agency_ids: Sequence[int] = (),
    analyst_ids: Sequence[int] = (),
    lead_agency_id: int | None = None,
) -> Case:
    """Open a joint investigation or a regional operation, led by the officer's party (by the
    named lead agency's party when a SELEC analyst opens it), with its first participants."""
    lead = _lead_agency(officer, lead_agency_id)
    if kind not in CaseKind.values:
        raise ValidationError(
            {"kind": [_("Choose a joint investigation or a regional operation.")]}
        )
    if status not in OPENING_STATUSES:
        raise ValidationError({"status": [_("A case opens as planned or active.")]})
    _validate_details(details)
    with refused_as("lead_agency"):
        policy.check_lead(agency_facts(lead))
    agencies = [lead, *(a for a in _agencies(agency_ids) if a.pk != lead.pk)]
    with refused_as("agencies"):
        policy.check_participants(
            tuple(agency_facts(a) for a in agencies),
            personal_data=details.personal_data,
            personal_data_reason=_("it is marked as carrying personal data"),
        )
    analysts = _analysts([*analyst_ids, *([officer.pk] if officer.role == Role.ANALYST else [])])
    now = timezone.now()
    case = Case(
        # The year the case happened in, not the year it is entered: operation Mirage of 2003,
        # entered today, is SELEC-RO-2003-NNNN and counts in 2003's results.
        reference=allocate_case_reference(kind, details.started_on.year),
        kind=kind,
        lead_party=lead.party,
        status=status,
        created_by=officer,
        created_at=now,
    )
    _apply_details(case, details)
    case.full_clean(exclude=["lead_party", "task_force", "crime_area", "created_by", "reference"])
    case.save(force_insert=True)
    case.participants.set({lead.party_id, *(a.party_id for a in agencies)})
    case.agencies.set(agencies)
    case.analysts.set(analysts)
    case_permissions_sync([case.pk])
    event = audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=CaseAuditEvent.OPENED,
        target=case,
        reason=f"{case.kind} opened",
        details={
            "reference": case.reference,
            "lead": lead.party.code,
            "series": case.series,
            "agencies": sorted(f"{a.party.code}:{a.pk}" for a in agencies),
            "analysts": sorted(o.username for o in analysts),
            "personal_data": case.personal_data,
            "handling": case.handling_codes,
        },
    )
    notify_new_participants(
        case=case,
        by=officer,
        event_id=event.pk,
        agencies=agencies,
        parties=case.participants.all(),
        analysts=analysts,
    )
    return case


@transaction.atomic
def case_update(*, officer: Officer, case: Case, details: CaseDetails) -> Case:
    """The lead edits the case. Marking it as carrying personal data is refused while an
    observer takes part; the grants follow the new facts at once."""
    require_case_perm(officer, case, CasePerm.MANAGE)
    case = locked_case(case)
    _validate_details(details)
    before = {
        "personal_data": case.personal_data,
        "handling": case.handling_codes,
        "series": case.series,
    }
    _apply_details(case, details)
    facts = case_facts(case)
    with refused_as("personal_data"):
        policy.check_personal_data(facts)
    case.full_clean(exclude=["lead_party", "task_force", "crime_area", "created_by"])
    case.save(
        update_fields=[
            "name",
            "series",
            "started_on",
            "ended_on",
            "task_force",
            "crime_area",
            "description",
            "restrict_evidence",
            "restrict_dissemination",
            "restriction_text",
            "personal_data",
        ]
    )
    case_permissions_sync([case.pk])
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=CaseAuditEvent.EDITED,
        target=case,
        reason="case edited",
        details={
            "reference": case.reference,
            "from": before,
            "to": {
                "personal_data": case.personal_data,
                "handling": case.handling_codes,
                "series": case.series,
            },
        },
    )
    return case


@transaction.atomic
def case_change_status(*, officer: Officer, case: Case, status: CaseStatus | str) -> Case:
    """The lead moves the case on: planned, active, action day, closed (or reopens it)."""
    require_case_perm(officer, case, CasePerm.MANAGE)
    case = locked_case(case)
    if status not in CaseStatus.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    previous = case.status
    with refused_as("status"):
        policy.check_transition(previous, status)
    case.status = status
    case.save(update_fields=["status"])
    audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=CaseAuditEvent.STATUS_CHANGED,
        target=case,
        reason="case status changed",
        details={"reference": case.reference, "from": previous, "to": str(status)},
    )
    return case


def _personal_data_reason(case: Case, linked: bool) -> str:
    if case.personal_data:
        return _("it is marked as carrying personal data")
    return _("an exchange linked to it carries personal data") if linked else ""


@transaction.atomic
def case_invite(
    *,
    officer: Officer,
    case: Case,
    agency_ids: Sequence[int] = (),
    party_ids: Sequence[int] = (),
    analyst_ids: Sequence[int] = (),
) -> Case:
    """The lead invites agencies (their parties join with them), parties on their own (their
    National Focal Points follow the case) and names analysts. An observer is refused while the
    case carries personal data, by its flag or a linked exchange."""
    require_case_perm(officer, case, CasePerm.MANAGE)
    case = locked_case(case)
    if not agency_ids and not party_ids and not analyst_ids:
        raise ValidationError({"agencies": [_("Choose the agencies or analysts to invite.")]})
    present = set(case.agencies.values_list("pk", flat=True))
    agencies = [a for a in _agencies(agency_ids) if a.pk not in present]
    parties = list(Party.objects.filter(pk__in=set(party_ids)))
    if len(parties) != len(set(party_ids)):
        raise ValidationError({"parties": [_("Choose existing parties.")]})
    linked = linked_personal_data(case)
    personal = case.personal_data or linked
    reason = _personal_data_reason(case, linked)
    with refused_as("agencies"):
        policy.check_participants(
            tuple(agency_facts(a) for a in agencies),
            personal_data=personal,
            personal_data_reason=reason,
        )
    with refused_as("parties"):
        policy.check_participants(
            (),
            tuple(party_facts(p) for p in parties),
            personal_data=personal,
            personal_data_reason=reason,
        )
    analysts = _analysts(analyst_ids)
    present_parties = set(case.participants.values_list("pk", flat=True))
    present_analysts = set(case.analysts.values_list("pk", flat=True))
    case.agencies.add(*agencies)
    case.participants.add(*{a.party_id for a in agencies}, *parties)
    case.analysts.add(*analysts)
    case_permissions_sync([case.pk])
    event = audit_record(
        actor=officer,
        action=AuditAction.ALTERATION,
        event=CaseAuditEvent.PARTICIPANTS_INVITED,
        target=case,
        reason="participants invited",
        details={
            "reference": case.reference,
            "agencies": sorted(f"{a.party.code}:{a.pk}" for a in agencies),
            "parties": sorted(p.code for p in parties),
            "analysts": sorted(o.username for o in analysts),
        },
    )
    notify_new_participants(
        case=case,
        by=officer,
        event_id=event.pk,
        agencies=agencies,
        parties=Party.objects.filter(
            pk__in={a.party_id for a in agencies} | {p.pk for p in parties}
        ).exclude(pk__in=present_parties),
        analysts=[o for o in analysts if o.pk not in present_analysts],
    )
    return case


@transaction.atomic
def case_consult(*, officer: Officer, case: Case) -> frozenset[CasePerm]:
    """Open a case's page (its description, meetings, results): audited as a consultation in
    the same transaction, so a read whose event cannot be written fails. Returns the officer's
    permissions on the case."""
    perms = require_case_perm(officer, case, CasePerm.VIEW)
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=CaseAuditEvent.CONSULTED,
        target=case,
        reason="case consulted",
        details={"reference": case.reference},
    )
    return perms


def analysts_remove(officer_ids: Sequence[int]) -> dict[str, int]:
    """Offboarding (``partners.offboarding``): the officers are no longer named on any case,
    and the cases' permissions are stored again without them. Runs in the offboarding's
    transaction, whose audit event records the count. A case's agencies stay: what an agency
    took part in remains its history."""
    seats = Case.analysts.through.objects.filter(officer_id__in=list(officer_ids))
    case_ids = list(seats.values_list("case_id", flat=True).distinct())
    removed, _ = seats.delete()
    case_permissions_sync(case_ids)
    return {"case_analyst_seats": removed}
