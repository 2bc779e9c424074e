"""The DPO's pages: the audit search (with its CSV download) and the access report of one
exchange or case (printable: ``oversight/print.css`` leaves the menus and forms off paper).

Who uses them is decided by ``oversight.policy``: anybody but the DPO gets 404 on every view
here, as for a page that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oversight.access import dpo_or_404
from oversight.entities import tokens_text
from oversight.exports import CSV_MEDIA_TYPE, audit_csv, export_filename
from oversight.filters import AuditFilterSet
from oversight.references import ReferenceShapeError, reference_shape
from oversight.selectors import (
    EXPORT_LIMIT,
    REPORT_LIMIT,
    AuditPage,
    decode_position,
    encode_position,
)
from oversight.services import access_report_read, audit_search, audit_search_export
from partners.auth import officer_of
from selec.core.files import download_response

ROWS_PER_PAGE = 50
# The parameters of a page link: the others are the filters, which every link keeps.
_PAGING = ("after", "before")


def _filters_only(params: QueryDict) -> QueryDict:
    kept = params.copy()
    for name in _PAGING:
        kept.pop(name, None)
    return kept


def _link(filters: QueryDict, **paging: str) -> str:
    query = filters.urlencode()
    extra = urlencode(paging)
    return "?" + "&".join(part for part in (query, extra) if part)


def _entity_links(filters: QueryDict, page: AuditPage) -> dict[str, str]:
    """Of a search narrowed to an entity: its report, and the search without it."""
    if page.entity is None:
        return {}
    others = filters.copy()
    others.pop("entity", None)
    entity = urlencode({"entity": tokens_text(page.entity.tokens)})
    return {
        "entity_report_link": reverse("oversight:entity_report") + "?" + entity,
        "without_entity_link": reverse("oversight:search") + _link(others),
    }


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    officer = dpo_or_404(officer_of(request))
    filters = AuditFilterSet(request.GET)
    query = filters.audit_query(officer)
    after, before = (request.GET.get(name) for name in _PAGING)
    older_than = decode_position(after) if after else None
    newer_than = decode_position(before) if before else None
    page = audit_search(
        officer=officer,
        query=query,
        older_than=older_than,
        newer_than=newer_than,
        limit=ROWS_PER_PAGE,
        reason="audit search (page)",
    )
    kept = _filters_only(request.GET)
    context: dict[str, Any] = {
        **_entity_links(kept, page),
        "form": filters.form,
        "page": page,
        "paging_error": bool(after and not older_than) or bool(before and not newer_than),
        "newer_link": page.newer_than and _link(kept, before=encode_position(page.newer_than)),
        "older_link": page.older_than and _link(kept, after=encode_position(page.older_than)),
        "export_link": reverse("oversight:export") + _link(kept),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "oversight/search.html", context)


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The search the page shows, as a CSV file (the newest ``EXPORT_LIMIT`` events)."""
    officer = dpo_or_404(officer_of(request))
    filters = AuditFilterSet(request.GET)
    if not filters.is_valid():
        return HttpResponseBadRequest(
            _("Correct the search's filters before exporting it."),
            content_type="text/plain; charset=utf-8",
        )
    rows, truncated = audit_search_export(
        officer=officer, query=filters.audit_query(officer), reason="audit search exported (page)"
    )
    return download_response(
        audit_csv(rows, truncated=truncated),
        content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        filename=export_filename(),
    )


def _reference_form(request: HttpRequest, *, given: str, error: str | None) -> HttpResponse:
    context = {"given": given, "error": error}
    return render(request, "oversight/access_report.html", context, status=400 if error else 200)


@require_GET
def access_report_form(request: HttpRequest) -> HttpResponse:
    """The form that asks for a reference, and sends a well-shaped one to its report."""
    dpo_or_404(officer_of(request))
    given = request.GET.get("reference", "")
    if not given:
        return _reference_form(request, given="", error=None)
    try:
        reference = reference_shape(given)
    except ReferenceShapeError as exc:
        return _reference_form(request, given=given, error=str(exc))
    return redirect("oversight:access_report", reference=reference)


@require_GET
def access_report_page(request: HttpRequest, reference: str) -> HttpResponse:
    officer = dpo_or_404(officer_of(request))
    try:
        shaped = reference_shape(reference)
    except ReferenceShapeError as exc:
        return _reference_form(request, given=reference, error=str(exc))
    report = access_report_read(officer=officer, reference=shaped, reason="access report (page)")
    context = {"given": shaped, "report": report, "report_limit": REPORT_LIMIT}
    return render(request, "oversight/access_report.html", context)
