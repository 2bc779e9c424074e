"""Scoped reads of cases. An officer reaches a case only through an object permission held by
one of their groups (agency, NFP) or, for an analyst, personally; everything else answers 404,
the same as for a case that does not exist.

The case page costs a fixed number of queries whatever the number of exchanges, meetings and
results: each list is one query (with its prefetches), and the totals are SQL aggregates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.postgres.aggregates import BoolOr
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseKind,
    CaseStatus,
    CaseUserObjectPermission,
    MeetingAttachment,
    OperationalMeeting,
    Result,
    Seizure,
    SeizureItem,
    SeizureUnit,
)
from cases.policy import CasePerm, acts_in_operations, records_for
from exchanges.facts import agency_facts
from exchanges.models import Exchange, ExchangeKind
from exchanges.selectors import NO_ATTACHMENT, exchanges_visible_to
from partners.capabilities import statuses_that_may_hold
from partners.models import Agency, Officer, Party, Role
from partners.selectors import officer_group_ids
from selec.core.object_permissions import permission_id, permissions_by_id
from selec.core.paging import Keyset, Page, keyset_page, parsed_day_and_id
from selec.core.service_helpers import max_length_of

# Most items of each kind the case page lists (the newest ones); beyond, it says how many more.
TIMELINE_LIMIT = 200
RESULTS_LIMIT = 500
# The most open cases a form offers to link an exchange to (the newest).
LIST_LIMIT = 500
_CASE_REFERENCE_MAX = max_length_of(Case, "reference")


def _held(officer: Officer, **where: Any) -> list[QuerySet[Any]]:
    """The officer's rows of the case permission tables that match ``where``: their groups',
    and their own while they are an analyst (a role change takes those away at once)."""
    rows: list[QuerySet[Any]] = [
        CaseGroupObjectPermission.objects.filter(group_id__in=officer_group_ids(officer), **where)
    ]
    if officer.role == Role.ANALYST:
        rows.append(CaseUserObjectPermission.objects.filter(user_id=officer.pk, **where))
    return rows


def _with_perm(officer: Officer, perm: CasePerm) -> Q:
    """Cases on which one of the officer's groups, or the officer personally, holds ``perm``:
    indexed joins as subqueries, never a global permission."""
    condition = Q()
    # The permission's id as a constant, as for exchanges (``selec.core.object_permissions``).
    for rows in _held(officer, permission_id=permission_id("cases", perm)):
        condition |= Q(pk__in=rows.values("content_object_id"))
    return condition


def cases_visible_to(officer: Officer) -> QuerySet[Case]:
    if not officer.is_active:
        return Case.objects.none()
    return Case.objects.filter(_with_perm(officer, CasePerm.VIEW))


def case_perms(officer: Officer, case: Case) -> frozenset[CasePerm]:
    """What the officer may do with the case (one query).

    Not guardian's ``ObjectPermissionChecker``, which reads the same tables: an analyst's
    personal rows count only while the officer's role is analyst (``_held``: a role change
    takes them away at once, before any re-sync), which the checker cannot know, and it would
    join the permission table where the ids are known to the process."""
    if not officer.is_active:
        return frozenset()
    first, *others = (
        rows.values_list("permission_id", flat=True)
        for rows in _held(officer, content_object_id=case.pk)
    )
    # By the permission's id, as the scoped reads filter them: no join to the permission table.
    perm_of = permissions_by_id("cases", CasePerm)
    return frozenset(perm_of[pk] for pk in (first.union(*others) if others else first))


def require_case_perm(officer: Officer, case: Case, perm: CasePerm) -> frozenset[CasePerm]:
    """404 if the officer may not see the case; 403 if they may see it but not do this."""
    perms = case_perms(officer, case)
    if CasePerm.VIEW not in perms:
        raise Http404(_("No case matches the given query."))
    if perm not in perms:
        raise PermissionDenied(_REFUSALS[perm] % {"reference": case.reference})
    return perms


# What an officer who may read a case is refused, by the permission they lack.
_REFUSALS = {
    CasePerm.VIEW: gettext_lazy("You may not read %(reference)s."),
    CasePerm.MANAGE: gettext_lazy(
        "You may read %(reference)s but not manage it (only the lead party's agencies do)."
    ),
    CasePerm.ADD_MEETING: gettext_lazy("You may read %(reference)s but not add its meetings."),
    CasePerm.RECORD_RESULT: gettext_lazy("You may read %(reference)s but not record its results."),
}


def valid_reference(reference: str) -> bool:
    return 0 < len(reference) <= _CASE_REFERENCE_MAX and all(
        c.isascii() and (c.isalnum() or c == "-") for c in reference
    )


def case_get_for_officer(officer: Officer, *, reference: str) -> Case:
    """The case the reference names, if the officer may see it; 404 otherwise. A reference of
    another shape names nothing and never reaches the database."""
    if not valid_reference(reference):
        raise Http404(_("No case matches the given query."))
    case = (
        cases_visible_to(officer)
        .filter(reference=reference)
        .select_related("lead_party", "task_force", "crime_area", "created_by")
        .first()
    )
    if case is None:
        raise Http404(_("No case matches the given query."))
    return case


@dataclass(frozen=True)
class CaseFilter:
    kind: str = ""
    status: str = ""


def case_rows(officer: Officer, query: CaseFilter = CaseFilter()) -> QuerySet[Case]:
    """The officer's cases (those they may see), newest first, with what a list shows: the API
    and the cases page (``cases_page``) page through it."""
    rows = cases_visible_to(officer).select_related("lead_party", "task_force", "crime_area")
    if query.kind in CaseKind.values:
        rows = rows.filter(kind=query.kind)
    if query.status in CaseStatus.values:
        rows = rows.filter(status=query.status)
    return (
        rows.defer("description")
        .prefetch_related(Prefetch("participants", queryset=Party.objects.order_by("code")))
        .order_by("-started_on", "-pk")
    )


CASE_PAGE_SIZE = 50


def _case_position(case: Case) -> str:
    return f"{case.started_on.isoformat()}_{case.pk}"


def _case_beyond(value: str, *, after: bool) -> Q | None:
    """The cases after the position (the next page's, older) or before it (the previous
    page's, newer), in the list's order: the newest start first, then the highest id."""
    parsed = parsed_day_and_id(value, "_")
    if parsed is None:
        return None
    started_on, pk = parsed
    way = "lt" if after else "gt"
    return Q(**{f"started_on__{way}": started_on}) | Q(started_on=started_on, **{f"pk__{way}": pk})


CASE_KEYSET: Keyset[Case] = Keyset(
    order=("-started_on", "-pk"),
    after=partial(_case_beyond, after=True),
    before=partial(_case_beyond, after=False),
    position=_case_position,
)


def cases_page(
    officer: Officer,
    query: CaseFilter = CaseFilter(),
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = CASE_PAGE_SIZE,
) -> Page[Case]:
    """A page of ``case_rows`` for the cases page, by keyset: however many cases the officer
    sees, a page reads its own rows and their participants (two queries). NotAPosition for a
    position the list did not give out."""
    return keyset_page(
        case_rows(officer, query), CASE_KEYSET, after=after, before=before, limit=limit
    )


def _open_to_officer(officer: Officer) -> QuerySet[Case]:
    """The cases an officer may link a new exchange to: those they see that their party leads
    or takes part in and that are not closed."""
    if officer.agency_id is None:
        return Case.objects.none()
    assert officer.agency is not None
    party_id = officer.agency.party_id
    return (
        cases_visible_to(officer)
        .filter(Q(lead_party_id=party_id) | Q(participants__pk=party_id))
        .exclude(status=CaseStatus.CLOSED)
        .distinct()
    )


def cases_open_to_officer(officer: Officer) -> list[Case]:
    """``_open_to_officer``, newest first (one query)."""
    return list(
        _open_to_officer(officer).defer("description").order_by("-started_on", "-pk")[:LIST_LIMIT]
    )


def case_id_for_officer(officer: Officer, reference: str) -> int | None:
    """The id of a case the officer may link an exchange to, by reference; None otherwise."""
    return (
        _open_to_officer(officer).filter(reference=reference).values_list("pk", flat=True).first()
    )


# --- The case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """An exchange linked to the case or a meeting, placed on the case's timeline."""

    at: dt.datetime
    exchange: Exchange | None = None
    meeting: OperationalMeeting | None = None


@dataclass(frozen=True)
class PartyTotals:
    party: Party
    counts: dict[str, int]


@dataclass(frozen=True)
class ItemTotal:
    item: str
    unit: str
    quantity: Decimal
    currency: str = ""  # the ISO 4217 code of an amount of money

    @property
    def item_label(self) -> str:
        return str(SeizureItem(self.item).label)

    @property
    def unit_label(self) -> str:
        return str(SeizureUnit(self.unit).label)


@dataclass
class CasePage:
    case: Case
    perms: frozenset[CasePerm]
    parties: list[Party]
    agencies: list[Agency]
    analysts: list[Officer]
    linked_personal_data: bool
    # Counted from every exchange linked to the case (not only those the officer sees):
    # information_exchanged (each once) and requests_initiated (requests for assistance).
    counted: dict[str, int]
    timeline: list[TimelineEntry]
    more_exchanges: bool
    meetings: list[OperationalMeeting]
    results: list[Result]
    totals_by_party: list[PartyTotals]
    totals_overall: dict[str, int]
    totals_by_item: list[ItemTotal]
    recordable_parties: list[Party]

    @property
    def participation(self) -> list[tuple[Party, list[Agency]]]:
        """Each participating party with its participating agencies."""
        by_party: dict[int, list[Agency]] = {}
        for agency in self.agencies:
            by_party.setdefault(agency.party_id, []).append(agency)
        return [(party, by_party.get(party.pk, [])) for party in self.parties]


def meeting_rows(case: Case) -> QuerySet[OperationalMeeting]:
    """The case's meetings, oldest first, with their parties and attachments (the API pages
    through them; the case page takes the first ``TIMELINE_LIMIT``)."""
    return (
        OperationalMeeting.objects.filter(case=case)
        .select_related("added_by")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.order_by("code")),
            Prefetch(
                "attachments",
                queryset=MeetingAttachment.objects.defer("content").order_by("pk"),
            ),
        )
        .order_by("held_on", "pk")
    )


