"""What a reference names for the log: an exchange (``SELEC-2026-000123``) or a case
(``SELEC-JI-2026-0001``, ``SELEC-RO-2026-0001``), as the object type and id its events carry.

A reference of the right shape that names nothing (never allocated, or an object since erased)
is still a reference: the events that named it in their details are kept and still found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.models import Case
from exchanges.models import Exchange

_EXCHANGE = re.compile(r"SELEC-\d{4}-\d{6,9}")
_CASE = re.compile(r"SELEC-(JI|RO)-\d{4}-\d{4,9}")

SHAPE_MESSAGE = _(
    "A reference looks like SELEC-2026-000123 (an exchange) or SELEC-JI-2026-0001 (a case)."
)


class ReferenceShapeError(ValueError):
    pass


@dataclass(frozen=True)
class AuditObject:
    """An exchange's or a case's reference, and what its events name it by: ``object_type``,
    and ``object_id`` when the object exists."""

    reference: str
    object_type: str
    object_id: str | None

    @property
    def exists(self) -> bool:
        return self.object_id is not None


def reference_shape(value: str) -> str:
    """The reference, upper-cased; ReferenceShapeError when it is not one."""
    reference = value.strip().upper()
    if not (_EXCHANGE.fullmatch(reference) or _CASE.fullmatch(reference)):
        raise ReferenceShapeError(str(SHAPE_MESSAGE))
    return reference


def audit_object(reference: str) -> AuditObject:
    """The object a well-shaped reference names (one query)."""
    model: type[Exchange] | type[Case] = Exchange if _EXCHANGE.fullmatch(reference) else Case
    pk = model.objects.filter(reference=reference).values_list("pk", flat=True).first()
    return AuditObject(
        reference=reference,
        object_type=model._meta.label_lower,
        object_id=None if pk is None else str(pk),
    )
