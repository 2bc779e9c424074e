"""What the case services store of the words officers type and of meeting files: a case's name
and H3 text, a meeting's place and the SHA-256 of its files encrypted; files named in the audit
log by a keyed digest only. Cases are listed by date and reference, never by name."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from cases import services, services_meetings
from cases.models import Case, MeetingAttachment, OperationalMeeting
from cases.selectors import cases_open_to_officer, cases_page
from partners.models import Officer
from selec.core.crypto import current_key_id
from selec.core.digests import file_digest
from selec.core.models import AuditAction, AuditEvent
from selec.core.policy_values import Restrictions
from tests.cases.scenario import A_MINUTES_FILE, add_meeting, open_case
from tests.exchanges.scenario import agency_ids
from tests.selec.encryption import raw_column

pytestmark = pytest.mark.django_db

MINUTES_SHA256 = hashlib.sha256(A_MINUTES_FILE.content).hexdigest()


def _is_ciphertext(stored: str | bytes, *plaintexts: str) -> bool:
    assert isinstance(stored, str)
    return stored.startswith(f"{current_key_id()}:") and not any(p in stored for p in plaintexts)


def test_a_case_s_name_and_h3_text_are_stored_encrypted(lo_ro: Officer) -> None:
    case = services.case_create(
        officer=lo_ro,
        kind="joint_investigation",
        details=services.CaseDetails(
            name="Marinov brothers",
            started_on=dt.date(2026, 3, 1),
            restrictions=Restrictions(text="Not a word to Marinov's cousin in the Ruse police"),
        ),
        agency_ids=agency_ids("Bulgarian Police"),
    )

    assert _is_ciphertext(raw_column(Case, case.pk, "name"), "Marinov")
    assert _is_ciphertext(raw_column(Case, case.pk, "restriction_text"), "Marinov")
    stored = Case.objects.get(pk=case.pk)
    assert stored.name == "Marinov brothers"
    assert stored.restriction_text == "Not a word to Marinov's cousin in the Ruse police"
    assert stored.handling_codes == ["H3"]
    # str() ends up in logs and the admin: the reference alone.
    assert str(stored) == case.reference


def test_an_edited_name_is_stored_encrypted_too(lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")

    services.case_update(
        officer=lo_ro,
        case=case,
        details=services.CaseDetails(name="Marinov network", started_on=case.started_on),
    )

    assert _is_ciphertext(raw_column(Case, case.pk, "name"), "Marinov")
    assert Case.objects.get(pk=case.pk).name == "Marinov network"


def test_a_name_longer_than_120_characters_is_still_refused(lo_ro: Officer) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        open_case(lo_ro, name="M" * 121)

    assert "name" in refused.value.message_dict


def test_a_meeting_s_place_and_its_files_hashes_are_stored_encrypted(lo_ro: Officer) -> None:
    case = open_case(lo_ro, "Bulgarian Police")

    meeting = services_meetings.meeting_add(
        officer=lo_ro,
        case=case,
        held_on=dt.date(2026, 3, 10),
        place="Marinov's former warehouse, Giurgiu",
        attachments=[A_MINUTES_FILE],
    )

    assert _is_ciphertext(raw_column(OperationalMeeting, meeting.pk, "place"), "Marinov")
    assert OperationalMeeting.objects.get(pk=meeting.pk).place == (
        "Marinov's former warehouse, Giurgiu"
    )
    attachment = meeting.attachments.get()
    assert _is_ciphertext(raw_column(MeetingAttachment, attachment.pk, "sha256"), MINUTES_SHA256)
    assert MeetingAttachment.objects.get(pk=attachment.pk).sha256 == MINUTES_SHA256
    assert "Marinov" not in str(meeting)


def test_the_log_names_meeting_files_by_a_keyed_digest_only(lo_ro: Officer, lo_bg: Officer) -> None:
    meeting = add_meeting(lo_ro, open_case(lo_ro, "Bulgarian Police"))
    attachment = meeting.attachments.get()

    services_meetings.meeting_attachment_download(officer=lo_bg, attachment_id=attachment.pk)

    added = AuditEvent.objects.get(
        object_type="cases.operationalmeeting", object_id=str(meeting.pk)
    )
    assert added.details["attachments"] == [file_digest(MINUTES_SHA256)]
    downloaded = AuditEvent.objects.get(
        object_type="cases.meetingattachment", object_id=str(attachment.pk)
    )
    assert (added.action, downloaded.action) == (AuditAction.COLLECTION, AuditAction.DISCLOSURE)
    assert downloaded.details["file_digest"] == file_digest(MINUTES_SHA256)
    for event in (added, downloaded):
        assert MINUTES_SHA256 not in json.dumps(event.details)


def test_cases_are_listed_by_start_date_then_newest_first_whatever_their_names(
    lo_ro: Officer,
) -> None:
    zulu = open_case(lo_ro, "Bulgarian Police", name="Zulu")
    alpha = open_case(lo_ro, "Bulgarian Police", name="Alpha")
    older = services.case_create(
        officer=lo_ro,
        kind="regional_operation",
        status="active",
        details=services.CaseDetails(name="Aardvark", started_on=dt.date(2025, 1, 1)),
    )

    listed = [c.pk for c in cases_page(lo_ro).rows if c.pk in {zulu.pk, alpha.pk, older.pk}]
    assert listed == [alpha.pk, zulu.pk, older.pk]
    linkable = [c.pk for c in cases_open_to_officer(lo_ro) if c.pk in set(listed)]
    assert linkable == listed
    # The model's default order too: nothing orders by a ciphertext.
    assert Case._meta.ordering == ["-started_on", "-pk"]
    by_default = [c.pk for c in Case.objects.filter(pk__in=listed)]
    assert by_default == listed
