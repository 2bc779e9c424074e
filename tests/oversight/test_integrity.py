"""The DPO follows the integrity of the audit log: the verifications kept, one started now
(run by a worker after the commit; in process here), the list refreshing itself while one
runs, and never two at once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.test import Client
from django.utils import timezone

from oversight.events import OversightAuditEvent
from partners.models import Officer
from selec.core.models import AuditEvent, AuditVerificationRun

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def test_the_dpo_starts_a_verification_and_sees_its_result(
    login: Callable[[Officer], Client], dpo: Officer, django_capture_on_commit_callbacks: Capture
) -> None:
    client = login(dpo)
    assert "No verification has run yet." in client.get("/dpo/integrity/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/dpo/integrity/verify/")

    assert response.status_code == 302
    run = AuditVerificationRun.objects.get()
    assert (run.started_by, run.intact) == (dpo.username, True)
    started = AuditEvent.objects.get(event=OversightAuditEvent.VERIFICATION_STARTED)
    assert started.actor_username == dpo.username
    page = client.get("/dpo/integrity/").content.decode()
    assert "intact" in page
    assert run.description in page
    assert 'hx-trigger="every 2s"' not in page


def test_while_one_runs_the_list_refreshes_itself_and_no_second_starts(
    login: Callable[[Officer], Client], dpo: Officer, django_capture_on_commit_callbacks: Capture
) -> None:
    AuditVerificationRun.objects.create(started_at=timezone.now(), started_by="schedule", events=42)
    client = login(dpo)

    page = client.get("/dpo/integrity/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "42 events walked so far" in page
    assert "Verify the log now" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dpo/integrity/verify/")
    assert AuditVerificationRun.objects.count() == 1
    assert not AuditEvent.objects.filter(event=OversightAuditEvent.VERIFICATION_STARTED).exists()


def test_the_polled_list_says_when_the_run_has_finished(
    login: Callable[[Officer], Client], dpo: Officer
) -> None:
    AuditVerificationRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        started_by="schedule",
        intact=False,
        description="Audit chain broken at event #7.",
    )

    fragment = login(dpo).get("/dpo/integrity/?polled=1").content.decode()

    assert fragment.lstrip().startswith("<section")
    assert "The verification has finished." in fragment
    assert "broken" in fragment
    assert "Audit chain broken at event #7." in fragment
