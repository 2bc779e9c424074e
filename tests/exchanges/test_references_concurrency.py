"""Twenty officers sending at the same moment get twenty consecutive references."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connections

from partners.models import Officer
from tests.exchanges.scenario import send


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_sends_produce_twenty_distinct_consecutive_references() -> None:
    # Parallel transactions need committed data: the transactional database starts empty.
    call_command("seed_demo", "--personas-only", verbosity=0)
    officer = Officer.objects.select_related("agency__party").get(username="lo.ro")
    start = threading.Barrier(20)
    references: list[str] = []
    errors: list[BaseException] = []

    def one_send() -> None:
        try:
            start.wait()
            references.append(send(officer, "Bulgarian Police", attachments=()).reference)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert len(set(references)) == 20
    assert numbers == list(range(numbers[0], numbers[0] + 20))
