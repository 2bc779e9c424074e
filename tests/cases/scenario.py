"""Building cases for tests through the real services, and reading back what they audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Case, CaseKind, CaseStatus, OperationalMeeting, Result
from cases.services import CaseDetails, case_create
from cases.services_meetings import meeting_add
from cases.services_results import SeizureInput, result_record
from exchanges.models import Exchange
from exchanges.services.inputs import AttachmentInput
from exchanges.services.sending import exchange_send
from partners.models import Officer, Party, Role
from partners.services.officers import officer_create
from selec.core.models import AuditAction, AuditEvent
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids, message

MINUTES = "Met at the border crossing; the informant's name stays with the Romanian Police."
A_MINUTES_FILE = AttachmentInput("minutes.txt", "text/plain", b"Minutes of the meeting in Ruse.")


def open_case(
    officer: Officer,
    *agencies: str,
    kind: str = CaseKind.REGIONAL_OPERATION,
    personal: bool = False,
    analysts: Sequence[Officer] = (),
    name: str = "Mirage",
    status: str = CaseStatus.ACTIVE,
    lead_agency: str | None = None,
) -> Case:
    return case_create(
        officer=officer,
        kind=kind,
        status=status,
        details=CaseDetails(
            name=name,
            started_on=dt.date(2026, 3, 1),
            description="Trafficking routes through the Danube ports.",
            personal_data=personal,
        ),
        agency_ids=agency_ids(*agencies),
        analyst_ids=[a.pk for a in analysts],
        lead_agency_id=agency_ids(lead_agency)[0] if lead_agency else None,
    )


def add_meeting(
    officer: Officer,
    case: Case,
    *,
    held_on: dt.date = dt.date(2026, 3, 10),
    attachments: Sequence[AttachmentInput] = (A_MINUTES_FILE,),
) -> OperationalMeeting:
    return meeting_add(
        officer=officer,
        case=case,
        held_on=held_on,
        place="Ruse",
        party_ids=list(case.participants.values_list("pk", flat=True)),
        decisions="Joint checks on the Danube bridge.",
        minutes=MINUTES,
        attachments=attachments,
    )


def record(
    officer: Officer,
    case: Case,
    party: str,
    *,
    seizures: Sequence[tuple[str, str, str]] = (),
    **counts: int,
) -> Result:
    return result_record(
        officer=officer,
        case=case,
        party_id=Party.objects.get(code=party).pk,
        reported_on=dt.date(2026, 3, 20),
        counts=counts,
        seizures=[SeizureInput(item=i, quantity=Decimal(q), unit=u) for i, q, u in seizures],
    )


def send_in_case(
    officer: Officer,
    case: Case,
    *recipients: str,
    personal: bool = False,
    kind: str = "information",
    subject: str = "Cocaine shipment via Constanța",
) -> Exchange:
    return exchange_send(
        officer=officer,
        kind=kind,
        recipient_agency_ids=agency_ids(*(recipients or ("Bulgarian Police",))),
        crime_area_id=CrimeArea.objects.get(code="drugs").pk,
        priority="routine",
        message=message(personal=personal, attachments=(), subject=subject),
        case_id=case.pk,
    )


def second_analyst() -> Officer:
    """A SELEC analyst whom no case names."""
    officer = officer_create(
        actor=None,
        username="analyst.two",
        password=None,
        role=Role.ANALYST,
        first_name="Irina",
        last_name="Dobre",
    )
    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    return Officer.objects.get(pk=officer.pk)


def audit_events(action: AuditAction, target: object) -> list[AuditEvent]:
    """The audit events of one kind that a service wrote about ``target``."""
    return list(
        AuditEvent.objects.filter(
            action=action,
            object_type=target._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(target.pk),  # type: ignore[attr-defined]
        )
    )