def case_meetings(case: Case) -> list[OperationalMeeting]:
    return list(meeting_rows(case)[:TIMELINE_LIMIT])


def case_meeting(case: Case, pk: int) -> OperationalMeeting:
    """One meeting of the case with what the API shows of it."""
    return meeting_rows(case).get(pk=pk)


def result_rows(case: Case) -> QuerySet[Result]:
    """The case's results, oldest first, with their seizures (the API pages through them; the
    case page takes the first ``RESULTS_LIMIT``)."""
    return (
        Result.objects.filter(case=case)
        .select_related("party", "reported_by")
        .prefetch_related(Prefetch("seizures", queryset=Seizure.objects.order_by("pk")))
        .order_by("reported_on", "pk")
    )


def case_results(case: Case) -> list[Result]:
    return list(result_rows(case)[:RESULTS_LIMIT])


def case_result(case: Case, pk: int) -> Result:
    """One result of the case with its seizures."""
    return result_rows(case).get(pk=pk)


def linked_exchanges(officer: Officer, case: Case) -> tuple[list[Exchange], bool]:
    """The newest exchanges linked to the case that the officer may see (never the others),
    oldest first, and whether older ones were left out."""
    rows = list(
        exchanges_visible_to(officer)
        .filter(case=case)
        .select_related("sender_agency__party")
        .defer("subject", "body")
        .order_by("-sent_at", "-pk")[: TIMELINE_LIMIT + 1]
    )
    return rows[:TIMELINE_LIMIT][::-1], len(rows) > TIMELINE_LIMIT


