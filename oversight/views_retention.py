"""The DPO's page on the retention review: per provider agency, how many reviews are due within
``records.policy.DUE_WITHIN_DAYS`` days and how many are overdue (the providers decide; the DPO
watches, and is told each morning of the agencies with overdue reviews). 404 to anybody but the
DPO, as every page of the tools."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oversight.access import dpo_or_404
from partners.auth import officer_of
from records.policy import DUE_WITHIN_DAYS
from records.selectors_review import review_counts_by_agency, review_today


@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    dpo_or_404(officer_of(request))
    today = review_today()
    rows = review_counts_by_agency(today=today)
    context = {
        "rows": rows,
        "today": today,
        "due_within_days": DUE_WITHIN_DAYS,
        "total_due": sum(row.due for row in rows),
        "total_overdue": sum(row.overdue for row in rows),
    }
    return render(request, "oversight/retention.html", context)
