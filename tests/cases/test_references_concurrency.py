"""Officers opening cases at the same moment get distinct, consecutive references."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connections

from partners.models import Officer
from tests.cases.scenario import open_case

PARALLEL = 8


@pytest.mark.django_db(transaction=True)
def test_parallel_openings_produce_distinct_consecutive_references() -> None:
    # Parallel transactions need committed data: the transactional database starts empty.
    call_command("seed_demo", "--personas-only", verbosity=0)
    officer = Officer.objects.select_related("agency__party").get(username="lo.ro")
    start = threading.Barrier(PARALLEL)
    references: list[str] = []
    errors: list[BaseException] = []

    def one_opening() -> None:
        try:
            start.wait()
            references.append(open_case(officer, "Bulgarian Police").reference)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_opening) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(set(references)) == PARALLEL
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + PARALLEL))
