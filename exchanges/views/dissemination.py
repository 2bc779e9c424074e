"""The dissemination queue: requests to lift H1/H2 that the officer's agency decides as provider,
those it decided (paged: ``?decided_page=``), and the ones it filed itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exchanges.forms_thread import DecisionForm
from exchanges.selectors_dissemination import (
    dissemination_request_for_officer,
    dissemination_requests_decided_by_agency,
    dissemination_requests_filed_by_agency,
    dissemination_requests_to_decide,
)
from exchanges.services.dissemination_requests import dissemination_request_decide
from partners.auth import officer_of
from selec.core.numbers import LARGEST_BIGINT, whole_number

# Rows of the decided list on one page.
DECIDED_PER_PAGE = 25


# The last page whose rows' offset PostgreSQL can hold (a bigint); past it, the first.
_LAST_PAGE = LARGEST_BIGINT // DECIDED_PER_PAGE - 1


def _page_number(value: str | None) -> int:
    """The page asked for; the first for anything that is not a positive number."""
    return whole_number(value, at_most=_LAST_PAGE) or 1


def _render_queue(request: HttpRequest, *, status: int = 200, error: str = "") -> HttpResponse:
    officer = officer_of(request)
    decided = dissemination_requests_decided_by_agency(
        officer,
        page=_page_number(request.GET.get("decided_page")),
        per_page=DECIDED_PER_PAGE,
    )
    return render(
        request,
        "exchanges/dissemination_queue.html",
        {
            "to_decide": dissemination_requests_to_decide(officer),
            "decided": decided,
            "filed": dissemination_requests_filed_by_agency(officer),
            "error": error,
        },
        status=status,
    )


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return _render_queue(request)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    dissemination_request = dissemination_request_for_officer(officer, pk)
    reference = dissemination_request.exchange.reference
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_queue(
            request, status=400, error=_("Choose to grant or to refuse the request.")
        )
    try:
        decided = dissemination_request_decide(
            officer=officer,
            request=dissemination_request,
            grant=form.grant,
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        return _render_queue(request, status=400, error=" ".join(exc.messages))
    except PermissionDenied as exc:
        return _render_queue(request, status=403, error=str(exc))
    messages.success(
        request,
        _("%(kind)s for %(reference)s requested by %(agency)s: %(status)s.")
        % {
            "kind": decided.get_kind_display(),
            "reference": reference,
            "agency": decided.requesting_agency.name,
            "status": decided.get_status_display().lower(),
        },
    )
    if request.POST.get("return_to") == "thread":
        return redirect(reverse("exchanges:thread", kwargs={"reference": reference}))
    return redirect("exchanges:dissemination_queue")
