"""Template helpers shared by every page."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from html import escape

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
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
    """A time in the officer's zone, its UTC value on hover and in the machine-readable form.
    Lists draw two a row: built with the standard library's escaping, which Django's
    ``format_html`` wraps at several times the cost."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    utc = value.astimezone(dt.UTC)
    drawn = _style_drawer(translation.get_language(), style)
    # Safe: the texts are escaped, the rest is strftime's digits.
    return mark_safe(  # noqa: S308
        _MOMENT.format(
            utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            utc.strftime("%Y-%m-%d %H:%M"),
            escape(drawn(local) if drawn else date_format(local, style)),
            escape(local.tzname() or ""),
        )
    )


# The format characters the styles of the pages use, drawn as Django's ``dateformat`` draws
# them ("M": the month's translated abbreviation, title-cased).
_DRAWN_PARTS = {
    "j": "{0.day}",
    "M": "{1}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


@functools.lru_cache(maxsize=64)
def _style_drawer(language: str | None, style: str) -> Callable[[dt.datetime], str] | None:
    """A style made once per language into one ``str.format``, with the month names already
    translated: ``dateformat`` reads the style a character at a time and looks each month up
    in the catalogue, for every date, and a list draws a hundred dates. None for a style with
    a character the pages do not use (``date_format`` draws it)."""
    template = []
    # Django's own split: the format characters at odd positions, the text between them.
    for position, piece in enumerate(re_formatchars.split(style)):
        if position % 2 == 0:
            text = re_escaped.sub(r"\1", piece)
            template.append(text.replace("{", "{{").replace("}", "}}"))
        elif piece in _DRAWN_PARTS:
            template.append(_DRAWN_PARTS[piece])
        else:
            return None
    months = [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]
    return functools.partial(_drawn, "".join(template), months)


def _drawn(template: str, months: list[str], moment: dt.datetime) -> str:
    return template.format(moment, months[moment.month])


_MOMENT = '<time datetime="{}" title="{} UTC">{} {}</time>'


@register.simple_tag
def handling_badges(codes: list[str]) -> str:
    """A badge per handling code, its meaning on hover. Built here rather than by an included
    template: the inbox and the dashboard draw one per row. Sixteen combinations of codes,
    translated once per language."""
    return _handling_badges(translation.get_language(), tuple(codes))


@functools.lru_cache(maxsize=256)
def _handling_badges(language: str | None, codes: tuple[str, ...]) -> SafeString:
    # The language is part of the key: the meanings are translated in it (it is active).
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
