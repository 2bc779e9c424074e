"""The HTTP benchmark against a real gunicorn serving the test database: every figure is there
and every request was answered as expected. No timing is asserted: the machine decides those."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from bench.http_load import http_figures
from bench.load_client import ATTACHMENT_BYTES, padded_pdf, percentile
from bench.queueing import bench_redis_url, reachable
from exchanges.models import Entity, Exchange
from partners.models import Officer
from selec.core.files import check_attachment
from selec.core.models import AuditEvent
from tests.exchanges.scenario import send

FIELDS = {"requests_per_s", "p50_ms", "p95_ms", "errors", "requests", "worker_processes"}
MIXED_FIELDS = FIELDS | {"send_p95_ms", "send_per_s", "inbox_per_s"}


# Transactional: gunicorn is another process and reads only what is committed.
@pytest.mark.django_db(transaction=True)
def test_every_scenario_is_measured_without_errors() -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)  # the database starts empty
    lo_ro, lo_bg = Officer.objects.get(username="lo.ro"), Officer.objects.get(username="lo.bg")
    send(lo_ro, "Bulgarian Police", "National Focal Point of Romania")
    send(lo_bg, "Romanian Police", personal=True)
    send(lo_ro, "Hellenic Police", code="H2")
    before = list(Exchange.objects.values_list("pk", flat=True))

    # A request counts when it starts and ends within the scenario's seconds: five of them, so
    # that a machine busy with the rest of the suite still answers a few inbox pages in time.
    figures = http_figures(
        database_name=settings.DATABASES["default"]["NAME"], seconds=5, clients=2
    )

    assert set(figures) == {"http_inbox", "http_send", "http_mixed"}
    assert set(figures["http_inbox"]) == FIELDS
    assert set(figures["http_send"]) == FIELDS
    assert set(figures["http_mixed"]) == MIXED_FIELDS
    for name, scenario in figures.items():
        assert all(isinstance(value, int | float) for value in scenario.values()), name
        assert scenario["errors"] == 0, name
        assert scenario["requests"] > 0, name
    assert figures["http_mixed"]["send_per_s"] > 0
    assert figures["http_mixed"]["inbox_per_s"] > 0
    # With a Redis to queue on, a worker took the tasks the requests queued, as in the
    # deployment: the sends' entities were matched and their audit events sealed by it.
    if reachable(bench_redis_url()):
        assert figures["http_send"]["worker_processes"] > 0
        sent = Exchange.objects.exclude(pk__in=before)
        assert sent.exists()
        assert not Entity.objects.filter(exchange__in=sent, matched_at__isnull=True).exists()
        assert not AuditEvent.objects.filter(chain_position__isnull=True).exists()


def test_the_attachment_is_a_pdf_the_application_accepts() -> None:
    content = padded_pdf(ATTACHMENT_BYTES)
    assert len(content) == ATTACHMENT_BYTES
    assert (
        check_attachment(filename="report.pdf", declared_type="application/pdf", content=content)
        == "application/pdf"
    )


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) == 0.0
