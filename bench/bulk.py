"""Writing generated rows with PostgreSQL's COPY, one buffer per table.

The column list of each table is read from its model (``_meta.concrete_fields``), not written
out here: the generator names the fields it fills, and every other column gets the field's
default, or NULL where the field allows it. A column that has neither (a required field added
since this was written) stops the bench with its name, rather than filling it with something
the application would never store.

Values are written in COPY's text format: ``\\N`` for NULL, backslash escapes for the
characters the format reserves. Encrypted fields are given their ciphertext, made by the
field's own code (:class:`Sealer`).
"""

from __future__ import annotations

import io
import json
import queue
import re
import threading
import time
import types
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg2
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.fields import NOT_PROVIDED

from selec.core.fields import EncryptedTextField

NULL = "\\N"
# The characters COPY's text format reserves, and how it wants them written.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# How much of a buffer psycopg sends per round trip.
_COPY_CHUNK = 1 << 20

Converter = Callable[[Any], str]


_RESERVED = re.compile(r"[\\\t\n\r]")


def _text(value: Any) -> str:
    if value is None:
        return NULL
    text = str(value)
    # Most values (ciphertext, references, codes) hold no reserved character: a search is
    # cheaper than a copy.
    return text.translate(_ESCAPES) if _RESERVED.search(text) else text


def _boolean(value: Any) -> str:
    if value is None:
        return NULL
    return "t" if value else "f"


def _number(value: Any) -> str:
    return NULL if value is None else str(value)


def _moment(value: Any) -> str:
    # Aware datetimes and dates: ISO 8601, which PostgreSQL reads with its offset.
    return NULL if value is None else value.isoformat()


def _json(value: Any) -> str:
    if value is None:
        return NULL
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)


def _array_of_text(value: Any) -> str:
    if value is None:
        return NULL
    items = ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
    return ("{" + items + "}").translate(_ESCAPES)


def _converter(field: models.Field) -> Converter:
    """How a value of this field is written in COPY's text format."""
    if isinstance(field, models.BooleanField):
        return _boolean
    if isinstance(field, models.DateTimeField | models.DateField):
        return _moment
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, ArrayField):
        return _array_of_text
    # Auto fields are integer fields, and an email field a char field.
    if isinstance(field, models.IntegerField | models.DecimalField):
        return _number
    if isinstance(field, models.ForeignKey):
        return _converter(field.target_field)
    if isinstance(
        field,
        models.CharField | models.TextField | models.UUIDField | models.GenericIPAddressField,
    ):
        return _text
    raise ImproperlyConfigured(
        f"The bench does not know how to write {field.model._meta.label}.{field.name} "
        f"({type(field).__name__}) with COPY."
    )


def _default_producer(field: models.Field) -> Callable[[], Any] | None:
    """What fills a column the generator leaves out: the field's default (called for each row,
    so that a uuid4 default gives every row its own), NULL, or nothing (None: refused)."""
    if field.has_default():
        return field.get_default
    if field.null:
        return lambda: None
    return None


def plain_connection(connection_params: dict[str, Any], **changes: Any) -> Any:
    """A psycopg2 connection with Django's connection parameters (and ``changes``), without
    Django's own cursor class: it is of no use here, the plain connection is enough."""
    params = {**connection_params, **changes}
    params.pop("cursor_factory", None)
    return psycopg2.connect(**params)


class CopyTable:
    """The rows of one table waiting to be written, as COPY text lines."""

    def __init__(self, model: type[models.Model], filled: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in filled if name not in by_attname]
        if unknown:
            raise ImproperlyConfigured(
                f"{model._meta.label} has no column {', '.join(unknown)}: the bench's "
                f"generator names a field the model no longer has."
            )
        self.filled = tuple(filled)
        self._convert = [_converter(by_attname[name]) for name in filled]
        self._defaults: list[tuple[Converter, Callable[[], Any]]] = []
        columns = [by_attname[name].column for name in filled]
        for field in model._meta.concrete_fields:
            if field.attname in self.filled or field.db_default is not NOT_PROVIDED:
                continue  # filled here, or by the database itself
            if isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField):
                continue  # the table's sequence numbers the rows nobody refers to
            producer = _default_producer(field)
            if producer is None:
                raise ImproperlyConfigured(
                    f"{model._meta.label}.{field.name} is required and has no default: the "
                    f"bench's generator (bench/generate.py) must be taught what to store in it."
                )
            columns.append(field.column)
            self._defaults.append((_converter(field), producer))
        self.columns = tuple(columns)
        self.rows: list[str] = []
        # Rows of integers only (permissions, links): written without a converter per value.
        self._integers_only = not self._defaults and all(c is _number for c in self._convert)

    def add(self, *values: Any) -> None:
        """One row: a value for each field in ``filled``, in that order."""
        if self._integers_only and None not in values:
            if len(values) != len(self._convert):
                raise ValueError(f"{self.table}: {len(values)} values for {self.filled}")
            self.rows.append("\t".join(map(str, values)))
            return
        parts = [convert(value) for convert, value in zip(self._convert, values, strict=True)]
        for convert, produce in self._defaults:
            parts.append(convert(produce()))
        self.rows.append("\t".join(parts))

    def add_instance(self, instance: models.Model) -> None:
        """One row read from an unsaved model instance (its attribute for each filled field)."""
        self.add(*(getattr(instance, name) for name in self.filled))

    def take(self) -> Copy:
        """The waiting rows, handed over for writing; the table starts a new batch."""
        rows, self.rows = self.rows, []
        columns = ", ".join(f'"{c}"' for c in self.columns)
        return Copy(
            label=self.model._meta.label,
            statement=f'COPY "{self.table}" ({columns}) FROM STDIN',
            rows=rows,
        )


