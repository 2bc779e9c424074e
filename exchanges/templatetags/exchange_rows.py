"""The exchange lists' rows for the templates (built in ``exchanges.listing_html``)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from exchanges.inbox import ListedRow
from exchanges.listing_html import inbox_rows_html, listed_subject_html
from exchanges.selectors_subjects import ListedSubject

register = template.Library()


@register.simple_tag
def inbox_rows(rows: Sequence[ListedRow], nfp: bool) -> SafeString:
    return inbox_rows_html(rows, nfp=nfp)


@register.simple_tag
def listed_subject(subject: ListedSubject) -> SafeString:
    return listed_subject_html(subject)
