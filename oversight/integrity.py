"""The integrity of the audit log as the DPO follows it: the verifications kept (the nightly one
and those asked for), and asking for one now. The verification itself is the core's
(``selec.core.audit_verification``): the run asked for is kept with the request, walked by a
worker, and swept every minute, so that none is lost (a message the broker did not take) or
shows running for ever (a worker killed mid-walk)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from oversight.events import OversightAuditEvent
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.audit_verification import audit_verification_request
from selec.core.models import AuditAction, AuditVerificationRun

RUNS_SHOWN = 20


def verification_runs() -> list[AuditVerificationRun]:
    """The newest runs, newest first (on the index of ``requested_at``)."""
    return list(AuditVerificationRun.objects.order_by("-requested_at", "-id")[:RUNS_SHOWN])


def running(runs: list[AuditVerificationRun]) -> AuditVerificationRun | None:
    """The run waiting for a worker or walking now, if any: the newest unfinished. No time
    limit is needed: the sweep ends a run whose walk died, and a live walk may take long."""
    return next((run for run in runs if run.finished_at is None), None)


@transaction.atomic
def verification_start(*, officer: Officer) -> AuditVerificationRun:
    """Ask for a verification of the whole log: kept with the audit event, walked by a worker
    after the commit (in-process without a broker). One at a time: while one waits or runs,
    asking again is refused."""
    if running(verification_runs()) is not None:
        raise ValidationError(_("A verification is running: its result will show here."))
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=OversightAuditEvent.VERIFICATION_STARTED,
        object_type="selec.auditevent",
        reason="audit log verification started",
    )
    return audit_verification_request(requested_by=officer.username)
