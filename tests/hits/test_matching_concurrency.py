"""Hit/no-hit matching under concurrency and through the real task: two tasks or two commits
at once make one hit; without a broker the task runs in process; a Celery worker matches."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from exchanges.models import Entity
from hits.matching import exchange_match
from hits.models import Hit, HitNotificationKind
from partners.models import Officer
from selec.core.models import Notification
from tests.helpers import at_once
from tests.hits.scenario import (
    _hit_events,
    hit_between,
    person,
    report,
)

pytestmark = pytest.mark.django_db


# --- Concurrency and the real task ------------------------------------------------------------


def _personas(*usernames: str) -> list[Officer]:
    found = {o.username: o for o in Officer.objects.select_related("agency__party")}
    return [found[name] for name in usernames]


@pytest.mark.django_db(transaction=True)
def test_two_tasks_matching_the_same_pair_at_once_make_one_hit(unreachable_broker) -> None:
    call_command(
        "seed_demo", "--personas-only", verbosity=0
    )  # a transactional test starts from an empty database
    lo_ro, lo_bg = _personas("lo.ro", "lo.bg")
    # Committed with their tasks lost (broker down): both tasks then run together.
    mine, theirs = report(lo_ro, person("Ion Popa")), report(lo_bg, person("Popa Ion"))

    for _ in range(3):
        errors = at_once(
            lambda: exchange_match(exchange_id=mine.pk),
            lambda: exchange_match(exchange_id=theirs.pk),
        )
        assert errors == []

    assert Hit.objects.count() == 1
    assert len(_hit_events()) == 1
    notified = Notification.objects.filter(kind=HitNotificationKind.HIT)
    assert sorted(n.officer.username for n in notified) == ["lo.bg", "lo.ro", "nfp.bg", "nfp.ro"]


@pytest.mark.django_db(transaction=True)
def test_two_exchanges_of_one_person_committed_at_once_make_one_hit(in_process_tasks) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    lo_ro, lo_bg = _personas("lo.ro", "lo.bg")

    # Each task runs after its own commit: whichever commits last sees the other.
    errors = at_once(
        lambda: report(lo_ro, person("Ђорђе Ђорђевић")),
        lambda: report(lo_bg, person("Djordje Djordjevic")),
    )

    assert errors == []
    assert Hit.objects.count() == 1
    assert len(_hit_events()) == 1
    assert not Entity.objects.filter(matched_at__isnull=True).exists()


def test_without_a_broker_the_task_matches_in_process_after_commit(
    lo_ro: Officer, lo_bg: Officer, in_process_tasks, django_capture_on_commit_callbacks
) -> None:
    # Both sends in the test's one transaction: one run, after the commit, matches both.
    with django_capture_on_commit_callbacks(execute=True):
        mine = report(lo_ro, person("Ion Popa"))
        theirs = report(lo_bg, person("Ion Popa"))
        assert not Hit.objects.exists()  # nothing before the commit

    assert hit_between(mine, theirs) is not None


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_matches_the_entities_after_commit(celery_worker) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    lo_ro, lo_bg = _personas("lo.ro", "lo.bg")

    # Each commit puts the task on the broker; the worker thread takes it from there.
    mine = report(lo_ro, person("Ion Popa"))
    theirs = report(lo_bg, person("Ion Popa"))

    deadline = time.monotonic() + 20
    while Entity.objects.filter(matched_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker did not match the entities"
        time.sleep(0.1)
    assert hit_between(mine, theirs) is not None
    assert len(_hit_events()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_matches_sends_in_a_row_whichever_run_they_fall_to(
    celery_worker,
) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    lo_ro, lo_bg = _personas("lo.ro", "lo.bg")
    names = ["Ion Popa", "Maria Ionescu", "Vasile Lupu"]

    # Most commits find a run queued and not started, and queue none of their own.
    pairs = [(report(lo_ro, person(name)), report(lo_bg, person(name))) for name in names]

    deadline = time.monotonic() + 20
    while Entity.objects.filter(matched_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the worker left entities unmatched"
        time.sleep(0.1)
    assert all(hit_between(mine, theirs) is not None for mine, theirs in pairs)
    assert Hit.objects.count() == len(names)
