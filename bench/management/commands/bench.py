"""``python manage.py bench``: generate exchanges at scale into a database of the bench's own,
measure the pages, services and HTTP throughput against bare SQL of the same rows, and drop
the database (unless ``--keep``). See docs/performance.md for the figures."""

from __future__ import annotations

import io
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from bench import (
    http_load,
    measure,
    measure_actions,
    measure_inbox,
    measure_pages,
    measure_statistics,
    measure_storage,
    upkeep,
)
from bench.database import (
    Generated,
    Server,
    bench_anchor_path,
    bench_name,
    default_connection_on,
    forget_anchor,
    refuse_production,
)
from bench.directory import (
    HEAVY_AGENCY_OF,
    NFP_PERSONA,
    OBSERVER_PERSONA,
    load_directory,
    staff_every_agency,
)
from bench.generate import GenerationError, Generator
from bench.measure import Figure, Plan
from bench.queueing import Queue, tasks_only_queued
from bench.report import table, write_json
from exchanges.models import Exchange
from selec.core.crypto import DecryptionError

DEFAULT_EXCHANGES = 1_000_000
# Below this the shape (threads, cases, the thread of ten replies) does not fit.
MIN_EXCHANGES = 200
HTTP_KEYS = ("http_inbox", "http_send", "http_mixed")
# The order of the table and of the JSON object.
ORDER = (
    "inbox_heavy",
    "inbox_nfp",
    "inbox_observer",
    "inbox_deep",
    "inbox_filter_overdue",
    "inbox_filter_direction",
    "inbox_filter_crime_area",
    "inbox_filter_task_force",
    "inbox_filter_due",
    "inbox_filters",
    "dashboard_nfp",
    "dashboard_heavy",
    "thread",
    "access_report",
    "send",
    "hit_lookup",
    "statistics_year",
    "statistics_all",
    "bytes_per_exchange",
    *HTTP_KEYS,
)


def _failed(exc: BaseException) -> Figure:
    return Figure(extra={"error": f"{type(exc).__name__}: {exc}"})


def http_figures(*, database_name: str, seconds: int, clients: int) -> dict[str, Figure]:
    """The HTTP load figures of ``bench.http_load``, or each key with the reason it has none:
    a failing load generator does not lose the rest of the run."""
    if seconds <= 0:
        return {key: Figure(extra={"error": "skipped (--http-seconds 0)"}) for key in HTTP_KEYS}
    try:
        found = http_load.http_figures(
            database_name=database_name, seconds=seconds, clients=clients
        )
    except Exception as exc:
        return {key: _failed(exc) for key in HTTP_KEYS}
    figures = {}
    for key in HTTP_KEYS:
        values = dict(found.get(key) or {})
        if not values:
            figures[key] = Figure(extra={"error": "not measured"})
            continue
        figures[key] = Figure(
            p50_ms=values.pop("p50_ms", None), p95_ms=values.pop("p95_ms", None), extra=values
        )
    return figures


