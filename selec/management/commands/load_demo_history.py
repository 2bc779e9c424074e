import time

from django.core.management.base import BaseCommand, CommandError

from selec.demo import demo_allowed
from selec.demo_history import FILE_NAME, TOTALS, demo_history_load


class Command(BaseCommand):
    help = (
        "Import a generated exchange log of the SECI Center, 2006-2008, reproducing the tables "
        "of its 2008 presentation, and compute those years (idempotent)."
    )

    def handle(self, *args: object, **options: object) -> None:
        if not demo_allowed():
            raise CommandError("Demo data are not loaded in production.")
        started = time.monotonic()
        result = demo_history_load()
        years = f"{min(TOTALS)}-{max(TOTALS)}"
        done = "imported" if result.imported else "already imported"
        self.stdout.write(
            f"Demo history {FILE_NAME} {done} ({result.exchanges:,} exchanges); statistics of "
            f"{years} computed in {time.monotonic() - started:.1f} s."
        )
        for mismatch in result.mismatches:
            self.stderr.write(f"Differs from the seed's tables: {mismatch}")
