"""The inbox: the exchanges of the officer's agency (for an NFP officer, of their country),
filtered from the query string and paged by keyset."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from exchanges.inbox import ListedRow, page_links, parse_inbox_request, saved_query, sort_links
from exchanges.policy import works_with_exchanges
from exchanges.selectors_inbox import PAGE_SIZE, inbox_search, saved_inbox_filters
from exchanges.services.listing import subjects_listed
from exchanges.views.saved_filters import SaveViewForm
from partners.auth import officer_of
from partners.policy import sees_country_traffic

ROWS_PER_PAGE = PAGE_SIZE


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    parsed = parse_inbox_request(request.GET, officer=officer)
    page = inbox_search(
        officer,
        parsed.query,
        after=parsed.after,
        before=parsed.before,
        limit=ROWS_PER_PAGE,
        subjects=True,
    )
    subjects = subjects_listed(
        officer=officer, exchanges=[row.exchange for row in page.rows], listing="inbox"
    )
    previous, next_ = page_links(request.GET, page)
    context = {
        "form": parsed.form,
        "page": page,
        "rows": [ListedRow(row, subjects[row.exchange.pk]) for row in page.rows],
        "sort_links": sort_links(request.GET, parsed.query.sort),
        "previous": previous,
        "next": next_,
        "nfp": sees_country_traffic(officer.role),
    }
    # The paging links swap the results in place (htmx); a history restore asks for the page.
    # Set by django-htmx's middleware; HttpRequest does not declare it.
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = htmx and htmx.target == "inbox-results" and not htmx.history_restore_request
    if partial:
        template = "exchanges/_inbox_rows.html"
    else:
        template = "exchanges/inbox.html"
        context |= {
            "saved_views": saved_inbox_filters(officer),
            "save_view_form": SaveViewForm(
                initial={"query": saved_query(request.GET, parsed.form)}
            ),
            "secretariat": not works_with_exchanges(has_agency=officer.agency_id is not None),
        }
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
