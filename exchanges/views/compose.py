"""Composing a request for assistance or an information exchange, and its "Who will see this"
panel. The views parse the form and call ``exchanges.services.sending.exchange_send``; who may receive
what is the policy's decision, shown here before sending and enforced by the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from exchanges.audience import addressable_agencies, audience_for_officer, sender_agency
from exchanges.case_links import CaseChoice, case_links
from exchanges.forms import AudienceFields, ComposeForm
from exchanges.forms_entities import (
    EntitySection,
    entities_given,
    entities_valid,
    entity_inputs,
    entity_sections,
)
from exchanges.models import Priority
from exchanges.policy import works_with_exchanges
from exchanges.selectors_recipients import recently_addressed_agency_ids
from exchanges.services.inputs import due_date
from exchanges.services.sending import exchange_send
from partners.auth import officer_of
from partners.models import Agency

NOT_AN_AGENCY = _(
    "Only officers of an agency send exchanges: SELEC secretariat staff have no agency to send from."
)


def _works_with_exchanges(request: HttpRequest) -> bool:
    return works_with_exchanges(has_agency=officer_of(request).agency_id is not None)


def _require_agency(request: HttpRequest) -> None:
    # Whether the officer sends from an agency at all; what they may send, and to whom, is the
    # service's decision.
    if not _works_with_exchanges(request):
        raise PermissionDenied(NOT_AN_AGENCY)


def _due_dates(now: dt.datetime) -> dict[str, dict[str, str]]:
    """The due date each priority would set if the exchange were sent now, as the page shows it
    (the officer's zone, UTC on hover): compose.js switches between them."""
    dates = {}
    for priority in Priority:
        due = due_date(now, priority)
        local, utc = timezone.localtime(due), due.astimezone(dt.UTC)
        dates[priority.value] = {
            "text": f"{date_format(local, 'j M Y, H:i')} {local.tzname() or ''}".strip(),
            "datetime": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "title": f"{utc.strftime('%Y-%m-%d %H:%M')} UTC",
        }
    return dates


def _audience(
    form: AudienceFields, sections: list[EntitySection], sender: Agency
) -> dict[str, Any]:
    lines = audience_for_officer(
        sender=sender,
        addressable=form.agencies,
        chosen_ids=form.chosen_agency_ids(),
        restrictions=form.chosen_restrictions(),
        personal_data=form.marks_personal_data() or entities_given(sections),
    )
    return {
        "audience": [line for line in lines if not line.refused],
        "refused": [line for line in lines if line.refused],
        "recipients_chosen": bool(form.chosen_agency_ids()),
    }


def _prefill(
    request: HttpRequest, agencies: list[Agency], cases: list[CaseChoice]
) -> dict[str, Any]:
    """What a link may fill in (``?case=SELEC-RO-2026-0001&to=12&to=14&subject=...``, from a
    case page or a hit notice): only values the officer could choose themselves are kept."""
    initial: dict[str, Any] = {}
    offered = {a.pk for a in agencies}
    given = [v for v in request.GET.getlist("to") if v.isascii() and v.isdigit()]
    chosen = [int(v) for v in given if int(v) in offered]
    if chosen:
        initial["recipients"] = list(dict.fromkeys(chosen))
    subject = request.GET.get("subject", "").strip()
    if subject:
        initial["subject"] = subject[:300]
    reference = request.GET.get("case", "")
    if any(c.reference == reference for c in cases):
        initial["case"] = reference
    return initial


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "exchanges/compose.html", {"not_an_agency": NOT_AN_AGENCY}, status=403)


@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    if not _works_with_exchanges(request):
        return _forbidden(request)
    officer = officer_of(request)
    sender = sender_agency(officer)
    agencies = list(addressable_agencies(sender))
    cases = case_links().open_to(officer)
    entity_errors: list[str] = []
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, agencies=agencies, cases=cases)
        sections = entity_sections(request.POST)
        # Both validated, so that every error shows at once.
        form_valid, entities_ok = form.is_valid(), entities_valid(sections)
        if form_valid and entities_ok:
            try:
                exchange = exchange_send(
                    officer=officer,
                    message=form.message(entity_inputs(sections)),
                    **form.send_arguments(),
                )
            except ValidationError as error:
                entity_errors = form.add_service_errors(error)
            else:
                messages.success(
                    request, gettext("Sent as %(reference)s.") % {"reference": exchange.reference}
                )
                return redirect("exchanges:thread", reference=exchange.reference)
    else:
        form = ComposeForm(
            agencies=agencies, cases=cases, initial=_prefill(request, agencies, cases)
        )
        sections = entity_sections()
    chosen_priority = form["priority"].value()
    due_dates = _due_dates(timezone.now())
    context = {
        "form": form,
        "submitted": request.method == "POST",
        "sections": sections,
        "entity_errors": entity_errors,
        "due_dates": due_dates,
        "due_now": due_dates.get(chosen_priority, due_dates[Priority.ROUTINE.value]),
        "sender": sender,
        "recipient_groups": form.recipient_groups(recently_addressed_agency_ids(officer=officer)),
        **_audience(form, sections, sender),
    }
    return render(request, "exchanges/compose.html", context)


@require_POST
def compose_audience(request: HttpRequest) -> HttpResponse:
    """The "Who will see this" fragment for what the compose form holds now. Changes nothing."""
    _require_agency(request)
    sender = sender_agency(officer_of(request))
    form = AudienceFields(request.POST, agencies=addressable_agencies(sender))
    # A half-filled form is the normal case here: the panel uses whatever validates.
    form.is_valid()
    sections = entity_sections(request.POST)
    return render(request, "exchanges/_audience.html", _audience(form, sections, sender))