@dataclass(frozen=True)
class Copy:
    """One table's rows of a batch, ready to be COPYed."""

    label: str
    statement: str
    rows: list[str]

    def write(self, cursor: Any) -> int:
        if not self.rows:
            return 0
        buffer = io.StringIO("\n".join(self.rows) + "\n")
        cursor.copy_expert(self.statement, buffer, _COPY_CHUNK)
        return len(self.rows)


class BackgroundWriter:
    """Writes batches on a connection of its own while the next batch is made.

    Making rows is Python's work and storing them the server's: the two overlap, psycopg
    letting go of the interpreter while it waits on the server. Batches are written one
    after the other, each in one transaction, in the order submitted, so a batch's rows may
    refer to any earlier batch's. A failure is raised again by the next ``submit`` or by
    ``close``.
    """

    def __init__(self, connection_params: dict[str, Any]) -> None:
        self._connection = plain_connection(connection_params)
        # One batch waiting while one is written: memory stays bounded.
        self._batches: queue.Queue[list[Copy] | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self.rows: Counter[str] = Counter()
        # How long the server took to store the batches, and the maker waited for it.
        self.writing_seconds = self.waiting_seconds = 0.0
        self._thread = threading.Thread(target=self._work, name="bench-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._failure is not None:
                continue  # drain: the main thread learns of the failure at its next call
            started = time.monotonic()
            try:
                self._write(batch)
            except BaseException as exc:
                self._failure = exc
            self.writing_seconds += time.monotonic() - started

    def _write(self, batch: list[Copy]) -> None:
        with self._connection, self._connection.cursor() as cursor:
            # A lost bench database is generated again: no need to wait for the disk.
            cursor.execute("SET LOCAL synchronous_commit = off")
            for copy in batch:
                self.rows[copy.label] += copy.write(cursor)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def submit(self, batch: list[Copy]) -> None:
        self._raise_failure()
        started = time.monotonic()
        self._batches.put(batch)
        self.waiting_seconds += time.monotonic() - started

    def close(self) -> None:
        """Wait for every batch submitted to be written."""
        started = time.monotonic()
        self._batches.put(None)
        self._thread.join()
        self.waiting_seconds += time.monotonic() - started
        self._connection.close()
        self._raise_failure()


class Sealer:
    """The ciphertext of a value for one encrypted model field, made by the field's own
    ``pre_save``: its current key, and associated data binding it to the model, the field and
    the row's key (its uuid), exactly as saving the model would store it."""

    def __init__(self, model: type[models.Model], field_name: str) -> None:
        field = model._meta.get_field(field_name)
        if not isinstance(field, EncryptedTextField):
            raise ImproperlyConfigured(f"{model._meta.label}.{field_name} is not encrypted.")
        self.field = field

    def __call__(self, value: Any, row_key: uuid.UUID | str) -> str:
        # pre_save reads the value and the row key as attributes of the row.
        row = types.SimpleNamespace(
            **{self.field.attname: value, self.field.row_key_field: row_key}
        )
        return self.field.pre_save(row, add=True)


def first_free_id(cursor: Any, model: type[models.Model]) -> int:
    """The first id after the table's highest."""
    table = model._meta.db_table
    cursor.execute(f'SELECT coalesce(max("id"), 0) + 1 FROM "{table}"')  # noqa: S608 - a model's table
    return cursor.fetchone()[0]