class Command(BaseCommand):
    help = (
        "Generate N exchanges into a database of its own (the configured one's name + "
        "'_bench'), measure the inbox, dashboard, thread, send, hit/no-hit, statistics and HTTP "
        "throughput against bare SQL, print a table, and drop the database unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--exchanges",
            type=int,
            default=DEFAULT_EXCHANGES,
            help=f"Exchanges to generate (default {DEFAULT_EXCHANGES:,}; 20000 for a quick run).",
        )
        parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the bench database; a later run with the same --exchanges measures it "
            "again without generating it.",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=30,
            help="Timed runs of each figure after the warm-up (the slow ones run a sixth).",
        )
        parser.add_argument("--http-seconds", type=int, default=20, help="0 skips HTTP.")
        parser.add_argument("--http-clients", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_production()
        exchanges: int = options["exchanges"]
        if exchanges < MIN_EXCHANGES:
            raise CommandError(f"--exchanges must be at least {MIN_EXCHANGES}.")
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        name = bench_name(connection.settings_dict["NAME"])
        server = Server()
        anchor = bench_anchor_path(settings.AUDIT_ANCHOR_PATH)
        earlier = server.generated(name)
        kept = earlier if earlier and earlier.exchanges == exchanges else None
        if kept is None:
            self._recreate(server, name, anchor)
        try:
            with default_connection_on(name), override_settings(AUDIT_ANCHOR_PATH=anchor):
                with tasks_only_queued() as queue:
                    summary = self._database_ready(server, name, anchor, exchanges, kept)
                    plan = Plan(repeat=options["repeat"], warmup=min(3, options["repeat"]))
                    # Timed as production runs: without DEBUG's logging of every query.
                    with override_settings(DEBUG=False):
                        figures = self._measure(plan, queue)
                figures.update(
                    http_figures(
                        database_name=name,
                        seconds=options["http_seconds"],
                        clients=options["http_clients"],
                    )
                )
            ordered = {key: figures[key] for key in ORDER if key in figures}
            self._report(ordered, summary)
            if options["json"]:
                write_json(options["json"], ordered, summary)
        finally:
            if not options["keep"]:
                server.drop(name)
                forget_anchor(anchor)

    # --- Steps --------------------------------------------------------------------------------

    def _note(self, text: str) -> None:
        self.stderr.write(text)

    def _recreate(self, server: Server, name: str, anchor: Path | None) -> None:
        server.drop(name)
        forget_anchor(anchor)
        server.create(name)

    def _readable(self) -> bool:
        """Whether the kept database's content opens with the keys configured now."""
        exchange = Exchange.objects.only("uuid", "subject").order_by("pk").first()
        try:
            return exchange is None or isinstance(exchange.subject, str)
        except DecryptionError:
            return False

    def _database_ready(
        self, server: Server, name: str, anchor: Path | None, exchanges: int, kept: Generated | None
    ) -> dict[str, Any]:
        """Migrate the bench database, and generate into it unless an earlier --keep run did;
        returns the summary of the generation."""
        call_command("migrate", interactive=False, verbosity=0)
        if kept is not None and not self._readable():
            self._note(f"{name} was encrypted with other keys: generating it anew.")
            connection.close()
            self._recreate(server, name, anchor)
            call_command("migrate", interactive=False, verbosity=0)
            kept = None
        if kept is None:
            generated, details = self._generate(exchanges)
            server.mark_complete(name, generated)
        else:
            self._note(
                f"Reusing {name}: its {exchanges:,} exchanges were generated by an earlier "
                f"--keep run, so generation is skipped."
            )
            generated, details = kept, {}
        return {
            "exchanges": exchanges,
            "reused": kept is not None,
            "seconds": round(generated.seconds, 1),
            "exchanges_per_s": round(exchanges / generated.seconds) if generated.seconds else 0,
            "cpu_count": os.cpu_count(),
            **details,
        }

    def _report(self, figures: dict[str, Figure], summary: dict[str, Any]) -> None:
        self.stdout.write(table(figures))
        self.stdout.write(self._summary_line(summary))

    def _generate(self, exchanges: int) -> tuple[Generated, dict[str, Any]]:
        started = time.monotonic()
        self._note("Loading the reference data and the demo personas...")
        call_command("seed_demo", "--personas-only", verbosity=0, stdout=io.StringIO())
        staffed = staff_every_agency()
        self._note(f"Staffed {staffed} agencies with an officer each.")
        generator = Generator(
            load_directory(), exchanges=exchanges, now=timezone.now(), progress=self._note
        )
        self._note(f"Generating {exchanges:,} exchanges in batches of {generator.batch:,}...")
        try:
            report = generator.run()
        except GenerationError as exc:
            raise CommandError(f"The generator made what the rules refuse: {exc}") from exc
        finishing = time.monotonic()
        upkeep.reset_sequences()
        self._note("VACUUM (ANALYZE)...")
        upkeep.vacuum_analyze()
        total = time.monotonic() - started
        details = {
            "generation_seconds": round(report.seconds, 1),
            "generation_exchanges_per_s": round(report.rate),
            "generation_cpu_seconds": round(report.cpu_seconds, 1),
            "generation_exchanges_per_cpu_s": round(exchanges / report.cpu_seconds)
            if report.cpu_seconds
            else 0,
            "writing_seconds": round(report.writing_seconds, 1),
            "waiting_for_writes_seconds": round(report.waiting_seconds, 1),
            "finishing_seconds": round(time.monotonic() - finishing, 1),
            "heavy_agency_share": round(report.heavy_share, 3),
            "with_entities_share": round(report.entity_share, 3),
            "reply_share": round(report.reply_share, 3),
            "cases": report.cases,
            "hits": report.hits,
            "rows": dict(report.rows),
        }
        return Generated(exchanges=exchanges, seconds=total), details

    def _measure(self, plan: Plan, queue: Queue) -> dict[str, Figure]:
        figures: dict[str, Figure] = {}

        def take(key: str, run: Callable[[], Figure]) -> None:
            self._note(f"Measuring {key}...")
            try:
                figures[key] = run()
            except Exception as exc:
                self._note(traceback.format_exc())
                figures[key] = _failed(exc)

        # The size first, before the measured writes add to it.
        take("bytes_per_exchange", measure_storage.bytes_per_exchange)
        heavy = measure_inbox.Inbox(HEAVY_AGENCY_OF, plan)
        take("inbox_heavy", heavy.first_page)
        take("inbox_nfp", lambda: measure_inbox.Inbox(NFP_PERSONA, plan).first_page())
        take("inbox_observer", lambda: measure_inbox.Inbox(OBSERVER_PERSONA, plan).first_page())
        take("inbox_deep", heavy.deep)

        def filters() -> Figure:
            # Each filter's figure, and their summary under inbox_filters.
            each = heavy.filters()
            figures.update(each)
            return measure.worst_of(each)

        take("inbox_filters", filters)
        take("dashboard_nfp", lambda: measure_pages.dashboard(NFP_PERSONA, plan))
        take("dashboard_heavy", lambda: measure_pages.dashboard(HEAVY_AGENCY_OF, plan))
        take("thread", lambda: measure_pages.thread(plan))
        take("access_report", lambda: measure_pages.access_report(plan))
        take("hit_lookup", lambda: measure_actions.hit_lookup(HEAVY_AGENCY_OF, plan))
        take("statistics_year", lambda: measure_statistics.statistics_year(plan))
        take("statistics_all", lambda: measure_statistics.statistics_all(plan))
        # Last: each send adds an exchange to the heavy agency's inbox.
        take("send", lambda: measure_actions.send(HEAVY_AGENCY_OF, plan, transport=queue.transport))
        return figures

    def _summary_line(self, summary: dict[str, Any]) -> str:
        how = "reused from an earlier --keep run, generated" if summary["reused"] else "generated"
        return (
            f"\nN = {summary['exchanges']:,} exchanges, {how} in {summary['seconds']:,.1f} s "
            f"({summary['exchanges_per_s']:,} exchanges/s overall"
            + (
                f", {summary['generation_exchanges_per_s']:,}/s while writing rows, "
                f"{summary['generation_exchanges_per_cpu_s']:,} per CPU-second of this process"
                if "generation_exchanges_per_s" in summary
                else ""
            )
            + f"); machine: {summary['cpu_count']} CPU cores."
        )
