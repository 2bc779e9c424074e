"""The inbox: the exchanges of the officer's agency (for an NFP officer, of their country),
filtered from the query string and paged by keyset."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from exchanges.inbox import page_links, parse_inbox_request
from exchanges.policy import works_with_exchanges
from exchanges.selectors_inbox import PAGE_SIZE, inbox_search
from partners.auth import officer_of
from partners.policy import sees_country_traffic

ROWS_PER_PAGE = PAGE_SIZE


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    parsed = parse_inbox_request(request.GET, officer=officer)
    page = inbox_search(
        officer, parsed.query, after=parsed.after, before=parsed.before, limit=ROWS_PER_PAGE
    )
    previous, next_ = page_links(request.GET, page)
    context = {
        "form": parsed.form,
        "page": page,
        "previous": previous,
        "next": next_,
        "nfp": sees_country_traffic(officer.role),
        "secretariat": not works_with_exchanges(has_agency=officer.agency_id is not None),
    }
    # The paging links swap the results in place (htmx); a history restore asks for the page.
    # Set by django-htmx's middleware; HttpRequest does not declare it.
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = htmx and htmx.target == "inbox-results" and not htmx.history_restore_request
    template = "exchanges/_inbox_rows.html" if partial else "exchanges/inbox.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
