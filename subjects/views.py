"""The DPO's pages of data subject requests: the search by the person's identifiers, the
request forwarded from it, the list of requests and one request with the providers' answers.

Who uses them is decided by ``subjects.policy``: anybody but the DPO gets 404 on every view
here, as for a page that does not exist. The identifiers travel in POST bodies only, never in
an address (addresses end up in logs).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.auth import officer_of
from partners.models import Officer
from selec.core.form_pages import apply_service_errors
from selec.core.paging import page_at_address
from subjects.access import dpo_or_404
from subjects.forms import HiddenIdentifiersForm, IdentifiersForm, RequestForm
from subjects.identifiers import Identifiers
from subjects.selectors import PAGE_SIZE, request_page
from subjects.services import subject_request_create, subject_request_read, subject_search

ROWS_PER_PAGE = PAGE_SIZE


@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    dpo_or_404(officer_of(request))
    read = partial(request_page, today=timezone.localdate(), limit=ROWS_PER_PAGE)
    (rows, page), paging_error = page_at_address(request.GET, read)
    context = {"rows": rows, "page": page, "paging_error": paging_error}
    return render(request, "subjects/requests.html", context)


def _search_page(
    request: HttpRequest,
    officer: Officer,
    *,
    identifiers_form: IdentifiersForm,
    request_form: RequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The search page; with valid identifiers, what they find (searched and audited now)
    and the form that forwards the request."""
    context: dict[str, Any] = {"form": identifiers_form, "matches": None}
    if identifiers_form.is_bound and identifiers_form.is_valid():
        identifiers = identifiers_form.identifiers()
        try:
            matches = subject_search(officer=officer, identifiers=identifiers)
        except ValidationError as exc:
            apply_service_errors(identifiers_form, exc)
            return render(request, "subjects/search.html", context, status=400)
        context.update(
            matches=matches,
            forwarded=[m for m in matches if not m.erased],
            request_form=request_form or RequestForm(),
            hidden_form=HiddenIdentifiersForm(initial=identifiers.stored()),
        )
    elif identifiers_form.is_bound:
        status = 400
    return render(request, "subjects/search.html", context, status=status)


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    officer = dpo_or_404(officer_of(request))
    form = IdentifiersForm(request.POST if request.method == "POST" else None)
    return _search_page(request, officer, identifiers_form=form)


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    officer = dpo_or_404(officer_of(request))
    identifiers_form = IdentifiersForm(request.POST)
    request_form = RequestForm(request.POST)
    if not identifiers_form.is_valid():
        # The carried identifiers were altered: the search form shows what is wrong.
        return _search_page(request, officer, identifiers_form=identifiers_form)
    if request_form.is_valid():
        data = request_form.cleaned_data
        try:
            created = subject_request_create(
                officer=officer,
                identifiers=identifiers_form.identifiers(),
                kind=data["kind"],
                received_on=data["received_on"],
                due_on=data["due_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(request_form, exc)
        else:
            messages.success(
                request,
                _("%(reference)s recorded and forwarded to the providers.")
                % {"reference": created.reference},
            )
            return redirect("subjects:detail", reference=created.reference)
    return _search_page(
        request, officer, identifiers_form=identifiers_form, request_form=request_form, status=400
    )


@require_GET
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    officer = dpo_or_404(officer_of(request))
    row, items = subject_request_read(officer=officer, reference=reference)
    identifiers = Identifiers.of(row.request.identifiers).labelled()
    context = {"row": row, "items": items, "identifiers": identifiers}
    return render(request, "subjects/request.html", context)
