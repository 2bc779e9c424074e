"""Importing historical exchange logs (CSV) as metadata-only exchanges.

The format, one exchange per line after a header row::

    date,sender,recipients,kind,crime_area,channel
    2008-03-14,RO,BG;TR,request,drugs,daily

``date`` ISO (YYYY-MM-DD); ``sender`` a party code; ``recipients`` party codes joined by ``;``;
``kind`` request or information; ``crime_area`` a crime-area code; ``channel`` daily or
regional_operation. UTF-8 (a byte-order mark is accepted), LF or CRLF line ends, blank lines at
the end ignored.

All or nothing: every line is checked first, and one bad line means nothing is imported; the
refusal lists every bad line with its number, column and reason. A valid file is written in one
transaction with PostgreSQL's COPY, as one ``ExchangeImport`` batch; the same file (by its
SHA-256) is refused a second time.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, BinaryIO

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from analytics.models import (
    AnalyticsAuditEvent,
    ExchangeImport,
    ImportedChannel,
    ImportedExchange,
    RecipientSet,
    StatisticKind,
)
from analytics.services import statistics_queue
from analytics.tables import MIN_YEAR
from partners.models import Party
from selec.core.audit import audit_record
from selec.core.models import AuditAction
from taskforces.models import CrimeArea, TaskForce

COLUMNS = ("date", "sender", "recipients", "kind", "crime_area", "channel")
# A progress report every this many lines (checked, then written).
PROGRESS_EVERY = 50_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NO_HEADER = f"the header row is missing: {','.join(COLUMNS)}"
_COPY_COLUMNS = (
    "batch_id",
    "date",
    "sender_party_id",
    "recipients_id",
    "kind",
    "crime_area_id",
    "task_force_id",
    "channel",
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LineError:
    line: int
    column: str  # empty when the line as a whole is at fault
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


class LogImportError(Exception):
    pass


class LogRejected(LogImportError):
    """The file has bad lines (all of them listed); nothing was imported."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} error(s): nothing imported")
        self.errors = errors


class LogAlreadyImported(LogImportError):
    def __init__(self, batch: ExchangeImport) -> None:
        when = timezone.localtime(batch.imported_at).strftime("%Y-%m-%d %H:%M")
        super().__init__(
            f"This file was already imported on {when} as {batch.file_name!r} "
            f"(batch {batch.pk}, {batch.rows} exchanges): nothing imported."
        )
        self.batch = batch


@dataclass
class _Checked:
    """What the check of a file found: errors, or the rows in COPY format (spooled)."""

    spool: IO[str]
    errors: list[LineError] = field(default_factory=list)
    rows: int = 0
    years: set[int] = field(default_factory=set)
    # Each distinct set of recipients, by the text the spooled lines give it ("3,7,12").
    recipient_sets: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Reference:
    parties: dict[str, int]
    crime_areas: dict[str, int]
    task_force_of_area: dict[int, int]

    @classmethod
    def load(cls) -> _Reference:
        task_force_of_area: dict[int, int] = {}
        # A crime area followed by several task forces is given the first (by position).
        for task_force in TaskForce.objects.order_by("-position").prefetch_related("crime_areas"):
            for area in task_force.crime_areas.all():
                task_force_of_area[area.pk] = task_force.pk
        return cls(
            parties=dict(Party.objects.values_list("code", "pk")),
            crime_areas=dict(CrimeArea.objects.values_list("code", "pk")),
            task_force_of_area=task_force_of_area,
        )


def exchange_log_import(
    *,
    source: BinaryIO,
    file_name: str,
    recompute: bool = True,
    progress: Progress | None = None,
) -> ExchangeImport:
    """Import a log (a seekable binary file), or raise ``LogImportError`` having imported
    nothing. ``recompute``: queue the recomputation of the years the log covers."""
    report = progress or (lambda message: None)
    sha256 = _sha256(source)
    earlier = ExchangeImport.objects.filter(sha256=sha256).first()
    if earlier is not None:
        raise LogAlreadyImported(earlier)
    with tempfile.SpooledTemporaryFile(
        max_size=16 * 1024 * 1024, mode="w+", encoding="utf-8", newline="\n"
    ) as spool:
        checked = _check(source, _Reference.load(), spool, report)
        if checked.errors:
            raise LogRejected(checked.errors)
        return _write(
            checked, file_name=file_name, sha256=sha256, recompute=recompute, report=report
        )


