"""Writes to a case's results: what a participating party reports (counts of persons,
victims and vehicles, and seizures by item, quantity and unit).

Who may do what is decided by ``cases.policy``, as for the case itself (``cases.services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases import policy
from cases.facts import case_facts
from cases.models import Case, CaseAuditEvent, Result, Seizure, SeizureItem, SeizureUnit
from cases.policy import CasePerm
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
        elif len(line.description) > 300:
            errors.append(
                _("Line %(line)d: the description has at most 300 characters.") % {"line": position}
            )
        else:
            rows.append(
                Seizure(
                    item=line.item,
                    unit=line.unit,
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
            "seizures": [f"{s.item} {s.quantity} {s.unit}" for s in lines],
        },
    )
    return result
