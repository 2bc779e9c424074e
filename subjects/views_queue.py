"""The provider's pages of data subject requests: the queue of the items addressed to the
officer's agency, and the answer to one. Officers of other agencies, and anybody without an
agency, get 404. A provider sees the request's reference, kind and due date, its own exchange
and which identifiers matched: never the person's identifiers as the DPO typed them."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from partners.auth import officer_of
from selec.core.form_pages import apply_service_errors
from selec.core.paging import page_at_address
from subjects.access import provider_or_404
from subjects.forms import AnswerForm
from subjects.models import ItemStatus, RequestKind, SubjectRequestItem
from subjects.selectors import PAGE_SIZE, item_get_for_provider, item_page
from subjects.services_answers import subject_item_answer

ROWS_PER_PAGE = PAGE_SIZE


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    agency_id = provider_or_404(officer_of(request))
    read = partial(item_page, agency_id, today=timezone.localdate())
    (rows, page), paging_error = page_at_address(request.GET, read)
    context = {"rows": rows, "page": page, "paging_error": paging_error}
    return render(request, "subjects/queue.html", context)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    agency_id = provider_or_404(officer)
    row = item_get_for_provider(agency_id, pk, today=timezone.localdate())
    item = row.item
    form = AnswerForm(request.POST or None, kind=item.request.kind)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                subject_item_answer(
                    officer=officer,
                    item_id=item.pk,
                    decision=form.cleaned_data["decision"],
                    answer=form.cleaned_data["answer"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your answer on %(exchange)s for %(reference)s is sent to the DPO.")
                    % {"exchange": item.exchange.reference, "reference": item.request.reference},
                )
                return redirect("subjects:queue")
        status = 400
    context = {
        "row": row,
        "item": item,
        "form": form,
        "pending": item.status == ItemStatus.PENDING,
        **_records_pages(item, back=request.path),
    }
    return render(request, "subjects/item.html", context, status=status)


def _records_pages(item: SubjectRequestItem, *, back: str) -> dict[str, str]:
    """Where the provider erases or corrects the exchange before deciding "erased" or
    "rectified" (the records' pages), while its content is there to erase or correct. The
    erasure page leads back here (``next``) once done."""
    if item.exchange.erased_at is not None:
        return {"erasure_url": "", "correction_url": ""}
    reference = {"reference": item.exchange.reference}
    kind = item.request.kind
    erasure = reverse("records:erasure", kwargs=reference) + "?" + urlencode({"next": back})
    return {
        "erasure_url": erasure if kind == RequestKind.ERASURE else "",
        "correction_url": reverse("records:correct", kwargs=reference)
        if kind == RequestKind.RECTIFICATION
        else "",
    }