def _timeline(exchanges: list[Exchange], meetings: list[OperationalMeeting]) -> list[TimelineEntry]:
    zone = timezone.get_current_timezone()
    entries = [TimelineEntry(at=e.sent_at, exchange=e) for e in exchanges]
    entries += [
        TimelineEntry(at=dt.datetime.combine(m.held_on, dt.time.min, tzinfo=zone), meeting=m)
        for m in meetings
    ]
    return sorted(entries, key=lambda entry: entry.at)


def totals_by_party(case: Case, known: Iterable[Party] = ()) -> list[PartyTotals]:
    """The sum of each count per reporting party (one aggregate query, and one more for the
    reporting parties not among the ``known`` ones already loaded)."""
    rows = (
        Result.objects.filter(case=case)
        .values("party")
        .annotate(**{name: Sum(name) for name in Result.COUNTS})
        .order_by("party")
    )
    sums = {row["party"]: {name: row[name] or 0 for name in Result.COUNTS} for row in rows}
    parties = {p.pk: p for p in known if p.pk in sums}
    missing = [pk for pk in sums if pk not in parties]
    if missing:
        parties.update(Party.objects.in_bulk(missing))
    return sorted(
        (PartyTotals(party=parties[pk], counts=counts) for pk, counts in sums.items()),
        key=lambda t: t.party.name,
    )


