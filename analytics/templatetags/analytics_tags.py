"""Template helpers of the statistics pages."""

from __future__ import annotations

from django import template

from analytics.access import statistics_access_for
from partners.models import Officer

register = template.Library()


@register.filter
def sees_statistics(officer: Officer) -> bool:
    """Whether the navigation offers the statistics page to this officer."""
    return statistics_access_for(officer).sees_statistics
