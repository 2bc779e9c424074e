"""``{{ name|with_transliteration }}``: a name as its provider wrote it and, for a reader of
another script, the name in the reader's own (``selec.core.transliteration``)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from selec.core.transliteration import for_reader, script_of_language

register = template.Library()


@register.filter
def with_transliteration(name: object) -> SafeString | str:
    text = "" if name is None else str(name)
    language = get_language() or ""
    transliterated = for_reader(text, language)
    if not transliterated:
        return text
    # The reader's script named for assistive technology and for the hyphenation of the page.
    script = script_of_language(language).value
    return format_html(
        '{} <span class="transliteration" lang="{}-{}" title="{}">({})</span>',
        text,
        language.split("-")[0],
        script,
        # The hover text: the bracketed name is not the provider's spelling.
        gettext("In your script; the provider wrote the name as shown before it."),
        transliterated,
    )
