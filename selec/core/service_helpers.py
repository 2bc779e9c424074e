"""What every app's services share: numbering from a counter row, a text field's bound, and a
policy refusal reported as the error of the field it concerns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field, Model

from selec.core.policy_values import PolicyError


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model._meta.label}.{name} is not a column")
    return field.column


def max_length_of(model: type[Model], name: str) -> int:
    """The ``max_length`` of one of the model's text fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.max_length is None:
        raise TypeError(f"{model._meta.label}.{name} is not a text of a bounded length")
    return field.max_length


def counter_next(counter: type[Model], **key: int | str) -> int:
    """The next number of the counter row named by ``key`` (its unique columns, e.g. a year):
    one atomic upsert of its ``last`` column, whose row lock holds concurrent callers back until
    this transaction ends, so numbers are consecutive and never repeat."""
    quote = connection.ops.quote_name
    table = quote(counter._meta.db_table)
    columns = [quote(_column(counter, name)) for name in key]
    last = quote(_column(counter, "last"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, {last}) "  # noqa: S608 - quoted names
            f"VALUES ({', '.join(['%s'] * len(columns))}, 1) "
            f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET {last} = {table}.{last} + 1 "
            f"RETURNING {last}",
            list(key.values()),
        )
        (number,) = cursor.fetchone()
    return int(number)


@contextmanager
def refused_as(field: str) -> Iterator[None]:
    """Report a policy refusal as a validation error of the form field it concerns."""
    try:
        yield
    except PolicyError as exc:
        raise ValidationError({field: [str(exc)]}) from exc
