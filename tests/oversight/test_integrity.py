"""The DPO follows the integrity of the audit log: the verifications kept, one asked for now
(kept with the request, run by a worker after the commit; in process here), the list
refreshing itself while one waits or runs, never two at once, and a run whose walk was
interrupted shown as such, after which the DPO may ask again."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.test import Client
from django.utils import timezone

from oversight.events import OversightAuditEvent
from partners.models import Officer
from selec.core.audit_verification import INTERRUPTED
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
    now = timezone.now()
    AuditVerificationRun.objects.create(
        requested_at=now, started_at=now, started_by="schedule", events=42
    )
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
        requested_at=timezone.now(),
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


def test_a_request_waiting_for_a_worker_shows_as_such_and_blocks_a_second(
    login: Callable[[Officer], Client], dpo: Officer, django_capture_on_commit_callbacks: Capture
) -> None:
    client = login(dpo)
    # The message not delivered (yet): the request is kept, not started.
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/dpo/integrity/verify/")
    run = AuditVerificationRun.objects.get()
    assert (run.started_by, run.started_at, run.finished_at) == (dpo.username, None, None)

    page = client.get("/dpo/integrity/").content.decode()
    assert "waiting for a worker to start it" in page
    assert "waiting for a worker</span>" in page
    assert 'hx-trigger="every 2s"' in page
    assert "Verify the log now" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dpo/integrity/verify/")
    assert AuditVerificationRun.objects.count() == 1


def test_an_interrupted_run_shows_as_such_and_the_dpo_may_ask_again(
    login: Callable[[Officer], Client], dpo: Officer, django_capture_on_commit_callbacks: Capture
) -> None:
    now = timezone.now()
    AuditVerificationRun.objects.create(
        requested_at=now,
        started_at=now,
        finished_at=now,
        started_by=dpo.username,
        events=1200,
        description=INTERRUPTED,
    )
    client = login(dpo)

    page = client.get("/dpo/integrity/").content.decode()
    assert "interrupted</span>" in page
    assert INTERRUPTED in page
    assert 'hx-trigger="every 2s"' not in page
    assert "Verify the log now" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dpo/integrity/verify/")
    newest = AuditVerificationRun.objects.order_by("-id").first()
    assert newest is not None
    assert newest.intact is True
