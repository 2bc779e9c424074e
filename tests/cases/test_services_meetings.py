"""The services of a case's meetings: minutes and files stored encrypted, participants among
the case's parties, a disguised file refusing the whole meeting, attachments downloaded intact
with the disclosure audited, and one 404 for a hidden or a missing attachment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from cases import services_meetings
from cases.models import MeetingAttachment, OperationalMeeting
from exchanges.selectors import NO_ATTACHMENT
from exchanges.services.inputs import AttachmentInput
from partners.models import Officer, Party
from selec.core.models import AuditAction
from tests.cases.scenario import A_MINUTES_FILE, MINUTES, add_meeting, audit_events, open_case

pytestmark = pytest.mark.django_db

A_PNG_NAMED_PDF = AttachmentInput("scan.pdf", "application/pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64)


def test_a_hidden_and_a_missing_meeting_attachment_answer_the_same_404(
    lo_ro: Officer, outsider: Officer
) -> None:
    attachment = add_meeting(lo_ro, open_case(lo_ro)).attachments.get()
    messages = []
    for attachment_id in (attachment.pk, 999_999_999):
        with pytest.raises(Http404) as refused:
            services_meetings.meeting_attachment_download(
                officer=outsider, attachment_id=attachment_id
            )
        messages.append(str(refused.value))
    assert messages == [NO_ATTACHMENT, NO_ATTACHMENT]


def test_a_meeting_is_stored_with_encrypted_minutes_and_attachments(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    meeting = add_meeting(lo_bg, case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT minutes FROM cases_operationalmeeting WHERE id = %s", [meeting.pk])
        (stored_minutes,) = cursor.fetchone()
        cursor.execute(
            "SELECT content FROM cases_meetingattachment WHERE meeting_id = %s", [meeting.pk]
        )
        (stored_file,) = cursor.fetchone()
    assert "informant" not in stored_minutes
    assert A_MINUTES_FILE.content not in bytes(stored_file)
    assert OperationalMeeting.objects.get(pk=meeting.pk).minutes == MINUTES
    assert set(meeting.parties.values_list("code", flat=True)) == {"RO", "BG"}
    [event] = audit_events(AuditAction.COLLECTION, meeting)
    assert event.details["reference"] == case.reference


def test_a_meeting_attachment_is_downloaded_intact_and_the_disclosure_audited(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    attachment = add_meeting(lo_ro, case).attachments.get()
    stored, content = services_meetings.meeting_attachment_download(
        officer=lo_bg, attachment_id=attachment.pk
    )
    assert content == A_MINUTES_FILE.content
    assert stored.filename == "minutes.txt"
    [event] = audit_events(AuditAction.DISCLOSURE, attachment)
    assert event.actor == lo_bg


def test_a_disguised_attachment_refuses_the_whole_meeting(lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    with pytest.raises(ValidationError, match="declared as application/pdf"):
        add_meeting(lo_ro, case, attachments=[A_MINUTES_FILE, A_PNG_NAMED_PDF])
    assert not OperationalMeeting.objects.filter(case=case).exists()
    assert not MeetingAttachment.objects.filter(meeting__case=case).exists()


def test_a_meetings_participants_are_parties_of_the_case(lo_ro: Officer) -> None:
    case = open_case(lo_ro)
    with pytest.raises(ValidationError, match="parties taking part in the case"):
        services_meetings.meeting_add(
            officer=lo_ro,
            case=case,
            held_on=dt.date(2026, 3, 10),
            place="Ruse",
            party_ids=[Party.objects.get(code="GR").pk],
        )