def totals_by_item(case: Case) -> list[ItemTotal]:
    """The quantity seized per item and unit over all the case's results (one aggregate
    query): "Heroin 584 kg, Cannabis 1829 kg, Amphetamines 250,000 tablets"."""
    rows = (
        Seizure.objects.filter(result__case=case)
        .values("item", "unit", "currency")
        .annotate(total=Sum("quantity"))
        .order_by("item", "unit", "currency")
    )
    order = {value: position for position, value in enumerate(SeizureItem.values)}
    return sorted(
        (
            ItemTotal(item=r["item"], unit=r["unit"], quantity=r["total"], currency=r["currency"])
            for r in rows
        ),
        key=lambda t: (order.get(t.item, len(order)), t.unit, t.currency),
    )


@dataclass(frozen=True)
class LinkedExchanges:
    """What the exchanges linked to a case tell, whoever may read them: counts and the flag."""

    personal_data: bool
    information_exchanged: int
    requests_initiated: int


def linked_exchange_counts(case: Case) -> LinkedExchanges:
    """Every exchange linked to the case once, the requests for assistance among them, and
    whether one carries personal data (one aggregate query)."""
    row = Exchange.objects.filter(case=case).aggregate(
        information_exchanged=Count("pk"),
        requests_initiated=Count("pk", filter=Q(kind=ExchangeKind.REQUEST)),
        personal_data=BoolOr("personal_data"),
    )
    return LinkedExchanges(
        personal_data=bool(row["personal_data"]),
        information_exchanged=row["information_exchanged"],
        requests_initiated=row["requests_initiated"],
    )


def _overall(per_party: list[PartyTotals]) -> dict[str, int]:
    return {name: sum(t.counts[name] for t in per_party) for name in Result.COUNTS}


def case_parties(case: Case) -> list[Party]:
    """The participating parties, the lead among them, by name."""
    return list(
        Party.objects.filter(Q(pk=case.lead_party_id) | Q(cases=case)).distinct().order_by("name")
    )


