import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics.services import (
    statistics_compute_years,
    statistics_queue,
    statistics_years,
    years_listed,
)


class Command(BaseCommand):
    help = (
        "Recompute the yearly exchange statistics: one year (--year), or every year that has "
        "exchanges. Runs here, or through the broker with --async."
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
            statistics_queue(years=years)
            self.stdout.write(f"Queued the statistics of {years_listed(years)}.")
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
