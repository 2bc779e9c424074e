"""The audit log is verified every night and whenever asked; each run is kept with what it
found, and a broken log is told to the data protection officers at once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.conf import settings
from django.db import connection

from partners.models import Officer, PartnerNotificationKind, Party, Role
from partners.services.directory import party_rename
from selec.core import audit_verification
from selec.core.models import AuditEvent, AuditVerificationRun, Notification
from selec.core.tasks import verify_audit_log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture
def renamed(django_capture_on_commit_callbacks: Capture, directory_admin) -> AuditEvent:
    with django_capture_on_commit_callbacks(execute=True):
        party_rename(actor=directory_admin, party=Party.objects.get(code="GE"), name="Georgia")
    return AuditEvent.objects.latest("id")


def _broken_notices() -> list[str]:
    return sorted(
        Notification.objects.filter(kind=PartnerNotificationKind.AUDIT_CHAIN_BROKEN).values_list(
            "officer__username", flat=True
        )
    )


def test_the_nightly_task_keeps_an_intact_run(renamed: AuditEvent) -> None:
    assert verify_audit_log() is True

    run = AuditVerificationRun.objects.get()
    assert run.intact is True
    assert run.started_by == "schedule"
    assert run.head_id == renamed.pk
    assert run.events >= 1
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert "intact" in run.description
    assert _broken_notices() == []


def test_a_broken_log_is_kept_as_such_and_told_to_every_dpo_only(
    renamed: AuditEvent, dpo: Officer
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE selec_auditevent DISABLE TRIGGER selec_audit_append_only")
        cursor.execute("UPDATE selec_auditevent SET reason = 'nothing' WHERE id = %s", [renamed.pk])
        cursor.execute("ALTER TABLE selec_auditevent ENABLE TRIGGER selec_audit_append_only")

    assert verify_audit_log(started_by=dpo.username) is False

    run = AuditVerificationRun.objects.get()
    assert run.intact is False
    assert run.started_by == dpo.username
    assert f"#{renamed.pk}" in run.description
    dpos = Officer.objects.filter(role=Role.DPO, is_active=True).values_list("username", flat=True)
    assert _broken_notices() == sorted(dpos)
    assert _broken_notices()


def test_a_key_the_log_still_needs_is_a_failed_run_naming_it(
    renamed: AuditEvent, monkeypatch
) -> None:
    monkeypatch.setattr(settings, "AUDIT_CHAIN_KEY_ID", "2")

    assert verify_audit_log() is False

    run = AuditVerificationRun.objects.get()
    assert run.intact is False
    assert "Audit key '1' is not configured" in run.description


def test_the_verification_runs_every_night() -> None:
    (entry,) = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == verify_audit_log.name
    ]
    assert entry["schedule"].hour == {3}


def test_a_long_walk_says_how_far_it_has_got(
    django_capture_on_commit_callbacks: Capture, directory_admin, monkeypatch
) -> None:
    party = Party.objects.get(code="GE")
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            party_rename(actor=directory_admin, party=party, name=f"Georgia {n}")
    monkeypatch.setattr(audit_verification, "PROGRESS_EVERY", 1)
    heard: list[int] = []

    result = audit_verification.audit_verify(progress=heard.append)

    assert result.intact
    assert heard == list(range(1, result.events))
