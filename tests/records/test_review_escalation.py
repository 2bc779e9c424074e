"""The daily escalation of overdue retention reviews: the NFP of each provider's party and every
DPO hear, once per agency and day, how many reviews are overdue (the agency and the count, no
reference, no content); one audit event per agency, by the system. From beat each morning, and
on a real worker."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from exchanges.models import Exchange
from partners.models import Officer
from records.models import RecordsAuditEvent, RecordsNotificationKind
from records.services_review import reviews_escalate
from records.tasks import escalate_overdue_reviews
from selec.celery import app as project_app
from selec.core.models import AuditAction, AuditEvent, Notification, OutboxMessage
from tests.records.reviews import freeze, moment, review_scenario, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(monkeypatch: pytest.MonkeyPatch, lo_ro: Officer, lo_bg: Officer):
    return review_scenario(monkeypatch, lo_ro, lo_bg)


def _notices() -> list[tuple[str, str, str]]:
    return sorted(
        Notification.objects.filter(kind=RecordsNotificationKind.REVIEW_OVERDUE).values_list(
            "officer__username", "title", "link"
        )
    )


def test_the_nfp_of_each_provider_and_every_dpo_hear_of_the_overdue_reviews(scenario) -> None:
    assert reviews_escalate() == 4

    ro = "2 retention reviews are overdue at Romanian Police (RO)"
    bg = "2 retention reviews are overdue at Bulgarian Police (BG)"
    assert _notices() == [
        ("dpo", bg, "/dpo/retention/"),
        ("dpo", ro, "/dpo/retention/"),
        ("nfp.bg", bg, ""),
        ("nfp.ro", ro, ""),
    ]
    # E-mails carry the title only: no reference, no content.
    mails = OutboxMessage.objects.filter(dedupe_key__startswith="review-overdue:")
    subjects = sorted(mails.values_list("subject", flat=True))
    assert subjects == sorted(f"[SELEC Exchange] {title}" for title in (bg, bg, ro, ro))
    for body in mails.values_list("body", flat=True):
        assert "SELEC-2026" not in body
        assert "Review scenario" not in body


def test_each_agency_s_escalation_is_audited_by_the_system(
    scenario, lo_ro: Officer, lo_bg: Officer
) -> None:
    reviews_escalate()

    events = {
        event.details["party"]: event
        for event in AuditEvent.objects.filter(event=RecordsAuditEvent.REVIEW_ESCALATED)
    }
    assert set(events) == {"RO", "BG"}
    for event in events.values():
        assert (event.actor, event.actor_username, event.action, event.object_type) == (
            None,
            "system",
            AuditAction.DISCLOSURE,
            "partners.agency",
        )
    assert events["RO"].object_id == str(lo_ro.agency_id)
    assert events["RO"].details == {
        "party": "RO",
        "overdue": 2,
        "due": 3,
        "on": "2029-03-01",
        "notified": 2,
    }
    assert events["BG"].object_id == str(lo_bg.agency_id)
    assert (events["BG"].details["overdue"], events["BG"].details["due"]) == (2, 0)


def test_a_second_run_the_same_day_tells_nobody_again_and_records_nothing(scenario) -> None:
    reviews_escalate()
    assert reviews_escalate() == 0
    assert len(_notices()) == 4
    assert AuditEvent.objects.filter(event=RecordsAuditEvent.REVIEW_ESCALATED).count() == 2


def test_the_next_day_they_hear_again_with_the_day_s_count(
    scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    reviews_escalate()
    freeze(monkeypatch, moment(2029, 3, 2, 6))

    assert reviews_escalate() == 4
    titles = [title for name, title, _ in _notices() if name == "nfp.ro"]
    # Yesterday's review date has passed since.
    assert titles == [
        "2 retention reviews are overdue at Romanian Police (RO)",
        "3 retention reviews are overdue at Romanian Police (RO)",
    ]


def test_nobody_is_told_while_no_review_is_overdue(
    lo_ro: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, moment(2026, 3, 1))
    sent(lo_ro, "Bulgarian Police")
    freeze(monkeypatch, moment(2029, 3, 1))  # due today: not yet overdue

    assert reviews_escalate() == 0
    assert not _notices()
    assert not AuditEvent.objects.filter(event=RecordsAuditEvent.REVIEW_ESCALATED).exists()


def test_a_deactivated_dpo_and_an_nfp_of_another_party_are_not_told(scenario, dpo: Officer) -> None:
    Officer.objects.filter(pk=dpo.pk).update(is_active=False)
    reviews_escalate()
    assert {name for name, _, _ in _notices()} == {"nfp.ro", "nfp.bg"}


def test_the_task_runs_the_escalation(scenario) -> None:
    assert escalate_overdue_reviews() == 4


def test_beat_runs_it_each_morning_and_a_redelivery_is_harmless() -> None:
    assert django_settings.CELERY_BEAT_SCHEDULE["escalate-overdue-reviews"] == {
        "task": "records.tasks.escalate_overdue_reviews",
        "schedule": crontab(hour=6, minute=0),
    }
    task = project_app.tasks["records.tasks.escalate_overdue_reviews"]
    # acks_late is safe only because the escalation is idempotent (see above).
    assert task.acks_late is True


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_escalates(celery_worker) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    lo_ro = Officer.objects.select_related("agency__party").get(username="lo.ro")
    exchange = sent(lo_ro, "Bulgarian Police")
    # Sent three years ago, as far as its review is concerned.
    overdue = timezone.localdate() - dt.timedelta(days=5)
    Exchange.objects.filter(pk=exchange.pk).update(review_due_on=overdue)

    escalate_overdue_reviews.delay()

    deadline = time.monotonic() + 20
    while len(_notices()) < 2:
        assert time.monotonic() < deadline, "the worker did not escalate"
        time.sleep(0.1)
    assert [name for name, _, _ in _notices()] == ["dpo", "nfp.ro"]
    assert AuditEvent.objects.filter(event=RecordsAuditEvent.REVIEW_ESCALATED).count() == 1
