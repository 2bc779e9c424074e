"""Who hears of a broken audit log: the data protection officers, at once (in the application
and by e-mail). The core verifies the log and knows no officer; partners, who knows the roles,
registers this listener (``partners.apps``); who is told is the policy's
(``partners.policy.ROLES_TOLD_OF_A_BROKEN_AUDIT_LOG``)."""

from __future__ import annotations

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from partners.models import Officer, PartnerNotificationKind
from partners.policy import ROLES_TOLD_OF_A_BROKEN_AUDIT_LOG
from selec.core.models import AuditVerificationRun
from selec.core.notifications import notify_officers


def dpos_told_of_a_broken_chain(run: AuditVerificationRun) -> None:
    notify_officers(
        officers=Officer.objects.filter(role__in=ROLES_TOLD_OF_A_BROKEN_AUDIT_LOG, is_active=True),
        kind=PartnerNotificationKind.AUDIT_CHAIN_BROKEN,
        title=lambda: (
            _("The audit log failed its verification of %(started)s")
            # A run that failed has walked: it has its start.
            % {"started": date_format(run.started_at or run.requested_at, "d M Y H:i")}
        ),
        object_type="selec.auditverificationrun",
        object_id=str(run.pk),
        dedupe_key=f"audit-verification:{run.pk}",
    )
