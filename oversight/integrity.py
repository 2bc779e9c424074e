"""The integrity of the audit log as the DPO follows it: the verifications kept (the nightly one
and those asked for), and starting one now. The verification itself is the core's
(``selec.core.audit_verification.audit_verify_recorded``), run by a worker."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.events import OversightAuditEvent
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.models import AuditAction, AuditVerificationRun
from selec.core.tasks import verify_audit_log

RUNS_SHOWN = 20
# A run not finished after this long was stopped (a worker killed): it no longer counts as
# running, and another may start.
RUNNING_AT_MOST = dt.timedelta(hours=2)


def verification_runs() -> list[AuditVerificationRun]:
    """The newest runs, newest first (on the index of ``started_at``)."""
    return list(AuditVerificationRun.objects.order_by("-started_at", "-id")[:RUNS_SHOWN])


def running(runs: list[AuditVerificationRun]) -> AuditVerificationRun | None:
    """The run going on now, if any (the newest, unfinished and recent)."""
    newest = runs[0] if runs else None
    if newest is None or newest.finished_at is not None:
        return None
    return newest if newest.started_at > timezone.now() - RUNNING_AT_MOST else None


@transaction.atomic
def verification_start(*, officer: Officer) -> None:
    """Queue a verification of the whole log, run by a worker after the commit (in-process
    without a broker). One at a time: while one runs, asking again is refused."""
    if running(verification_runs()) is not None:
        raise ValidationError(_("A verification is running: its result will show here."))
    audit_record(
        actor=officer,
        action=AuditAction.CONSULTATION,
        event=OversightAuditEvent.VERIFICATION_STARTED,
        object_type="selec.auditevent",
        reason="audit log verification started",
    )
    verify_audit_log.delay_on_commit(started_by=officer.username)
