"""The retention review's pages: the agency's queue of reviews due and overdue, and the keep
decision on one exchange. Officers of an agency only (``records.policy``): 404 to anybody
else, and to anybody but the provider for one exchange's decision."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partners.auth import officer_of
from records.forms_review import KeepForm, QueueForm
from records.policy import DUE_WITHIN_DAYS, latest_next_review, shown_date
from records.selectors_review import (
    ReviewPage,
    encode_position,
    exchange_to_review,
    review_counts,
    review_queue_page,
    review_today,
    with_review_queue,
)
from records.services_review import review_keep
from selec.core.form_pages import submit

ROWS_PER_PAGE = 50


def _links(state: str, page: ReviewPage) -> tuple[str | None, str | None]:
    """The links to the previous and next pages: the same filter, another position."""
    kept = [("state", state)] if state else []
    previous = next_ = None
    if page.has_previous and page.first is not None:
        previous = "?" + urlencode([*kept, ("before", encode_position(page.first))])
    if page.has_next and page.last is not None:
        next_ = "?" + urlencode([*kept, ("after", encode_position(page.last))])
    return previous, next_


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    officer = with_review_queue(officer_of(request))
    form = QueueForm(request.GET)
    state = form.state_chosen()
    today = review_today()
    page = review_queue_page(
        officer,
        state=state,
        after=form.chosen("after"),
        before=form.chosen("before"),
        limit=ROWS_PER_PAGE,
        today=today,
    )
    previous_link, next_link = _links(state.value if state else "", page)
    context = {
        "form": form,
        "state": state.value if state else "",
        "page": page,
        "counts": review_counts(officer, today=today),
        "today": today,
        "due_within_days": DUE_WITHIN_DAYS,
        "previous_link": previous_link,
        "next_link": next_link,
    }
    return render(request, "records/review_queue.html", context)


@require_http_methods(["GET", "POST"])
def keep(request: HttpRequest, reference: str) -> HttpResponse:
    officer = with_review_queue(officer_of(request))
    exchange = exchange_to_review(officer, reference)
    today = review_today()
    latest = latest_next_review(
        today=today,
        area_years=exchange.crime_area.personal_data_review_years,
        default_years=settings.PERSONAL_DATA_REVIEW_YEARS,
    )
    form = KeepForm(
        request.POST if request.method == "POST" else None,
        earliest=today + dt.timedelta(days=1),
        latest=latest,
    )
    submission = submit(
        request,
        form,
        lambda: review_keep(
            officer=officer,
            exchange=exchange,
            reason=form.cleaned_data["reason"],
            next_review_on=form.cleaned_data["next_review_on"],
        ),
    )
    if submission.done:
        messages.success(
            request,
            _("%(reference)s is kept; its next review is on %(date)s.")
            % {
                "reference": exchange.reference,
                "date": shown_date(form.cleaned_data["next_review_on"]),
            },
        )
        return redirect("records:review")
    context = {
        "exchange": exchange,
        "form": form,
        "pending": exchange.review_due_on is not None and exchange.erased_at is None,
        "today": today,
    }
    return render(request, "records/review_keep.html", context, status=submission.status)
