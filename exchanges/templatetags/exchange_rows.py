"""The exchange lists' rows for the templates (built in ``exchanges.listing_html``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import SafeString

from exchanges.inbox import ListedRow
from exchanges.listing_html import inbox_rows_html, work_rows_html
from exchanges.models import Recipient
from exchanges.selectors_dashboard import Overdue
from exchanges.selectors_subjects import ListedSubject

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

register = template.Library()


@register.simple_tag
def inbox_rows(rows: Sequence[ListedRow], nfp: bool) -> SafeString:
    return inbox_rows_html(rows, nfp=nfp)


@register.simple_tag
def work_rows(
    rows: Sequence[tuple[WithAnnotations[Recipient, Overdue], ListedSubject]], nfp: bool
) -> SafeString:
    return work_rows_html(rows, nfp=nfp)
