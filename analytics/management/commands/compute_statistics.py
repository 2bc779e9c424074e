import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.services import (
    QUEUED_AT_MOST,
    statistics_compute_years,
    statistics_mark_queued,
    statistics_years,
    years_listed,
)
from analytics.tasks import compute_statistics


class Command(BaseCommand):
    help = (
        "Recompute the yearly exchange statistics: one year (--year), or every year that has "
        "exchanges. Runs here, or through the broker with --async (which exits with status 1 "
        "when the broker does not take the work: the runs stay marked queued, and the periodic "
        "sweep queues them once the broker is back)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="only this year (YYYY)")
        parser.add_argument(
            "--async",
            action="store_true",
            dest="run_async",
            help="queue the task per year for the workers instead of running it here",
        )

    def handle(self, *args: object, **options: object) -> None:
        year = options["year"]
        years = [year] if isinstance(year, int) else statistics_years()
        if not years:
            self.stdout.write("No exchanges, live or imported: nothing to compute.")
            return
        if options["run_async"]:
            self._queue(years)
            return
        started = time.monotonic()
        try:
            # Every year in one pass: the sources are read once for all of them.
            runs = statistics_compute_years(years=years)
        except Exception as exc:
            raise CommandError(f"Statistics of {years_listed(years)} failed: {exc}") from exc
        for run in runs:
            self.stdout.write(
                f"{run.year}: {run.exchanges:,} exchanges, {run.rows:,} rows "
                f"(computed {timezone.localtime(run.computed_at):%Y-%m-%d %H:%M:%S})."
            )
        if len(years) > 1:
            self.stdout.write(f"{len(years)} years in {time.monotonic() - started:.2f} s.")
        else:
            self.stdout.write(f"Computed in {time.monotonic() - started:.2f} s.")

    def _queue(self, years: list[int]) -> None:
        """Mark the runs queued (committed first, so that nothing is lost whatever the broker
        does), then publish them; say "Queued" only of what the broker took."""
        statistics_mark_queued(years=years)
        taken: list[int] = []
        for year in sorted(years):
            # The first failure pauses publishing in this process: the rest are not tried.
            if not compute_statistics.try_delay(year):
                break
            taken.append(year)
        if taken:
            self.stdout.write(f"Queued the statistics of {years_listed(taken)}.")
        left = sorted(set(years) - set(taken))
        if left:
            # Status 1: a script running this learns the broker is down; the work is not lost.
            raise CommandError(
                f"The broker did not take the statistics of {years_listed(left)}: they are "
                "marked queued, and the periodic sweep queues them once the broker is back "
                f"(runs queued over {QUEUED_AT_MOST.total_seconds() / 60:g} minutes ago)."
            )
