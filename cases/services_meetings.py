"""Writes to a case's operational meetings: adding one with its participants, decisions,
minutes and attachments, and the audited download of an attachment (a disclosure).

Who may do what is decided by ``cases.policy``, as for the case itself (``cases.services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases import policy
from cases.facts import case_facts
from cases.models import Case, CaseAuditEvent, MeetingAttachment, OperationalMeeting
from cases.policy import CasePerm
from cases.selectors import meeting_attachment_get_for_officer, require_case_perm
from cases.services import day_errors, locked_case, require_open
from exchanges.services.inputs import AttachmentInput
from partners.models import Officer
from selec.core.audit import audit_record
from selec.core.digests import file_digest
from selec.core.files import checked_uploads, open_attachment, seal_attachment
from selec.core.models import AuditAction
from selec.core.policy_values import PolicyError

MAX_ATTACHMENTS = 20


def _checked_files(attachments: Sequence[AttachmentInput]) -> list[tuple[AttachmentInput, str]]:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": [_("At most %(max)d files at once.") % {"max": MAX_ATTACHMENTS}]}
        )
    return checked_uploads(attachments)


@transaction.atomic
def meeting_add(
    *,
    officer: Officer,
    case: Case,
    held_on: dt.date,
    place: str,
    held_until: dt.date | None = None,
    party_ids: Sequence[int] = (),
    decisions: str = "",
    minutes: str = "",
    attachments: Sequence[AttachmentInput] = (),
) -> OperationalMeeting:
    """Record an operational meeting of the case, with its participants, decisions, minutes and
    attachments (checked and stored encrypted, as exchanges' attachments are)."""
    require_case_perm(officer, case, CasePerm.ADD_MEETING)
    case = locked_case(case)
    require_open(case, "meetings")
    errors = day_errors(held_on=held_on, held_until=held_until)
    if not place.strip():
        errors["place"] = [_("Say where the meeting was held.")]
    if held_until is not None and held_until < held_on:
        errors.setdefault("held_until", []).append(
            _("The meeting ends on or after the day it starts.")
        )
    try:
        policy.check_meeting_parties(case_facts(case), frozenset(party_ids))
    except PolicyError as exc:
        errors["parties"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    checked = _checked_files(attachments)
    meeting = OperationalMeeting(
        case=case,
        held_on=held_on,
        held_until=held_until,
        place=place.strip(),
        decisions=decisions,
        minutes=minutes,
        added_by=officer,
    )
    meeting.full_clean(exclude=["case", "added_by"])
    meeting.save(force_insert=True)
    meeting.parties.set(set(party_ids))
    stored = [
        seal_attachment(
            MeetingAttachment(meeting=meeting), upload=upload, content_type=content_type
        )
        for upload, content_type in checked
    ]
    MeetingAttachment.objects.bulk_create(stored)
    audit_record(
        actor=officer,
        action=AuditAction.COLLECTION,
        event=CaseAuditEvent.MEETING_ADDED,
        target=meeting,
        reason="operational meeting added",
        details={
            "reference": case.reference,
            "held_on": held_on.isoformat(),
            # Keyed digests: a plain SHA-256 in the log would let its readers confirm a file.
            "attachments": [file_digest(a.sha256) for a in stored],
        },
    )
    return meeting


@transaction.atomic
def meeting_attachment_download(
    *, officer: Officer, attachment_id: int
) -> tuple[MeetingAttachment, bytes]:
    """Decrypt a meeting's attachment for an officer who may see its case (audited as a
    disclosure)."""
    # One 404 whether the attachment is missing or its case hidden (see the selector).
    attachment = meeting_attachment_get_for_officer(officer, attachment_id)
    case = attachment.meeting.case
    content = open_attachment(attachment)
    audit_record(
        actor=officer,
        action=AuditAction.DISCLOSURE,
        event=CaseAuditEvent.MEETING_ATTACHMENT_DOWNLOADED,
        target=attachment,
        reason="meeting attachment downloaded",
        details={"reference": case.reference, "file_digest": file_digest(attachment.sha256)},
    )
    return attachment, content
