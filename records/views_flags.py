"""Inaccuracy flags in the pages: a recipient flags a suspected inaccuracy, the provider answers
it, and the flags page lists both sides for the officer's agency (each list paged by keyset).

Flags are between agencies: an officer of no agency gets 404 here, as does anybody who may not
flag the exchange (its provider, those who do not see it) or answer the flag.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exchanges.selectors import exchange_get_for_officer
from partners.auth import officer_of
from records.forms_flags import FlagAnswerForm, FlagForm
from records.models import FlagStatus
from records.selectors_flags import (
    FlagPage,
    FlagRole,
    flag_page,
    flag_to_answer,
    flags_of,
    open_flag_of_agency,
)
from records.services_flags import inaccuracy_flag_answer, inaccuracy_flag_file, require_recipient
from selec.core.form_pages import refusal_reason, submit

ROWS_PER_PAGE = 25
# The page parameters of each list: where its page starts (after an id, or before one).
_RECEIVED = ("received_after", "received_before")
_FILED = ("filed_after", "filed_before")
_LARGEST_ID = 2**63 - 1


@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = exchange_get_for_officer(officer, reference=reference)
    require_recipient(officer, exchange)
    form = FlagForm(request.POST if request.method == "POST" else None)
    filed = submit(
        request,
        form,
        lambda: inaccuracy_flag_file(
            officer=officer, exchange=exchange, note=form.cleaned_data["note"]
        ),
    )
    if filed.done:
        messages.success(
            request,
            _("Your flag was sent to the provider of %(reference)s; you will be told its answer.")
            % {"reference": exchange.reference},
        )
        return redirect("records:flags")
    if filed.refusal:
        form.add_error(None, refusal_reason(filed.refusal, _("You may not flag this exchange.")))
    context = {
        "exchange": exchange,
        "form": form,
        "pending": open_flag_of_agency(exchange, officer.agency_id),
    }
    return render(request, "records/flag.html", context, status=filed.status)


def _position(params: QueryDict, name: str) -> tuple[int | None, bool]:
    """The id a page parameter carries, and whether it was given but is not one."""
    value = params.get(name)
    if value is None:
        return None, False
    if value.isascii() and value.isdigit() and int(value) <= _LARGEST_ID:
        return int(value), False
    return None, True


def _link(params: QueryDict, names: tuple[str, str], **position: int) -> str:
    """The address of another page of one list, the other list's page kept."""
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return "?" + "&".join(p for p in (kept.urlencode(), urlencode(position)) if p)


def _paged(params: QueryDict, names: tuple[str, str], page: FlagPage) -> dict[str, str | None]:
    after, before = names
    return {
        "previous": _link(params, names, **{before: page.previous}) if page.previous else None,
        "next": _link(params, names, **{after: page.next}) if page.next else None,
    }


@require_GET
def flags(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    if officer.agency_id is None:
        raise Http404(_("No inaccuracy flags here."))
    params = request.GET
    positions = {name: _position(params, name) for name in (*_RECEIVED, *_FILED)}
    received = flag_page(
        flags_of(officer, role=FlagRole.RECEIVED, status=FlagStatus.OPEN),
        after=positions["received_after"][0],
        before=positions["received_before"][0],
        limit=ROWS_PER_PAGE,
        oldest_first=True,
    )
    filed = flag_page(
        flags_of(officer, role=FlagRole.FILED),
        after=positions["filed_after"][0],
        before=positions["filed_before"][0],
        limit=ROWS_PER_PAGE,
    )
    context: dict[str, Any] = {
        "received": received,
        "received_pages": _paged(params, _RECEIVED, received),
        "filed": filed,
        "filed_pages": _paged(params, _FILED, filed),
        "paging_error": any(wrong for _, wrong in positions.values()),
    }
    return render(request, "records/flags.html", context)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    officer = officer_of(request)
    found = flag_to_answer(officer, pk)
    form = FlagAnswerForm(request.POST if request.method == "POST" else None)
    if found.status != FlagStatus.OPEN:
        status = 400 if request.method == "POST" else 200
        return render(request, "records/flag_answer.html", {"flag": found}, status=status)
    answered = submit(
        request,
        form,
        lambda: inaccuracy_flag_answer(
            officer=officer,
            flag=found,
            outcome=form.cleaned_data["outcome"],
            answer=form.cleaned_data["answer"],
        ),
    )
    if answered.done:
        messages.success(
            request,
            _("Your answer on %(reference)s was sent to %(agency)s.")
            % {"reference": found.exchange.reference, "agency": found.flagging_agency.name},
        )
        return redirect("records:flags")
    if answered.refusal:
        form.add_error(None, refusal_reason(answered.refusal, _("You may not answer this flag.")))
    return render(
        request, "records/flag_answer.html", {"flag": found, "form": form}, status=answered.status
    )
