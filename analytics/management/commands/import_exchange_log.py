import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.importer import COLUMNS, LogAlreadyImported, LogRejected, exchange_log_import


class Command(BaseCommand):
    help = (
        f"Import a historical exchange log (CSV with the header {','.join(COLUMNS)}): all or "
        "nothing, every bad line reported. The years it covers are then recomputed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        started = time.monotonic()
        try:
            with path.open("rb") as source:
                batch = exchange_log_import(
                    source=source, file_name=path.name, progress=self._progress
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except LogAlreadyImported as exc:
            raise CommandError(str(exc)) from exc
        except LogRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            lines = len({error.line for error in exc.errors})
            raise CommandError(
                f"{path.name}: {lines} bad line(s), {len(exc.errors)} error(s): nothing imported."
            ) from exc
        self.stdout.write(
            f"Imported {batch.rows:,} exchanges of {', '.join(map(str, batch.years))} from "
            f"{path.name} (batch {batch.pk}) in {time.monotonic() - started:.1f} s; "
            "their statistics are being recomputed."
        )

    def _progress(self, message: str) -> None:
        self.stderr.write(message)
