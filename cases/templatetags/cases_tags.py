"""Template helpers of the case pages, and the case link on an exchange's thread page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from cases.selectors import cases_visible_to

register = template.Library()


@register.filter
def quantity(value: Decimal | int | None) -> str:
    """A seized quantity as the seeds' tables write it: "1,829", "250,000", "188.9"."""
    if value is None:
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


@register.inclusion_tag("cases/_case_link.html", takes_context=True)
def case_link(context: dict[str, Any], exchange: Any) -> dict[str, Any]:
    """The case an exchange belongs to, linked, when the officer may see that case (nothing
    otherwise: the case's name and reference are not theirs to know)."""
    request = context.get("request")
    case = None
    if exchange is not None and exchange.case_id and request is not None:
        case = (
            cases_visible_to(request.user)
            .filter(pk=exchange.case_id)
            # The uuid too: the name is decrypted with it (no second query to fetch it).
            .only("uuid", "reference", "name", "kind")
            .first()
        )
    return {"linked_case": case}
