"""Writes to a case's results: what a participating party reports (counts of persons,
victims, vehicles and investigations, and seizures by item, quantity and unit, an amount of
money with its ISO 4217 currency).

Who may do what is decided by ``cases.policy``, as for the case itself (``cases.services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases import policy
from cases.facts import case_facts
from cases.models import Case, CaseAuditEvent, Result, Seizure, SeizureItem, SeizureUnit
from cases.policy import CasePerm, ResultsReportAccess
from cases.results_report import ReportQuery, ResultsReport, results_report
from cases.selectors import require_case_perm
from cases.services import day_errors, locked_case, require_open
from exchanges.facts import agency_facts
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from selec.core.service_helpers import refused_as


@dataclass(frozen=True)
class SeizureInput:
    item: SeizureItem | str
    quantity: Decimal
    unit: SeizureUnit | str
    description: str = ""
    # The ISO 4217 code of an amount of money (unit "currency"), empty otherwise.
    currency: str = ""


def currency_error(unit: str, currency: str) -> str | None:
    """What is wrong with a seizure's currency for its unit: an amount of money names its ISO
    4217 code (EUR, USD, RSD...), any other unit none."""
    if unit == SeizureUnit.CURRENCY:
        if not (
            len(currency) == 3
            and currency.isascii()
            and currency.isupper()
            and pycountry.currencies.get(alpha_3=currency) is not None
        ):
            return _("give the ISO 4217 code of the currency (EUR, USD...).")
    elif currency:
        return _("a currency goes with the unit “currency amount” only.")
    return None


def _seizures(seizures: Sequence[SeizureInput]) -> list[Seizure]:
    rows, errors = [], []
    for position, line in enumerate(seizures, start=1):
        try:
            quantity = Decimal(line.quantity)
        except (InvalidOperation, TypeError, ValueError):
            quantity = Decimal(0)
        if line.item not in SeizureItem.values or line.unit not in SeizureUnit.values:
            errors.append(_("Line %(line)d: choose the item and its unit.") % {"line": position})
        elif not quantity.is_finite() or quantity <= 0 or quantity >= Decimal("1e11"):
            errors.append(
                _("Line %(line)d: the quantity is a number above zero.") % {"line": position}
            )
        elif error := currency_error(str(line.unit), line.currency):
            errors.append(
                # Translators: %(error)s says what is wrong with the currency of the line.
                _("Line %(line)d: %(error)s") % {"line": position, "error": error}
            )
        elif len(line.description) > 300:
            errors.append(
                _("Line %(line)d: the description has at most 300 characters.") % {"line": position}
            )
        else:
            rows.append(
                Seizure(
                    item=line.item,
                    unit=line.unit,
                    currency=line.currency,
                    quantity=quantity.quantize(Decimal("0.001")),
                    description=line.description.strip(),
                )
            )
    if errors:
        raise ValidationError({"seizures": errors})
    return rows


@transaction.atomic
def result_record(
    *,
    officer: Officer,
    case: Case,
    party_id: int,
    reported_on: dt.date,
    counts: dict[str, int] | None = None,
    seizures: Sequence[SeizureInput] = (),
) -> Result:
    """Record what a participating party reports: counts of persons, victims and vehicles, and
    seizures by item, quantity and unit. An agency reports for its own party; the lead's
    agencies and the named analysts for any participating party."""
    perms = require_case_perm(officer, case, CasePerm.RECORD_RESULT)
    case = locked_case(case)
    require_open(case, "results")
    errors = day_errors(reported_on=reported_on)
    if errors:
        raise ValidationError(errors)
    counts = dict(counts or {})
    unknown = set(counts) - set(Result.COUNTS)
    if unknown:
        raise ValidationError(
            # Translators: names lists the unknown count names as given (API field names).
            {"counts": [_("Unknown counts: %(names)s.") % {"names": ", ".join(sorted(unknown))}]}
        )
    bad = [
        name
        for name, value in counts.items()
        if isinstance(value, bool) or not isinstance(value, int) or value < 0
    ]
    if bad:
        raise ValidationError(
            {name: [_("A count is a whole number, zero or more.")] for name in bad}
        )
    facts = case_facts(case)
    with refused_as("party"):
        policy.check_result_party(facts, party_id=party_id)
    officer_agency = agency_facts(officer.agency) if officer.agency else None
    if not policy.records_for(perms, officer_agency=officer_agency, party_id=party_id):
        assert officer_agency is not None
        raise PermissionDenied(
            _(
                "%(agency)s records the results of %(party)s only; "
                "the lead party's agencies record those of the other participants."
            )
            % {"agency": officer_agency.name, "party": officer_agency.party_code}
        )
    lines = _seizures(seizures)
    result = Result(
        case=case, party_id=party_id, reported_on=reported_on, reported_by=officer, **counts
    )
    result.full_clean(exclude=["case", "party", "reported_by"])
    result.save(force_insert=True)
    for line in lines:
        line.result = result
    Seizure.objects.bulk_create(lines)
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=CaseAuditEvent.RESULT_RECORDED,
        target=result,
        reason="results recorded",
        details={
            "reference": case.reference,
            "party": next(p.code for p in facts.parties if p.id == party_id),
            "counts": {name: counts.get(name, 0) for name in Result.COUNTS},
            "seizures": [f"{s.item} {s.quantity} {s.currency or s.unit}" for s in lines],
        },
    )
    return result


# --- The results report ---------------------------------------------------------------------

REPORT_AUDIT_OBJECT_TYPE = "cases.results_report"
# Formats read on screen (a consultation) and taken away as files (an export).
SCREEN_FORMATS = ("html",)


@transaction.atomic
def results_report_read(
    *, officer: Officer, access: ResultsReportAccess, query: ReportQuery, export_format: str
) -> ResultsReport:
    """Build the results report the officer may read and write the one audit event of this
    read: a consultation when shown, an export when handed over as a file. The caller has
    checked that the officer sees the report in this grouping (``results_report_access``)."""
    if query.by not in access.groupings:
        raise PermissionDenied(_("Observers read the totals per series and year, and per year."))
    report = results_report(officer, access, query)
    shown = export_format in SCREEN_FORMATS
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION if shown else AuditAction.EXPORT,
        event=CaseAuditEvent.RESULTS_REPORT_CONSULTED
        if shown
        else CaseAuditEvent.RESULTS_REPORT_EXPORTED,
        object_type=REPORT_AUDIT_OBJECT_TYPE,
        object_id=str(query.by),
        reason="results report",
        details={
            "by": str(query.by),
            "series": query.series,
            "years": [query.first_year, query.last_year],
            "scope": str(access.scope),
            "columns": [column.key for column in report.columns][:50],
            "format": export_format,
        },
    )
    return report
