"""Export one statistics table as CSV or XLSX from the command line (audited as an export)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.access import statistics_read
from analytics.exports import csv_lines, xlsx_bytes
from analytics.policy import Table
from analytics.tables import YearsError, requested_years
from selec.core.spreadsheets import EXPORT_FORMATS


class Command(BaseCommand):
    help = (
        "Export a statistics table: --table totals|crime-types|parties|task-forces "
        "--format csv|xlsx [--year YYYY | --from YYYY --to YYYY] [-o FILE]. CSV goes to "
        "standard output without -o; XLSX needs -o. Without years: the last five years with "
        "statistics (the latest one for crime-types and parties)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--table", required=True, help=", ".join(Table))
        parser.add_argument("--format", required=True, dest="export_format", help="csv or xlsx")
        parser.add_argument("--year", help="one year (YYYY)")
        parser.add_argument("--from", dest="first", help="first year of a range (YYYY)")
        parser.add_argument("--to", dest="last", help="last year of a range (YYYY)")
        parser.add_argument("-o", "--output", help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            table = Table(options["table"])
        except ValueError:
            raise CommandError(
                f"Unknown table {options['table']!r}: choose one of {', '.join(Table)}."
            ) from None
        export_format = options["export_format"]
        if export_format not in EXPORT_FORMATS:
            raise CommandError(f"Unknown format {export_format!r}: choose csv or xlsx.")
        output = options["output"]
        if export_format == "xlsx" and not output:
            raise CommandError("An XLSX workbook is binary: name the file to write with -o FILE.")
        try:
            years = requested_years(
                table=table, year=options["year"], first=options["first"], last=options["last"]
            )
        except YearsError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        [result] = statistics_read(
            officer=None,
            tables=[table],
            years=years,
            export_format=export_format,
            reason="command line",
        )
        if export_format == "xlsx":
            Path(output).write_bytes(xlsx_bytes([result]))
        elif output:
            with Path(output).open("w", encoding="utf-8", newline="") as file:
                file.writelines(csv_lines(result))
        else:
            for line in csv_lines(result):
                self.stdout.write(line, ending="")
        if output:
            self.stderr.write(f"{table} {result.years_label} written to {output}.")
