"""Items past their due date: overdue in the pages and the API, and the daily notice to the
providers and the DPOs, at most once per item (per request, for the DPOs) and day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from partners.models import Officer
from selec.core.models import AuditEvent, Notification
from subjects.models import Decision, SubjectAuditEvent, SubjectNotificationKind, SubjectRequest
from subjects.services_answers import overdue_notify, subject_item_answer
from subjects.tasks import notify_overdue_subject_requests
from tests.subjects.scenario import Api, Login, a_request, two_providers_hold_one_man

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(dpo: Officer, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer) -> SubjectRequest:
    """A request received 40 days ago, due 10 days ago, forwarded to two providers."""
    two_providers_hold_one_man(lo_ro, lo_bg, lo_tr)
    received = timezone.localdate() - dt.timedelta(days=40)
    return a_request(dpo, received_on=received, due_on=received + dt.timedelta(days=30))


def _overdue_notices() -> list[tuple[str, str]]:
    return sorted(
        (n.officer.username, n.object_type)
        for n in Notification.objects.filter(kind=SubjectNotificationKind.OVERDUE)
    )


def test_providers_and_the_dpo_are_told_once_a_day(overdue: SubjectRequest) -> None:
    today = timezone.localdate()

    assert overdue_notify(today=today) == 3
    assert _overdue_notices() == [
        ("dpo", "subjects.subjectrequest"),
        ("lo.bg", "subjects.subjectrequestitem"),
        ("lo.ro", "subjects.subjectrequestitem"),
    ]
    # Again the same day: nothing more.
    assert overdue_notify(today=today) == 0
    assert len(_overdue_notices()) == 3
    # The next day, once more.
    assert overdue_notify(today=today + dt.timedelta(days=1)) == 3
    assert len(_overdue_notices()) == 6
    for notice in Notification.objects.filter(kind=SubjectNotificationKind.OVERDUE):
        assert overdue.reference in notice.title
    # One audit event per run that told anyone.
    assert AuditEvent.objects.filter(event=SubjectAuditEvent.ESCALATED).count() == 2


def test_an_answered_item_is_no_longer_overdue(overdue: SubjectRequest, lo_ro: Officer) -> None:
    romanian = overdue.items.get(provider_agency__name="Romanian Police")
    subject_item_answer(officer=lo_ro, item_id=romanian.pk, decision=Decision.NO_DATA, answer="")

    overdue_notify(today=timezone.localdate())

    assert [u for u, _ in _overdue_notices()] == ["dpo", "lo.bg"]


def test_nothing_is_told_before_the_due_date(dpo: Officer, lo_ro, lo_bg, lo_tr) -> None:
    two_providers_hold_one_man(lo_ro, lo_bg, lo_tr)
    request = a_request(dpo)

    assert overdue_notify(today=request.due_on) == 0
    assert not AuditEvent.objects.filter(event=SubjectAuditEvent.ESCALATED).exists()


def test_the_pages_and_the_api_show_it_overdue(
    overdue: SubjectRequest, login: Login, api: Api, dpo: Officer, lo_ro: Officer
) -> None:
    listing = login(dpo).get("/subject-requests/").content.decode()
    assert 'class="badge subject-overdue"' in listing
    queue = login(lo_ro).get("/subject-requests/queue/").content.decode()
    assert 'class="badge subject-overdue"' in queue

    [row] = api(dpo).get("/api/v1/subject-requests/").json()["results"]
    assert row["status"] == "overdue"
    [item] = api(lo_ro).get("/api/v1/subject-requests/items/").json()["results"]
    assert item["overdue"] is True


def test_the_daily_task_runs_the_notice(overdue: SubjectRequest) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["notify-overdue-subject-requests"]
    assert entry["task"] == notify_overdue_subject_requests.name

    assert notify_overdue_subject_requests.run() == 3