def case_participants(case: Case) -> tuple[list[Party], list[Agency], list[Officer]]:
    """The participating parties (the lead among them), agencies and named analysts."""
    parties = case_parties(case)
    agencies = list(case.agencies.select_related("party").order_by("party__name", "name"))
    analysts = list(
        case.analysts.filter(role=Role.ANALYST, is_active=True).order_by("last_name", "username")
    )
    return parties, agencies, analysts


def case_page(officer: Officer, case: Case, perms: frozenset[CasePerm]) -> CasePage:
    """Everything the case page shows an officer, in a fixed number of queries."""
    parties, agencies, analysts = case_participants(case)
    exchanges, more = linked_exchanges(officer, case)
    meetings = case_meetings(case)
    # The reporting parties are participants, already loaded.
    per_party = totals_by_party(case, known=parties)
    linked = linked_exchange_counts(case)
    return CasePage(
        case=case,
        perms=perms,
        parties=parties,
        agencies=agencies,
        analysts=analysts,
        linked_personal_data=linked.personal_data,
        counted={
            "information_exchanged": linked.information_exchanged,
            "requests_initiated": linked.requests_initiated,
        },
        timeline=_timeline(exchanges, meetings),
        more_exchanges=more,
        meetings=meetings,
        results=case_results(case),
        totals_by_party=per_party,
        totals_overall=_overall(per_party),
        totals_by_item=totals_by_item(case),
        recordable_parties=recordable_parties(officer, perms, parties),
    )


def recordable_parties(
    officer: Officer, perms: frozenset[CasePerm], parties: list[Party]
) -> list[Party]:
    """The parties whose results the officer may record (see ``policy.records_for``)."""
    agency = agency_facts(officer.agency) if officer.agency else None
    return [
        p
        for p in parties
        if acts_in_operations(p.status) and records_for(perms, officer_agency=agency, party_id=p.pk)
    ]


def attachment_of_case(case: Case, attachment_id: int) -> int:
    """The attachment's id if it belongs to a meeting of this case; 404 otherwise."""
    if not MeetingAttachment.objects.filter(pk=attachment_id, meeting__case=case).exists():
        raise Http404(NO_ATTACHMENT)
    return attachment_id


def meeting_attachment_get_for_officer(officer: Officer, attachment_id: int) -> MeetingAttachment:
    """A meeting's attachment, with its meeting and case, if the officer may see that case; 404
    otherwise, the same answer whether it does not exist or its case is not theirs to see (the
    case's own 404, "No case matches...", would tell the two apart on Django's debug page)."""
    attachment = (
        MeetingAttachment.objects.select_related("meeting__case")
        .filter(pk=attachment_id, meeting__case__in=cases_visible_to(officer))
        .first()
    )
    if attachment is None:
        raise Http404(NO_ATTACHMENT)
    return attachment


def analysts_to_name(case: Case | None = None) -> list[Officer]:
    """The active SELEC analysts, those the case names already left out."""
    rows = Officer.objects.filter(role=Role.ANALYST, is_active=True)
    if case is not None:
        rows = rows.exclude(analysed_cases=case)
    return list(rows.order_by("last_name", "username"))


def agencies_to_invite(case: Case | None = None) -> list[Agency]:
    """Agencies a case could still invite: of every party that takes part in SELEC (observers
    too: the service refuses them, naming the rule, when the case carries personal data), not
    already participating; ordered by party."""
    statuses = statuses_that_may_hold(personal_data=False)
    rows = Agency.objects.select_related("party").filter(party__status__in=statuses)
    if case is not None:
        rows = rows.exclude(cases=case)
    return list(rows.order_by("party__name", "-is_national_focal_point", "name"))


def parties_to_invite(case: Case) -> list[Party]:
    """Parties that take part in SELEC and not yet in the case, by name."""
    statuses = statuses_that_may_hold(personal_data=False)
    return list(
        Party.objects.filter(status__in=statuses)
        .exclude(pk=case.lead_party_id)
        .exclude(cases=case)
        .order_by("name")
    )