def _sha256(source: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(1024 * 1024):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


# --- Checking ---------------------------------------------------------------------------------


def _check(source: BinaryIO, ref: _Reference, spool: IO[str], report: Progress) -> _Checked:
    checked = _Checked(spool=spool)
    undecodable: set[int] = set()
    reader = csv.reader(_decoded_lines(source, undecodable), strict=True)
    blank_lines: list[int] = []
    order: list[int] | None = None
    lines = 0
    try:
        for row in reader:
            line = reader.line_num
            if line in undecodable:
                checked.errors.append(LineError(line, "", "not UTF-8 text"))
                continue
            if not any(cell.strip() for cell in row):
                blank_lines.append(line)
                continue
            # A blank line followed by more lines is an error; blank lines at the end are not.
            checked.errors += [LineError(n, "", "empty line") for n in blank_lines]
            blank_lines = []
            if order is None:
                order = _check_header(row, line, checked)
                if order is None:
                    return checked
                continue
            _check_row(row, order, line, ref, checked)
            lines += 1
            if lines % PROGRESS_EVERY == 0:
                report(f"{lines:,} lines checked")
    except csv.Error as exc:
        checked.errors.append(LineError(reader.line_num, "", f"not CSV: {exc}"))
    if order is None and not checked.errors:
        checked.errors.append(LineError(1, "", _NO_HEADER))
    elif not checked.errors and checked.rows == 0:
        checked.errors.append(LineError(2, "", "the file holds no exchanges"))
    return checked


def _decoded_lines(source: BinaryIO, undecodable: set[int]) -> Iterator[str]:
    """The file's lines as text, line by line so that a decoding error names its line (which
    is then given as an empty line, and its number added to ``undecodable``)."""
    for number, raw in enumerate(source, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            undecodable.add(number)
            yield "\n"


def _check_header(row: list[str], line: int, checked: _Checked) -> list[int] | None:
    """The position of each of COLUMNS in the file's header, or None (errors recorded)."""
    names = [cell.strip().lower() for cell in row]
    if _ISO_DATE.fullmatch(names[0]):
        checked.errors.append(LineError(line, "", _NO_HEADER))
        return None
    missing = [name for name in COLUMNS if name not in names]
    unexpected = [name for name in names if name not in COLUMNS]
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    for name in missing:
        checked.errors.append(LineError(line, name, "missing from the header row"))
    for name in unexpected:
        checked.errors.append(LineError(line, name, "not a column of the format"))
    for name in repeated:
        checked.errors.append(LineError(line, name, "named twice in the header row"))
    if missing or unexpected or repeated:
        return None
    return [names.index(name) for name in COLUMNS]


def _check_row(
    row: list[str], order: list[int], line: int, ref: _Reference, checked: _Checked
) -> None:
    errors: list[LineError] = []
    values: dict[str, str] = {}
    for name, position in zip(COLUMNS, order, strict=True):
        if position < len(row):
            values[name] = row[position].strip()
        else:
            errors.append(LineError(line, name, "missing column"))
    if len(row) > len(COLUMNS):
        errors.append(
            LineError(line, "", f"{len(row) - len(COLUMNS)} extra column(s): {len(row)} values")
        )

    def fail(column: str, reason: str) -> None:
        errors.append(LineError(line, column, reason))

    day = _date(values.get("date"), fail)
    sender = _party(values.get("sender"), ref, fail, "sender")
    recipients = _recipients(values.get("recipients"), sender, ref, fail)
    kind = _choice(values.get("kind"), StatisticKind.values, fail, "kind")
    channel = _choice(values.get("channel"), ImportedChannel.values, fail, "channel")
    area = None
    if "crime_area" in values:
        area = ref.crime_areas.get(values["crime_area"].lower())
        if area is None:
            fail("crime_area", f"unknown crime area {values['crime_area']!r}")
    if errors:
        checked.errors += sorted(errors, key=_column_order)
    # Once a line is bad nothing will be written: the rest is only checked.
    if checked.errors:
        return
    assert day and sender and recipients and kind and channel and area  # noqa: PT018 - set when no error
    task_force = ref.task_force_of_area.get(area)
    recipient_set = tuple(sorted(recipients))
    recipient_key = ",".join(map(str, recipient_set))
    checked.recipient_sets.setdefault(recipient_key, recipient_set)
    checked.spool.write(
        "\t".join(
            [
                day.isoformat(),
                str(sender),
                recipient_key,
                kind,
                str(area),
                str(task_force) if task_force else r"\N",
                channel,
            ]
        )
        + "\n"
    )
    checked.rows += 1
    checked.years.add(day.year)


def _column_order(error: LineError) -> int:
    return COLUMNS.index(error.column) if error.column in COLUMNS else -1


def _date(value: str | None, fail: Callable[[str, str], None]) -> dt.date | None:
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        fail("date", f"not a date (YYYY-MM-DD): {value!r}")
        return None
    if day > timezone.localdate():
        fail("date", f"{value} is in the future")
    elif day.year < MIN_YEAR:
        fail("date", f"{value} is before {MIN_YEAR}")
    else:
        return day
    return None


def _party(
    value: str | None, ref: _Reference, fail: Callable[[str, str], None], column: str
) -> int | None:
    if value is None:
        return None
    if not value:
        fail(column, "no party code")
        return None
    party = ref.parties.get(value.upper())
    if party is None:
        fail(column, f"unknown party code {value!r}")
    return party


def _recipients(
    value: str | None, sender: int | None, ref: _Reference, fail: Callable[[str, str], None]
) -> list[int] | None:
    if value is None:
        return None
    if not value:
        fail("recipients", "no recipients")
        return None
    recipients: list[int] = []
    ok = True
    for code in (part.strip() for part in value.split(";")):
        party = _party(code, ref, fail, "recipients")
        if party is None:
            ok = False
        elif party == sender:
            fail("recipients", f"the sender {code.upper()} is among the recipients")
            ok = False
        elif party not in recipients:
            recipients.append(party)  # several mentions of one party are one recipient
    return recipients if ok else None


def _choice(
    value: str | None, allowed: list[str], fail: Callable[[str, str], None], column: str
) -> str | None:
    if value is None:
        return None
    if value.lower() not in allowed:
        fail(column, f"{value!r} is not one of {', '.join(allowed)}")
        return None
    return value.lower()


# --- Writing ----------------------------------------------------------------------------------


class _CopyRows(io.TextIOBase):
    """The spooled rows as COPY reads them: the batch id first, the recipient set's id in
    place of its parties."""

    def __init__(
        self, lines: IO[str], batch_id: int, set_ids: dict[str, int], report: Progress
    ) -> None:
        self._lines: Iterator[str] = iter(lines)
        self._batch = str(batch_id)
        self._set_ids = set_ids
        self._report = report
        self._buffer = ""
        self._count = 0

    def _next_row(self) -> str | None:
        line = next(self._lines, None)
        if line is None:
            return None
        day, sender, recipients, rest = line.split("\t", 3)
        self._count += 1
        if self._count % PROGRESS_EVERY == 0:
            self._report(f"{self._count:,} exchanges written")
        return "\t".join([self._batch, day, sender, str(self._set_ids[recipients]), rest])

    def read(self, size: int | None = -1) -> str:
        parts = [self._buffer]
        length = len(self._buffer)
        while size is None or size < 0 or length < size:
            row = self._next_row()
            if row is None:
                break
            parts.append(row)
            length += len(row)
        text = "".join(parts)
        if size is None or size < 0:
            self._buffer = ""
            return text
        self._buffer = text[size:]
        return text[:size]


def _recipient_set_ids(sets: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """The id of each set, storing those not stored yet (a concurrent import may store the
    same set: the unique index makes that one row)."""
    RecipientSet.objects.bulk_create(
        [RecipientSet(party_ids=list(parties)) for parties in sets.values()],
        ignore_conflicts=True,
    )
    # All of them: distinct sets of parties are few (thousands at most), whatever the rows.
    stored = {
        tuple(parties): pk for pk, parties in RecipientSet.objects.values_list("pk", "party_ids")
    }
    return {key: stored[parties] for key, parties in sets.items()}


@transaction.atomic
def _write(
    checked: _Checked, *, file_name: str, sha256: str, recompute: bool, report: Progress
) -> ExchangeImport:
    """Store the checked rows as one batch; logs are imported from the command line, so the
    batch and its audit event name no officer."""
    try:
        with transaction.atomic():
            batch = ExchangeImport.objects.create(
                file_name=file_name[:255],
                sha256=sha256,
                rows=checked.rows,
                years=sorted(checked.years),
                imported_at=timezone.now(),
            )
    except IntegrityError:
        # The same file imported meanwhile by someone else.
        raise LogAlreadyImported(ExchangeImport.objects.get(sha256=sha256)) from None
    set_ids = _recipient_set_ids(checked.recipient_sets)
    checked.spool.seek(0)
    table = ImportedExchange._meta.db_table
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN",
            _CopyRows(checked.spool, batch.pk, set_ids, report),
        )
        # Fresh statistics for the planner of the yearly computation.
        cursor.execute(f"ANALYZE {table}")
    audit_record(
        actor=None,
        action=AuditAction.COLLECTION,
        event=AnalyticsAuditEvent.EXCHANGE_LOG_IMPORTED,
        target=batch,
        reason="exchange log imported",
        details={
            "file_name": batch.file_name,
            "sha256": sha256,
            "rows": batch.rows,
            "years": batch.years,
        },
    )
    if recompute:
        statistics_queue(years=batch.years)
    return batch
