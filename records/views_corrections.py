"""The correction page: the provider corrects the message, the evaluation or one entity of its
own exchange. Anybody else gets 404, as for an exchange that does not exist.

The page shows the content as it is now, prefilled in the forms: it is read through the
audited consultation (``exchange_consult``), under the same rules as the thread page (a purpose
for the thread where one is asked). Each section posts on its own; the service decides and
records, and the page goes back to the thread saying what was corrected and who was told.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from exchanges.models import Exchange
from exchanges.services.consultation import ExchangeContent, exchange_consult
from partners.auth import officer_of
from partners.models import Officer
from records.forms_corrections import (
    ENTITY_PART,
    MESSAGE_PART,
    EntitySection,
    MessageCorrectionForm,
    entity_sections,
)
from records.policy_corrections import Part
from records.selectors_corrections import provided_exchange
from records.services_corrections import Corrected, Correction, exchange_correct
from selec.core.form_pages import apply_service_errors, refusal_reason

TEMPLATE = "records/correct.html"
PART_LABELS = {
    Part.SUBJECT: gettext_lazy("the subject"),
    Part.BODY: gettext_lazy("the message"),
    Part.EVALUATION: gettext_lazy("the evaluation"),
    Part.ENTITY: gettext_lazy("an entity"),
}


def _thread(reference: str) -> str:
    return reverse("exchanges:thread", kwargs={"reference": reference})


@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, reference: str) -> HttpResponse:
    officer = officer_of(request)
    exchange = provided_exchange(officer, reference=reference)
    if exchange.erased_at is not None:
        return render(request, TEMPLATE, {"exchange": exchange, "erased": True})
    if request.method == "GET":
        return _page(request, officer, exchange)
    part = request.POST.get("part")
    if part == MESSAGE_PART:
        form = MessageCorrectionForm(request.POST, prefix=MESSAGE_PART)
        if form.is_valid() and (done := _apply(form, exchange, officer, form.correction())):
            return _done(request, done)
        return _page(request, officer, exchange, message_form=form, status=400)
    if part == ENTITY_PART:
        section = _bound_section(exchange, request.POST)
        if section is not None:
            if section.is_valid() and (
                done := _apply(section.form, exchange, officer, section.correction())
            ):
                return _done(request, done)
            return _page(request, officer, exchange, bound=section, status=400)
    return _page(
        request,
        officer,
        exchange,
        error=_("The page sent no section to correct: reload it and correct one section."),
        status=400,
    )


def _bound_section(exchange: Exchange, data: Any) -> EntitySection | None:
    """The entity section the POST names (by the entity's uuid), bound to it."""
    # Read to know the entity's kind and position; the service reads them again under its lock.
    entities = list(exchange.entities.order_by("pk"))
    return next((s for s in entity_sections(entities, data) if s.form.is_bound), None)


def _apply(
    form: forms.Form, exchange: Exchange, officer: Officer, correction: Correction
) -> Corrected | None:
    """The service's answer: what was corrected, or None with its errors beside the fields."""
    try:
        return exchange_correct(officer=officer, exchange=exchange, correction=correction)
    except ValidationError as exc:
        apply_service_errors(form, exc, {"evaluation": "source_reliability"})
        return None


def _done(request: HttpRequest, done: Corrected) -> HttpResponse:
    messages.success(
        request,
        ngettext(
            "%(reference)s corrected (%(parts)s); %(count)d officer of the agencies holding a copy was notified.",
            "%(reference)s corrected (%(parts)s); %(count)d officers of the agencies holding a copy were notified.",
            done.notified,
        )
        % {
            "reference": done.exchange.reference,
            "parts": ", ".join(str(PART_LABELS[part]) for part in done.parts),
            "count": done.notified,
        },
    )
    return redirect(_thread(done.exchange.reference))


def _page(
    request: HttpRequest,
    officer: Officer,
    exchange: Exchange,
    *,
    message_form: MessageCorrectionForm | None = None,
    bound: EntitySection | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page with the content as it is now, read through the audited consultation; a form
    the officer sent comes back as sent, with its errors."""
    try:
        content = exchange_consult(officer=officer, exchange=exchange)
    except PermissionDenied as exc:
        # Whatever the thread asks first (a purpose for the thread): the thread page asks it.
        opened_first = _("Open the thread of %(reference)s before you correct it.") % {
            "reference": exchange.reference
        }
        messages.warning(request, refusal_reason(exc, opened_first))
        return redirect(_thread(exchange.reference))
    sections = [
        bound if bound is not None and s.entity.uuid == bound.entity.uuid else s
        for s in entity_sections(content.entities)
    ]
    context = {
        "exchange": exchange,
        "message_form": message_form or _prefilled(content),
        "sections": sections,
        "error": error,
    }
    return render(request, TEMPLATE, context, status=status)


def _prefilled(content: ExchangeContent) -> MessageCorrectionForm:
    return MessageCorrectionForm.prefilled(
        subject=content.subject, body=content.body, exchange=content.exchange
    )
