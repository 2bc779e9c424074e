"""What the scenarios ask of the application's database, run as a Django process of its own
with the scenario's environment (``python -m tests.reliability.inspection <command>``), so that
the answers come from the application's code and keys (subjects are encrypted at rest), and
the test process never holds one of the connections a fault is aimed at. Each command prints
one JSON document.

- ``prepare ROWS``: the demo personas, an API token for each sender, their recipients, and
  ROWS imported historical exchanges (statistics not computed: the scenarios do that);
- ``facts RUN``: the accounting of a load run's exchanges (subjects carry "RUN key");
- ``statistics``: whether the stored statistics equal a clean recomputation, and the runs;
- ``queue-statistics``: every year's computation queued for the workers;
- ``sweep-statistics``: the periodic sweep of lost computations, run once;
- ``mail COUNT``: COUNT e-mails put in the outbox by notifications, as events do;
- ``outbox``: the outbox's counts.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

SENDERS = ("lo.ro", "lo.bg")
MAIL_OFFICER = "lo.ro"


def prepare(rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    from bench.http_load import recipient_agency_ids
    from partners.models import Officer
    from tests.analytics.logs import StatusHistory, generate_log, import_rows
    from tests.helpers import issued_token

    call_command("seed_demo", "--personas-only", verbosity=0)
    senders = []
    for username in SENDERS:
        officer = Officer.objects.select_related("agency__party").get(username=username)
        _token, plain = issued_token(officer, days=30)
        senders.append(
            {"username": username, "token": plain, "recipients": recipient_agency_ids(officer)}
        )
    if rows:
        log = generate_log(StatusHistory(), rows=rows, years=range(2009, 2013), seed=16)
        import_rows(log, name="reliability.csv")
    return {"senders": senders}


def facts(run: str) -> dict[str, Any]:
    """Per key of the run: how many exchanges carry it and their references; the exchanges
    saved without their recipients or entity (half-saved); the audit chain's verdict."""
    from django.db.models import Count

    from exchanges.models import Exchange
    from selec.core.audit_verification import audit_verify

    prefix = f"{run} "
    stored: dict[str, list[str]] = {}
    exchanges = Exchange.objects.annotate(
        recipient_count=Count("recipients", distinct=True),
        entity_count=Count("entities", distinct=True),
    ).only("reference", "subject")
    half_saved = []
    for exchange in exchanges.iterator(chunk_size=500):
        subject = str(exchange.subject)
        if not subject.startswith(prefix):
            continue
        key = subject[len(prefix) :]
        stored.setdefault(key, []).append(exchange.reference)
        if exchange.recipient_count == 0 or exchange.entity_count == 0:
            half_saved.append(exchange.reference)
    audit = audit_verify()
    return {
        "stored": stored,
        "half_saved": half_saved,
        "audit_intact": audit.intact,
        "audit": audit.describe(),
    }


def statistics() -> dict[str, Any]:
    """The stored rows against those of a clean recomputation (every row deleted, every year
    computed again) made in a transaction that is then rolled back."""
    from django.db import transaction

    from analytics.models import ExchangeStatistic, StatisticsRun
    from analytics.services import statistics_compute_years, statistics_years

    columns = (
        "year", "crime_area_id", "kind", "channel", "sender_party_id", "sender_is_member",
        "recipient_party_id", "task_force_id", "exchanges",
    )  # fmt: skip
    stored = Counter(ExchangeStatistic.objects.values_list(*columns))
    runs = dict(StatisticsRun.objects.values_list("year", "state"))
    with transaction.atomic():
        ExchangeStatistic.objects.all().delete()
        statistics_compute_years(years=statistics_years())
        clean = Counter(ExchangeStatistic.objects.values_list(*columns))
        transaction.set_rollback(True)
    return {
        "equal": stored == clean,
        "rows": sum(stored.values()),
        "clean_rows": sum(clean.values()),
        "differing_rows": sum(((stored - clean) + (clean - stored)).values()),
        "runs": {str(year): state for year, state in runs.items()},
    }


def queue_statistics() -> dict[str, Any]:
    from analytics.services import statistics_queue, statistics_years

    years = statistics_years()
    statistics_queue(years=years)
    return {"years": years}


def sweep_statistics() -> dict[str, Any]:
    from analytics.services import statistics_sweep

    return {"queued_again": statistics_sweep()}


def mail(count: int) -> dict[str, Any]:
    """COUNT notifications of one officer, each its own event, so COUNT outbox messages."""
    from django.db import transaction

    from partners.models import Officer
    from selec.core.notifications import notify_officers

    officer = Officer.objects.get(username=MAIL_OFFICER)
    for number in range(count):
        with transaction.atomic():
            notify_officers(
                officers=[officer],
                kind=_a_notification_kind(),
                title=f"Reliability notice {number}",
                link="/exchanges/",
                dedupe_key=f"reliability-mail-{number}",
            )
    return outbox()


def _a_notification_kind() -> str:
    from selec.core.notification_kinds import NOTIFICATION_KINDS

    return str(next(iter(dict(NOTIFICATION_KINDS))))


def outbox() -> dict[str, Any]:
    from selec.core.models import OutboxMessage

    messages = OutboxMessage.objects.all()
    return {
        "total": messages.count(),
        "sent": messages.filter(sent_at__isnull=False).count(),
        "unsent": messages.filter(sent_at__isnull=True).count(),
    }


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, *arguments = argv
    answers = {
        "prepare": lambda: prepare(int(arguments[0])),
        "facts": lambda: facts(arguments[0]),
        "statistics": statistics,
        "queue-statistics": queue_statistics,
        "sweep-statistics": sweep_statistics,
        "mail": lambda: mail(int(arguments[0])),
        "outbox": outbox,
    }
    sys.stdout.write("\n" + json.dumps(answers[command]()) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
