"""Template helpers shared by every page."""

from __future__ import annotations

import datetime as dt
import uuid

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from selec.core.idempotency import FORM_FIELD

register = template.Library()

HANDLING_MEANINGS = {
    "H0": _("May only be used for preventing and combating crime under the SELEC Convention."),
    "H1": _("Not to be disclosed in judicial proceedings without the permission of the provider."),
    "H2": _("Not to be disseminated without the permission of the provider."),
    "H3": _("Other restrictions set by the provider: confirm the text before reading."),
}


@register.simple_tag
def moment(value: dt.datetime | None, style: str = "j M Y, H:i") -> str:
    """A time in the officer's zone, its UTC value on hover and in the machine-readable form."""
    if value is None:
        return "—"
    from django.utils.dateformat import format as date_format

    local = timezone.localtime(value)
    utc = value.astimezone(dt.UTC)
    return format_html(
        '<time datetime="{}" title="{} UTC">{} {}</time>',
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        utc.strftime("%Y-%m-%d %H:%M"),
        date_format(local, style),
        local.tzname() or "",
    )


@register.simple_tag
def handling_badges(codes: list[str]) -> str:
    """A badge per handling code, its meaning on hover. Built here rather than by an included
    template: the inbox and the dashboard draw one per row."""
    return format_html_join(
        "",
        '<span class="badge handling {}" title="{}"><abbr title="{}">{}</abbr></span> ',
        ((code.lower(), HANDLING_MEANINGS[code], HANDLING_MEANINGS[code], code) for code in codes),
    )


@register.simple_tag
def idempotency_key() -> str:
    """The hidden key of a form (``selec.core.idempotency``): fresh at each rendering, so that a
    second submission of the same rendered form (a double click, a retry) is answered with the
    first one's answer instead of being done twice."""
    # 32 hexadecimal digits, the form pages already mask when they compare two renderings.
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)
