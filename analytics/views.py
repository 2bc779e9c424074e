"""The statistics page: the tables for a range of years, their trend charts, the downloads, and
for analysts the recomputation with its progress.

Who sees what is decided by ``analytics.policy``: an officer who sees no statistics gets 404
on every view here, as for a page that does not exist; an observer, who sees the page but may
not recompute, gets 403 on the recompute button's address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics.access import (
    statistics_access_or_404,
    statistics_read,
    statistics_table_or_404,
)
from analytics.exports import chart_json, csv_response, xlsx_response
from analytics.policy import StatisticsAccess, Table
from analytics.services import statistics_request_computation
from analytics.tables import (
    IN_PROGRESS,
    MAX_YEAR,
    MIN_YEAR,
    YearsError,
    crime_area_trend_table,
    requested_years,
    statistics_runs,
    years_span,
)
from partners.auth import officer_of
from selec.core.spreadsheets import EXPORT_FORMATS


def _blank_is_none(value: str | None) -> str | None:
    # An empty field of the page's form means "not chosen".
    return value if value and value.strip() else None


def _years(params: Any) -> tuple[int, ...]:
    """The range the page's form (or a download link) names; YearsError when it is wrong."""
    return requested_years(
        table=None,
        year=_blank_is_none(params.get("year")),
        first=_blank_is_none(params.get("from")),
        last=_blank_is_none(params.get("to")),
    )


def _range_query(years: tuple[int, ...]) -> str:
    return urlencode({"from": years[0], "to": years[-1]})


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    access = statistics_access_or_404(officer)
    error = None
    try:
        years = _years(request.GET)
    except YearsError as exc:
        error = exc.message
        years = _years({})
    tables = statistics_read(
        officer=officer,
        tables=access.ordered_tables(),
        years=years,
        export_format="html",
        reason="statistics page",
    )
    trend = crime_area_trend_table(years)
    totals = next(table for table in tables if table.name == Table.TOTALS)
    context = {
        "years": years,
        "year_error": error,
        "min_year": MIN_YEAR,
        "max_year": MAX_YEAR,
        "range_query": _range_query(years),
        "tables": tables,
        "has_data": any(table.has_data for table in tables),
        "charts": {
            "totals": chart_json(totals),
            "crime_areas": chart_json(trend),
        },
        **_runs_context(years, access),
    }
    return render(request, "analytics/statistics.html", context)


def _runs_context(years: tuple[int, ...], access: StatisticsAccess) -> dict[str, Any]:
    runs = statistics_runs()
    return {
        "may_recompute": access.may_recompute,
        "runs": runs,
        "in_progress": any(run.state in IN_PROGRESS for run in runs),
        "progress_url": f"{reverse('analytics:progress')}?{_range_query(years)}",
    }


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """The computation's state per year: the fragment the page polls while a year is queued or
    running. It shows no counts, so it is not audited."""
    access = statistics_access_or_404(officer_of(request))
    try:
        years = _years(request.GET)
    except YearsError:
        years = _years({})
    context = {
        **_runs_context(years, access),
        "polled": True,
        "page_url": f"{reverse('analytics:statistics')}?{_range_query(years)}",
    }
    response = render(request, "analytics/_runs.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    access = statistics_access_or_404(officer)
    if not access.may_recompute:
        raise PermissionDenied(_("Only analysts recompute the statistics."))
    try:
        years = _years(request.POST)
    except YearsError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("analytics:statistics"))
    try:
        statistics_request_computation(officer=officer, years=list(years))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('analytics:statistics')}?{_range_query(years)}")
    messages.success(
        request, _("The statistics of %(years)s are being computed.") % {"years": years_span(years)}
    )
    return redirect(f"{reverse('analytics:statistics')}?{_range_query(years)}")


@require_GET
def export(request: HttpRequest, table: str, export_format: str) -> HttpResponseBase:
    """A table as CSV or XLSX, or (``all``, XLSX only) every table the officer sees, one sheet
    each, for the years the page shows."""
    officer = officer_of(request)
    access = statistics_access_or_404(officer)
    if export_format not in EXPORT_FORMATS or (table == "all" and export_format != "xlsx"):
        raise Http404("No such export.")
    if table == "all":
        chosen = access.ordered_tables()
    else:
        try:
            chosen = [statistics_table_or_404(access, Table(table))]
        except ValueError:
            raise Http404("No such table.") from None
    try:
        years = _years(request.GET)
    except YearsError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    tables = statistics_read(
        officer=officer,
        tables=chosen,
        years=years,
        export_format=export_format,
        reason="statistics page",
    )
    if export_format == "csv":
        return csv_response(tables[0])
    return xlsx_response(tables)
