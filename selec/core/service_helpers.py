"""What every app's services share: numbering from a counter row, and a policy refusal reported
as the error of the field it concerns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model

from selec.core.policy_values import PolicyError


def counter_next(counter: type[Model], **key: object) -> int:
    """The next number of the counter row named by ``key`` (its unique columns, e.g. a year):
    one atomic upsert of its ``last`` column, whose row lock holds concurrent callers back until
    this transaction ends, so numbers are consecutive and never repeat."""
    quote = connection.ops.quote_name
    table = quote(counter._meta.db_table)
    columns = [quote(counter._meta.get_field(name).column) for name in key]
    last = quote(counter._meta.get_field("last").column)
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
